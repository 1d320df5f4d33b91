import type { GraphiQLOptions } from 'graphql-yoga';

let rendered: { key: string; html: Promise<string> } | undefined;

/**
 * GraphiQL with its scripts, styles and editor workers inline, from the pinned `@graphql-yoga/render-graphiql`:
 * the page loads nothing from another host, so it works offline. The page is about 9 MB, so the package is
 * imported on the first request rather than at start (parsing it takes a while), and the page is rendered once
 * per set of options (they are fixed when the gateway starts).
 */
export function renderLocalGraphiQL(options: GraphiQLOptions): Promise<string> {
  const key = JSON.stringify(options);
  if (rendered?.key !== key) {
    const html = import('@graphql-yoga/render-graphiql').then(({ renderGraphiQL }) => renderGraphiQL(options));
    rendered = { key, html };
    html.catch(() => {
      if (rendered?.html === html) rendered = undefined;
    });
  }
  return rendered.html;
}
