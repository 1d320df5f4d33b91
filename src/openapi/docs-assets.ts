import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export const DOCS_PAGE_PATH = '/api/v1/docs';
export const DOCS_ASSETS_PATH = '/api/v1/docs/assets';

const CSS = 'text/css; charset=utf-8';
const JS = 'text/javascript; charset=utf-8';
const PNG = 'image/png';

/** The files of swagger-ui-dist the page uses, and nothing else of that folder. */
const DIST_FILES: Readonly<Record<string, string>> = {
  'swagger-ui.css': CSS,
  'swagger-ui-bundle.js': JS,
  'favicon-32x32.png': PNG,
  'favicon-16x16.png': PNG,
};

/** The page's own script: a file rather than inline, so that the page's CSP allows no inline script. */
export const DOCS_INIT_FILE = 'docs-init.js';
const DOCS_INIT = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: 'openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    // Swagger UI would otherwise send the document to a validator on the internet.
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
  });
});
`;

export const DOCS_ASSET_FILES: readonly string[] = Object.freeze([...Object.keys(DIST_FILES), DOCS_INIT_FILE]);

export interface DocsAsset {
  readonly name: string;
  readonly contentType: string;
  readonly content: Buffer;
  /** A hash of the content: the page asks for `?v=<version>`, which may then be cached for good. */
  readonly version: string;
}

function asset(name: string, contentType: string, content: Buffer): DocsAsset {
  return { name, contentType, content, version: createHash('sha256').update(content).digest('hex').slice(0, 16) };
}

async function loadAll(): Promise<ReadonlyMap<string, DocsAsset>> {
  const dist = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  const loaded = await Promise.all(
    Object.entries(DIST_FILES).map(async ([name, type]) => asset(name, type, await readFile(join(dist, name)))),
  );
  loaded.push(asset(DOCS_INIT_FILE, JS, Buffer.from(DOCS_INIT)));
  return new Map(loaded.map((a) => [a.name, a]));
}

let assets: Promise<ReadonlyMap<string, DocsAsset>> | null = null;

/** Read from node_modules once, on first use; a failed read is retried on the next request. */
export function docsAssets(): Promise<ReadonlyMap<string, DocsAsset>> {
  assets ??= loadAll().catch((error: unknown) => {
    assets = null;
    throw error;
  });
  return assets;
}
