import type { GraphiQLOptions } from 'graphql-yoga';

let rendered: { key: string; html: Promise<string> } | undefined;

/**
 * Yoga's GraphiQL opens the address bar's `?query=` in a tab and saves it, with its tabs, in localStorage, beside the
 * key pasted into the Headers tab: a link could plant an operation that one click then runs with that key. So the
 * page drops its query string before GraphiQL starts, and nothing in a URL is ever read (Yoga reads no other
 * parameter, GraphiQL itself none; neither reads headers or variables from the URL). Sharing a query by link is what
 * this gives up; a reload loses nothing, since GraphiQL keeps what a person edits in localStorage.
 */
const FORGET_URL_QUERY = '<script>if (location.search) history.replaceState(history.state, "", location.pathname + location.hash);</script>';

/** The page with FORGET_URL_QUERY first in its head, before any script of GraphiQL's. */
function forgettingUrlQuery(html: string): string {
  const head = /<head>/i.exec(html);
  if (!head) throw new Error('the GraphiQL page has no <head> to put the URL guard in');
  const at = head.index + head[0].length;
  return `${html.slice(0, at)}\n${FORGET_URL_QUERY}${html.slice(at)}`;
}

/**
 * GraphiQL with its scripts, styles and editor workers inline, from the pinned `@graphql-yoga/render-graphiql`:
 * the page loads nothing from another host, so it works offline. The page is about 9 MB, so the package is
 * imported on the first request rather than at start (parsing it takes a while), and the page is rendered once
 * per set of options (they are fixed when the gateway starts).
 */
export function renderLocalGraphiQL(options: GraphiQLOptions): Promise<string> {
  const key = JSON.stringify(options);
  if (rendered?.key !== key) {
    const html = import('@graphql-yoga/render-graphiql').then(({ renderGraphiQL }) => forgettingUrlQuery(renderGraphiQL(options)));
    rendered = { key, html };
    html.catch(() => {
      if (rendered?.html === html) rendered = undefined;
    });
  }
  return rendered.html;
}
