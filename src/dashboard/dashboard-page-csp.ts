/**
 * The dashboard's page runs only its own files: no inline script or style (the build ships none), nothing from
 * another host, and it talks to no origin but the gateway's (GraphQL and its event streams).
 */
export const DASHBOARD_PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * An SVG opened at its own address is a document that could run script: sandboxed, it runs none, while its
 * inline styles still draw it.
 */
export const DASHBOARD_SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox";
