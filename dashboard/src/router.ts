import { signal } from './signal.js';

/** The dashboard's pages live under this path; the gateway answers every path below it with the page. */
export const BASE = '/dashboard';

export type Route =
  | { page: 'overview' }
  | { page: 'sessions' }
  | { page: 'session'; id: string }
  | { page: 'tools' }
  | { page: 'not-found' };

export interface Place {
  readonly path: string;
  readonly search: URLSearchParams;
}

function current(): Place {
  return { path: location.pathname, search: new URLSearchParams(location.search) };
}

export const place = signal<Place>(current());
addEventListener('popstate', () => place.set(current()));

export function routeOf(path: string): Route {
  const rest = path.startsWith(BASE) ? path.slice(BASE.length).replace(/\/+$/, '') : null;
  if (rest === null) return { page: 'not-found' };
  if (rest === '') return { page: 'overview' };
  if (rest === '/sessions') return { page: 'sessions' };
  if (rest === '/tools') return { page: 'tools' };
  const session = /^\/sessions\/([^/]+)$/.exec(rest);
  if (session) return { page: 'session', id: decodeURIComponent(session[1]!) };
  return { page: 'not-found' };
}

/** The address of a page, keeping the range (and nothing else) of the current query. */
export function href(path: string, search: URLSearchParams = place.get().search): string {
  const kept = new URLSearchParams();
  for (const name of ['range', 'from', 'to']) {
    const value = search.get(name);
    if (value !== null) kept.set(name, value);
  }
  const query = kept.toString();
  return `${BASE}${path}${query ? `?${query}` : ''}`;
}

export function navigate(to: string, replace = false): void {
  if (replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  place.set(current());
}
