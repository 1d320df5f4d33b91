import type { IncomingMessage, ServerResponse } from 'node:http';
import { PUBLIC_DOCUMENT_CACHE_CONTROL } from '../http/cache-control.js';
import { sendContent, sendJson, sendPrecoded } from '../http/send.js';
import { restError } from '../rest/error-envelope.js';
import type { Dashboard, DashboardBuild } from './dashboard-files.js';
import type { DashboardFile } from './dashboard-file.js';
import { DASHBOARD_PAGE_CSP, DASHBOARD_SVG_CSP } from './dashboard-page-csp.js';

export const DASHBOARD_PATH = '/dashboard';
const PAGES_PREFIX = `${DASHBOARD_PATH}/`;
const ASSETS_PATH = `${DASHBOARD_PATH}/assets`;
const ASSETS_PREFIX = `${ASSETS_PATH}/`;

/** A request target longer than this is no page of the dashboard's. */
const MAX_PAGE_TARGET = 512;
/** `..`, encoded dots and slashes, backslashes: no page of the dashboard's is named with them. */
const SUSPICIOUS_PATH = /\.\.|%2e|%2f|%5c|\\/i;

/** One route of the dashboard, for the gateway's route table. */
export interface DashboardRoute {
  /** The path served; for a prefix route, the name it is logged and counted under. */
  readonly path: string;
  /** Serves every path that starts with this (longer prefixes first), unless an exact path takes it. */
  readonly prefix?: string;
  handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void>;
}

/** The page holds no data (the key stays in the browser), so shared caches may keep it; revalidated so an upgrade shows at once. */
const PAGE_HEADERS = {
  'cache-control': PUBLIC_DOCUMENT_CACHE_CONTROL,
  'content-security-policy': DASHBOARD_PAGE_CSP,
  // For browsers without CSP's frame-ancestors.
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** Asset names carry a hash of their content: a name never changes its bytes, so it may be kept for good. */
const ASSET_HEADERS = { 'cache-control': 'public, max-age=31536000, immutable', 'x-content-type-options': 'nosniff' };

function notFound(res: ServerResponse, message: string): Promise<void> {
  return sendJson(res, 404, restError(404, 'NOT_FOUND', message).body);
}

/** Sent as every answer of the gateway: tagged by its plain bytes, in a coding computed at load when the client takes one. */
function sendFile(res: ServerResponse, file: DashboardFile, headers: Record<string, string>): Promise<void> {
  return sendPrecoded(res, file.contentType, file.content, file.encodings, headers);
}

/** Whether the raw target could be one of the single-page app's own paths (/dashboard/sessions/<id>?range=7d). */
function isPagePath(target: string | undefined): boolean {
  if (target === undefined || target.length > MAX_PAGE_TARGET) return false;
  const query = target.indexOf('?');
  return !SUSPICIOUS_PATH.test(query < 0 ? target : target.slice(0, query));
}

function builtRoutes(build: DashboardBuild): DashboardRoute[] {
  const page: DashboardRoute['handle'] = (req, res, url) => {
    if (!isPagePath(req.url)) return notFound(res, `No dashboard page for ${url.pathname.slice(0, 100)}.`);
    return sendFile(res, build.index, PAGE_HEADERS);
  };
  // Looked up by name in what was loaded at start: no filesystem path is ever made from the URL.
  const asset: DashboardRoute['handle'] = (req, res, url) => {
    const name = url.pathname.slice(ASSETS_PREFIX.length);
    const file = url.pathname.startsWith(ASSETS_PREFIX) ? build.assets.get(name) : undefined;
    if (!file) {
      return notFound(res, `No dashboard file ${url.pathname.slice(0, 200)}: a page from an older build asks for files this one does not have; reload it.`);
    }
    const headers = name.endsWith('.svg') ? { ...ASSET_HEADERS, 'content-security-policy': DASHBOARD_SVG_CSP } : ASSET_HEADERS;
    return sendFile(res, file, headers);
  };
  return [
    { path: '/', handle: (_req, res) => sendContent(res, 302, 'text/plain; charset=utf-8', `Found: ${PAGES_PREFIX}\n`, { location: PAGES_PREFIX }) },
    { path: DASHBOARD_PATH, handle: page },
    { path: `${PAGES_PREFIX}*`, prefix: PAGES_PREFIX, handle: page },
    { path: ASSETS_PATH, handle: asset },
    { path: `${ASSETS_PREFIX}*`, prefix: ASSETS_PREFIX, handle: asset },
  ];
}

/**
 * The dashboard's routes: `/` redirects to it, every path under /dashboard/ is its page (the app routes in the
 * browser), except /dashboard/assets/, its files. Without a build, /dashboard and everything under it answer 404
 * with what to do, and `/` answers as it would without a dashboard.
 */
export function dashboardRoutes(dashboard: Dashboard): DashboardRoute[] {
  if (dashboard.built) return builtRoutes(dashboard);
  const unavailable: DashboardRoute['handle'] = (_req, res) => notFound(res, dashboard.message);
  return [
    { path: DASHBOARD_PATH, handle: unavailable },
    { path: `${PAGES_PREFIX}*`, prefix: PAGES_PREFIX, handle: unavailable },
  ];
}
