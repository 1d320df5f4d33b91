import { opendir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseTrustedDocuments, type TrustedDocuments } from '../graphql/persisted/trusted-documents.js';
import type { Logger } from '../log/logger.js';
import { PACKAGE_ROOT } from '../package-root.js';
import { dashboardContentType, type DashboardContentType } from './dashboard-content-type.js';
import { dashboardFile, type DashboardFile } from './dashboard-file.js';

/** Where `npm run build` writes the dashboard (TRENCHCOAT_DASHBOARD_DIR names another folder). */
export const DEFAULT_DASHBOARD_DIR = join(PACKAGE_ROOT, 'dist', 'dashboard');

/** The most the gateway reads of a build, all files together: a wrong folder must not make it read gigabytes. */
export const DASHBOARD_MAX_BYTES = 8 * 1024 * 1024;
/** Files under assets/ the gateway looks at; a build has a handful. */
const MAX_ASSET_ENTRIES = 1000;

const INDEX_FILE = 'index.html';
const ASSETS_DIR = 'assets';
const MANIFEST_FILE = 'trusted-documents.json';

export const NOT_BUILT_MESSAGE = 'The dashboard is not built: run `npm run build`, then restart the gateway.';
const UNREADABLE_MESSAGE = "The dashboard's build could not be loaded; the gateway's log at start says why.";

/** A build loaded in memory: the page, its files by name, and the documents it runs by id. */
export interface DashboardBuild {
  readonly built: true;
  readonly index: DashboardFile;
  readonly assets: ReadonlyMap<string, DashboardFile>;
  readonly trustedDocuments: TrustedDocuments | null;
}

/** No build to serve: every dashboard path answers 404 with `message` (why, and what fixes it). */
export interface DashboardNotServed {
  readonly built: false;
  readonly message: string;
}

export type Dashboard = DashboardBuild | DashboardNotServed;

/** A build refused whole, with the line logged at start and the message its 404s carry. */
class DashboardRefused extends Error {
  override readonly name = 'DashboardRefused';
  constructor(reason: string, readonly answer = UNREADABLE_MESSAGE) {
    super(reason);
  }
}

interface PlannedFile {
  readonly path: string;
  readonly type: DashboardContentType;
  readonly size: number;
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** The file's size when it is a regular file (a link to one included); null when absent. */
async function fileSize(path: string): Promise<number | null> {
  try {
    const found = await stat(path);
    if (!found.isFile()) throw new DashboardRefused(`${path} is not a file`);
    return found.size;
  } catch (error) {
    if (isMissing(error)) return null;
    throw error;
  }
}

/** The files of assets/ the gateway serves (by name), and the names it leaves out (maps, folders, other kinds). */
async function planAssets(dir: string): Promise<{ planned: Map<string, PlannedFile>; skipped: string[] }> {
  const planned = new Map<string, PlannedFile>();
  const skipped: string[] = [];
  let entries;
  try {
    entries = await opendir(dir);
  } catch (error) {
    if (isMissing(error)) return { planned, skipped };
    throw error;
  }
  let seen = 0;
  for await (const entry of entries) {
    if (++seen > MAX_ASSET_ENTRIES) throw new DashboardRefused(`${dir} holds more than ${MAX_ASSET_ENTRIES} entries`);
    const type = dashboardContentType(entry.name);
    const path = join(dir, entry.name);
    const found = type && (entry.isFile() || entry.isSymbolicLink()) ? await stat(path) : null;
    if (!type || !found?.isFile()) {
      skipped.push(entry.name);
      continue;
    }
    planned.set(entry.name, { path, type, size: found.size });
  }
  return { planned, skipped };
}

async function loadFile(file: PlannedFile): Promise<DashboardFile> {
  return dashboardFile(file.type, await readFile(file.path));
}

/** The build's manifest of documents; a malformed one is logged and left out, so the page still loads. */
function parseManifest(path: string, text: string, logger: Logger): TrustedDocuments | null {
  try {
    return parseTrustedDocuments(text, path);
  } catch (error) {
    logger.warn({ err: error, path }, "dashboard: its trusted documents are malformed and not trusted; the dashboard's queries will be refused");
    return null;
  }
}

async function loadBuild(dir: string, logger: Logger): Promise<Dashboard> {
  const indexPath = join(dir, INDEX_FILE);
  const indexSize = await fileSize(indexPath);
  if (indexSize === null) {
    logger.warn({ dir }, `dashboard: not built (no ${INDEX_FILE}); /dashboard answers 404 until \`npm run build\``);
    return { built: false, message: NOT_BUILT_MESSAGE };
  }
  const manifestPath = join(dir, MANIFEST_FILE);
  const manifestSize = await fileSize(manifestPath);
  const { planned, skipped } = await planAssets(join(dir, ASSETS_DIR));
  if (skipped.length > 0) logger.warn({ dir, skipped: skipped.slice(0, 20) }, `dashboard: ${skipped.length} entries of assets/ are not served (folders, source maps or other kinds)`);
  const total = indexSize + (manifestSize ?? 0) + [...planned.values()].reduce((sum, file) => sum + file.size, 0);
  if (total > DASHBOARD_MAX_BYTES) {
    throw new DashboardRefused(`the build in ${dir} holds ${total} bytes, over the ${DASHBOARD_MAX_BYTES} the gateway reads`, `The dashboard's build is larger than the ${DASHBOARD_MAX_BYTES / 1024 / 1024} MiB the gateway serves; the gateway's log at start names its folder.`);
  }
  const index = await loadFile({ path: indexPath, type: dashboardContentType(INDEX_FILE)!, size: indexSize });
  const assets = new Map(await Promise.all([...planned].map(async ([name, file]) => [name, await loadFile(file)] as const)));
  const trustedDocuments = manifestSize === null ? null : parseManifest(manifestPath, await readFile(manifestPath, 'utf8'), logger);
  logger.info({ dir, files: assets.size + 1, bytes: total, trustedDocuments: trustedDocuments?.byId.size ?? 0 }, 'dashboard: serving its build at /dashboard/');
  return { built: true, index, assets, trustedDocuments };
}

/**
 * Reads the dashboard's build once, at start: the page, every servable file of assets/ with its encodings, and
 * trusted-documents.json. Nothing is read later, and no path is ever built from a request's URL. A build that is
 * missing, too large or unreadable leaves the gateway running, its dashboard paths answering 404 with the reason.
 */
export async function loadDashboard(dir: string, logger: Logger): Promise<Dashboard> {
  try {
    return await loadBuild(dir, logger);
  } catch (error) {
    logger.warn({ err: error, dir }, 'dashboard: build not loaded; /dashboard answers 404');
    return { built: false, message: error instanceof DashboardRefused ? error.answer : UNREADABLE_MESSAGE };
  }
}
