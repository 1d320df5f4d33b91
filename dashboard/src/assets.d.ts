// esbuild bundles the stylesheet the app imports; it has no exports.
declare module '*.css';
