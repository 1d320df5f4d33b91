// The gateway serves the dashboard's build (issue 18): `/` redirects to /dashboard/, every path under it is the
// single-page app's page (a strict CSP: no inline script or style, no framing), /dashboard/assets/ holds its
// content-hashed files (cached for good, compressed once at start) and nothing else, and the build's
// trusted-documents.json joins the documents a key may run by id. Each gateway here gets a build of its own in a
// temporary folder, in the shape `npm run build` writes (TRENCHCOAT_DASHBOARD_DIR).
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { DASHBOARD_MAX_BYTES } from '../src/dashboard/dashboard-files.js';
import { startGateway, type RunningGateway } from '../src/gateway.js';
import { createLogger } from '../src/log/logger.js';
import { StartupError } from '../src/startup-error.js';
import { expectErrorEnvelope } from './support/rest-read-helpers.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';
import { startTestGateway, type TestGateway } from './support/test-gateway.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

const TOTAL = 'query DashboardTotal { sessions { total } }';
const OWN = 'query OwnLimit { sessions { limit } }';
const OTHER = 'query Other { sessions { total limit } }';

const JS = 'app-3FJ2KQ7A.js';
const CSS = 'app-5KD8XJ2Q.css';
const SVG = 'logo-7QW2ZK4M.svg';
const PNG = 'icon-2BX9PL3D.png';
const MAP = 'app-3FJ2KQ7A.js.map';

const INDEX = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Trenchcoat</title>
<link rel="stylesheet" href="/dashboard/assets/${CSS}">
<script type="module" src="/dashboard/assets/${JS}"></script>
</head>
<body>
<noscript>${'The dashboard needs JavaScript. '.repeat(40)}</noscript>
<div id="app"></div>
</body>
</html>
`;

/** The build's files: text large enough to be compressed, and a PNG that never is. */
const ASSETS: Readonly<Record<string, Buffer>> = {
  [JS]: Buffer.from(Array.from({ length: 300 }, (_, i) => `rows.push({ id: ${i}, label: "session ${i}" });\n`).join('')),
  [CSS]: Buffer.from(Array.from({ length: 200 }, (_, i) => `.row-${i} { padding: ${i}px; }\n`).join('')),
  [SVG]: Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100">${'<rect x="1" y="1" width="10" height="10" fill="#333"/>'.repeat(60)}</svg>`),
  [PNG]: randomBytes(2000),
};

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  [JS]: 'text/javascript; charset=utf-8',
  [CSS]: 'text/css; charset=utf-8',
  [SVG]: 'image/svg+xml',
  [PNG]: 'image/png',
};

const PAGE_CSP = [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "connect-src 'self'", "font-src 'self'",
  "manifest-src 'self'", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
].join('; ');

const IMMUTABLE = 'public, max-age=31536000, immutable';

/** Accept-Encoding → the coding an asset comes in. */
const EXPECTED_CODING = new Map<string, string | undefined>([['br', 'br'], ['gzip', 'gzip'], ['identity', undefined], ['gzip;q=0.5, br;q=0.9', 'br'], ['', undefined]]);

const SESSION_PATH = '/dashboard/sessions/550e8400-e29b-41d4-a716-446655440000?range=7d';
const PAGE_PATHS = ['/dashboard', '/dashboard/', SESSION_PATH, '/dashboard/keys/', '/dashboard/assets-overview'];

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A folder with these files (paths relative to it), removed after the spec. */
function folderWith(files: Readonly<Record<string, string | Buffer>>): string {
  const dir = mkdtempSync(join(tmpdir(), 'trenchcoat-dashboard-'));
  dirs.push(dir);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

/** A whole build as `npm run build` writes it, with a source map it does not ship, and `extra` files. */
function buildWith(extra: Readonly<Record<string, string | Buffer>> = {}): string {
  const assets = Object.fromEntries(Object.entries(ASSETS).map(([name, content]) => [`assets/${name}`, content]));
  return folderWith({
    'index.html': INDEX,
    ...assets,
    [`assets/${MAP}`]: '{"version":3,"sources":["../../dashboard/src/main.tsx"],"mappings":""}',
    'trusted-documents.json': JSON.stringify({ [sha256(TOTAL)]: TOTAL }),
    ...extra,
  });
}

const dashboardOn = (dir: string, env: Record<string, string> = {}) => ({ TRENCHCOAT_DASHBOARD: 'on', TRENCHCOAT_DASHBOARD_DIR: dir, ...env });

interface Raw {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** One request with its target sent exactly as given (fetch and URL would resolve `..`), the body as sent. */
function raw(base: string, target: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Raw> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    request({ host: hostname, port, path: target, method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}

function decoded(answer: Raw): Buffer {
  const coding = answer.headers['content-encoding'];
  if (coding === 'br') return brotliDecompressSync(answer.body);
  if (coding === 'gzip') return gunzipSync(answer.body);
  expect(coding).toBeUndefined();
  return answer.body;
}

function varyNames(headers: IncomingHttpHeaders): string[] {
  return String(headers['vary'] ?? '').split(',').map((name) => name.trim().toLowerCase()).filter((name) => name !== '');
}

function expectNotFound(answer: Raw, message?: string | RegExp): void {
  expect(answer.status).toBe(404);
  const body: unknown = JSON.parse(answer.body.toString('utf8'));
  expectErrorEnvelope(body, 'NOT_FOUND');
  if (message !== undefined) expect((body as { error: { message: string } }).error.message).toMatch(message);
}

type Answer = { status: number; body: { data?: unknown; errors?: { extensions?: { code?: string } }[] } };

async function runById(url: string, documentId: string, key: string): Promise<Answer> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', 'x-api-key': key },
    body: JSON.stringify({ documentId, variables: {} }),
  });
  return { status: response.status, body: (await response.json()) as Answer['body'] };
}

async function runQuery(url: string, query: string, key: string): Promise<Answer> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', 'x-api-key': key },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, body: (await response.json()) as Answer['body'] };
}

function expectUntrusted(answer: Answer): void {
  expect(answer.status).toBe(400);
  expect(answer.body.data).toBeUndefined();
  expect(answer.body.errors?.[0]?.extensions?.code).toBe('UNTRUSTED_DOCUMENT');
}

const ORIGIN = 'https://dash.example';

describe('a built dashboard', () => {
  let t: TestGateway;
  beforeAll(async () => {
    // A listed origin: CORS adds Vary: Origin, which the assets' Vary: Accept-Encoding must keep.
    t = await startTestGateway({ env: dashboardOn(buildWith(), { TRENCHCOAT_CORS_ORIGINS: ORIGIN }) });
  });
  afterAll(() => t.close());

  it('redirects / to /dashboard/ (GET and HEAD)', async () => {
    for (const method of ['GET', 'HEAD']) {
      const answer = await raw(t.url, '/', {}, method);
      expect(answer.status, method).toBe(302);
      expect(answer.headers['location'], method).toBe('/dashboard/');
    }
  });

  it.each(PAGE_PATHS)('serves the page at %s, with a strict CSP, no framing, sniffing or referrer', async (path) => {
    const answer = await raw(t.url, path);
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(answer.body.toString('utf8')).toBe(INDEX);
    expect(answer.headers['cache-control']).toBe('public, no-cache');
    expect(answer.headers['etag']).toMatch(/^"[^"]+"$/);
    expect(answer.headers['content-security-policy']).toBe(PAGE_CSP);
    expect(answer.headers['x-frame-options']).toBe('DENY');
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
    expect(answer.headers['referrer-policy']).toBe('no-referrer');
  });

  it('sends the page in br or gzip as accepted, the same bytes, and 304 on its ETag', async () => {
    const plain = await raw(t.url, SESSION_PATH);
    for (const coding of ['br', 'gzip']) {
      const encoded = await raw(t.url, SESSION_PATH, { 'accept-encoding': coding });
      expect(encoded.headers['content-encoding'], coding).toBe(coding);
      expect(decoded(encoded).equals(plain.body), coding).toBe(true);
      expect(encoded.headers['content-security-policy'], coding).toBe(PAGE_CSP);
    }
    const again = await raw(t.url, '/dashboard/', { 'if-none-match': String(plain.headers['etag']) });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    expect(again.headers['cache-control']).toBe('public, no-cache');
  });

  it.each([JS, CSS, SVG])('serves %s with its type, cached for good; br, gzip and identity decode to the same bytes', async (name) => {
    const plainTag = String((await raw(t.url, `/dashboard/assets/${name}`)).headers['etag']);
    expect(plainTag).toMatch(/^"[^"]+"$/);
    for (const accept of EXPECTED_CODING.keys()) {
      const answer = await raw(t.url, `/dashboard/assets/${name}`, accept === '' ? {} : { 'accept-encoding': accept });
      const what = `${name}, Accept-Encoding: ${accept}`;
      expect(answer.status, what).toBe(200);
      expect(answer.headers['content-type'], what).toBe(CONTENT_TYPES[name]);
      expect(answer.headers['cache-control'], what).toBe(IMMUTABLE);
      expect(answer.headers['x-content-type-options'], what).toBe('nosniff');
      // One hash of the plain bytes: strong as it is, weak when compressed.
      expect(answer.headers['etag'], what).toBe(answer.headers['content-encoding'] ? `W/${plainTag}` : plainTag);
      expect(varyNames(answer.headers), what).toEqual(expect.arrayContaining(['origin', 'accept-encoding']));
      expect(answer.headers['content-encoding'], what).toBe(EXPECTED_CODING.get(accept));
      expect(Number(answer.headers['content-length']), what).toBe(answer.body.length);
      expect(decoded(answer).equals(ASSETS[name]!), what).toBe(true);
    }
  });

  it('sandboxes an SVG opened at its own address', async () => {
    const answer = await raw(t.url, `/dashboard/assets/${SVG}`);
    expect(answer.headers['content-security-policy']).toMatch(/(^|; )sandbox(;|$)/);
    expect(answer.headers['content-security-policy']).toMatch(/default-src 'none'/);
  });

  it('sends a PNG as it is, whatever the client accepts', async () => {
    const answer = await raw(t.url, `/dashboard/assets/${PNG}`, { 'accept-encoding': 'br, gzip' });
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('image/png');
    expect(answer.headers['content-encoding']).toBeUndefined();
    expect(answer.headers['cache-control']).toBe(IMMUTABLE);
    expect(answer.body.equals(ASSETS[PNG]!)).toBe(true);
  });

  it("answers 304 to If-None-Match with any coding's tag, in each coding, with its caching headers and no body", async () => {
    const codings = ['br', 'gzip', 'identity'];
    const tags = await Promise.all(codings.map(async (accept) => String((await raw(t.url, `/dashboard/assets/${JS}`, { 'accept-encoding': accept })).headers['etag'])));
    expect(tags).toEqual([`W/${tags[2]}`, `W/${tags[2]}`, expect.stringMatching(/^"[^"]+"$/)]);
    for (const [i, accept] of codings.entries()) {
      for (const tag of tags) {
        const again = await raw(t.url, `/dashboard/assets/${JS}`, { 'accept-encoding': accept, 'if-none-match': tag });
        const what = `${accept}, If-None-Match: ${tag}`;
        expect(again.status, what).toBe(304);
        expect(again.body.length, what).toBe(0);
        expect(again.headers['etag'], what).toBe(tags[i]);
        expect(again.headers['cache-control'], what).toBe(IMMUTABLE);
        expect(again.headers['content-encoding'], what).toBeUndefined();
      }
    }
    const changed = await raw(t.url, `/dashboard/assets/${JS}`, { 'if-none-match': '"another"' });
    expect(changed.status).toBe(200);
  });

  it("answers HEAD with the GET's headers and no body", async () => {
    for (const [path, accept] of [[`/dashboard/assets/${CSS}`, 'br'], [`/dashboard/assets/${CSS}`, 'identity'], ['/dashboard/sessions/x', 'gzip']] as const) {
      const get = await raw(t.url, path, { 'accept-encoding': accept });
      const head = await raw(t.url, path, { 'accept-encoding': accept }, 'HEAD');
      expect(head.status, path).toBe(200);
      expect(head.body.length, path).toBe(0);
      for (const name of ['content-type', 'content-length', 'content-encoding', 'etag', 'cache-control', 'vary']) {
        expect(head.headers[name], `${path} ${accept}: ${name}`).toEqual(get.headers[name]);
      }
    }
  });

  it('answers 404 in the REST envelope for a file the build does not have, or does not ship (a source map)', async () => {
    expectNotFound(await raw(t.url, '/dashboard/assets/app-OLDHASH1.js'), /reload/);
    expectNotFound(await raw(t.url, `/dashboard/assets/${MAP}`));
    expectNotFound(await raw(t.url, '/dashboard/assets/'));
    expectNotFound(await raw(t.url, '/dashboard/assets'));
    expectNotFound(await raw(t.url, '/dashboard/assets/index.html'));
    expectNotFound(await raw(t.url, '/dashboard/assets/trusted-documents.json'));
  });

  it('answers 404 to `..`, encoded dots, slashes and backslashes, and to overlong targets', async () => {
    const targets = [
      '/dashboard/assets/../../package.json',
      '/dashboard/assets/..%2f..%2fpackage.json',
      '/dashboard/assets/%2e%2e%2f%2e%2e%2fpackage.json',
      `/dashboard/assets/x%2f..%2f${JS}`,
      '/dashboard/sessions/../keys',
      '/dashboard/..%2f..%2fpackage.json',
      '/dashboard/%2e%2e/%2e%2e/package.json',
      '/dashboard/%5c..%5cpackage.json',
      '/dashboard/sessions%2Fx',
      `/dashboard/${'a'.repeat(600)}`,
      `/dashboard/?q=${'x'.repeat(600)}`,
    ];
    for (const target of targets) {
      const answer = await raw(t.url, target);
      expect(answer.status, target).toBe(404);
      expectErrorEnvelope(JSON.parse(answer.body.toString('utf8')), 'NOT_FOUND');
    }
  });

  it('answers other methods 405 with Allow: GET, HEAD', async () => {
    for (const path of ['/', '/dashboard', '/dashboard/', '/dashboard/sessions/x', `/dashboard/assets/${JS}`, '/dashboard/assets/nope.js']) {
      for (const method of ['POST', 'PUT', 'DELETE']) {
        const answer = await raw(t.url, path, {}, method);
        expect(answer.status, `${method} ${path}`).toBe(405);
        expect(answer.headers['allow'], `${method} ${path}`).toBe('GET, HEAD');
        expectErrorEnvelope(JSON.parse(answer.body.toString('utf8')), 'METHOD_NOT_ALLOWED');
      }
    }
  });

  it('follows the CORS policy like every route', async () => {
    const listed = await raw(t.url, `/dashboard/assets/${JS}`, { origin: ORIGIN });
    expect(listed.headers['access-control-allow-origin']).toBe(ORIGIN);
    const other = await raw(t.url, '/dashboard/', { origin: 'https://elsewhere.example' });
    expect(other.status).toBe(200);
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it("runs the dashboard's documents by id with no setting, and still refuses an unknown id", async () => {
    const key = await t.key();
    expect(await runById(t.url, sha256(TOTAL), key)).toEqual({ status: 200, body: { data: { sessions: { total: 0 } } } });
    expectUntrusted(await runById(t.url, sha256(OTHER), key));
    // Without the only mode, a key still runs documents of its own.
    expect((await runQuery(t.url, OTHER, key)).status).toBe(200);
  });
});

describe("the dashboard's requests count against the keyless budget, like the API description's page", () => {
  let t: TestGateway;
  beforeAll(async () => {
    const clock = Date.UTC(2026, 10, 29, 8, 0, 30);
    t = await startTestGateway({ now: () => clock, env: dashboardOn(buildWith(), { TRENCHCOAT_ANONYMOUS_REQUESTS_PER_MINUTE: '3' }) });
  });
  afterAll(() => t.close());

  it('past the budget, 429 RATE_LIMITED in the REST envelope', async () => {
    expect((await raw(t.url, '/')).status).toBe(302);
    expect((await raw(t.url, '/dashboard/')).status).toBe(200);
    expect((await raw(t.url, `/dashboard/assets/${JS}`)).status).toBe(200);
    const refused = await raw(t.url, `/dashboard/assets/${CSS}`);
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBeDefined();
    expectErrorEnvelope(JSON.parse(refused.body.toString('utf8')), 'RATE_LIMITED');
  });
});

describe("the dashboard's documents under TRENCHCOAT_TRUSTED_DOCUMENTS_ONLY", () => {
  let t: TestGateway;
  let key: string;
  beforeAll(async () => {
    const manifest = join(folderWith({ 'manifest.json': JSON.stringify({ 'own-v1': OWN }) }), 'manifest.json');
    t = await startTestGateway({ env: dashboardOn(buildWith(), { TRENCHCOAT_TRUSTED_DOCUMENTS: manifest, TRENCHCOAT_TRUSTED_DOCUMENTS_ONLY: 'on' }) });
    key = await t.key();
  });
  afterAll(() => t.close());

  it("runs the dashboard's documents and the deployment's, by id, and nothing else", async () => {
    expect(await runById(t.url, sha256(TOTAL), key)).toEqual({ status: 200, body: { data: { sessions: { total: 0 } } } });
    expect(await runById(t.url, 'own-v1', key)).toEqual({ status: 200, body: { data: { sessions: { limit: 50 } } } });
    expectUntrusted(await runQuery(t.url, OTHER, key));
    expectUntrusted(await runById(t.url, sha256(OTHER), key));
  });
});

/**
 * A gateway started on a configuration loadConfig does not make today: the only mode with no manifest of the
 * deployment's. The gateway decides it from the dashboard's build.
 */
describe('the only mode with no manifest but the dashboard’s', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.drop());

  function startOnlyMode(dir: string): Promise<RunningGateway> {
    const config = loadConfig({ port: '0', host: '127.0.0.1', db: database.url }, { ...database.gatewayEnv, ...dashboardOn(dir) });
    return startGateway({ ...config, persisted: { ...config.persisted, trustedOnly: true } }, { logger: createLogger('silent') });
  }

  it("runs the dashboard's documents and refuses a key anything else", async () => {
    const gateway = await startOnlyMode(buildWith());
    try {
      const { key } = await gateway.keys.create({ account: 'acme', scopes: ['read:analytics'], tier: 'unlimited' });
      expect(await runById(gateway.url, sha256(TOTAL), key)).toEqual({ status: 200, body: { data: { sessions: { total: 0 } } } });
      expectUntrusted(await runQuery(gateway.url, OTHER, key));
    } finally {
      await gateway.close();
    }
  });

  it('does not start when no document at all is trusted (a build without trusted-documents.json)', async () => {
    const dir = buildWith();
    rmSync(join(dir, 'trusted-documents.json'));
    const started = startOnlyMode(dir);
    await expect(started).rejects.toThrow(StartupError);
    await expect(started).rejects.toThrow(/TRENCHCOAT_TRUSTED_DOCUMENTS_ONLY/);
  });
});

describe("a malformed trusted-documents.json in the build", () => {
  it.each([['not JSON', '{ "abc": '], ['not documents', JSON.stringify({ [sha256(TOTAL)]: 42 })]])(
    '(%s) is left out: the page is served, the deployment\'s manifest still holds',
    async (_what, text) => {
      const manifest = join(folderWith({ 'manifest.json': JSON.stringify({ 'own-v1': OWN }) }), 'manifest.json');
      const t = await startTestGateway({ env: dashboardOn(buildWith({ 'trusted-documents.json': text }), { TRENCHCOAT_TRUSTED_DOCUMENTS: manifest }) });
      try {
        const key = await t.key();
        expect((await raw(t.url, '/dashboard/')).status).toBe(200);
        expect((await runById(t.url, 'own-v1', key)).status).toBe(200);
        expectUntrusted(await runById(t.url, sha256(TOTAL), key));
      } finally {
        await t.close();
      }
    },
  );
});

describe('TRENCHCOAT_DASHBOARD=off', () => {
  let t: TestGateway;
  beforeAll(async () => {
    const manifest = join(folderWith({ 'manifest.json': JSON.stringify({ 'own-v1': OWN }) }), 'manifest.json');
    t = await startTestGateway({ env: { ...dashboardOn(buildWith()), TRENCHCOAT_DASHBOARD: 'off', TRENCHCOAT_TRUSTED_DOCUMENTS: manifest } });
  });
  afterAll(() => t.close());

  it('leaves `/` and every dashboard path unknown (404)', async () => {
    for (const path of ['/', '/dashboard', '/dashboard/', SESSION_PATH, `/dashboard/assets/${JS}`]) {
      expectNotFound(await raw(t.url, path), /^No route for /);
    }
  });

  it("trusts none of the build's documents", async () => {
    const key = await t.key();
    expectUntrusted(await runById(t.url, sha256(TOTAL), key));
  });
});

describe('a dashboard not built', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({ env: dashboardOn(folderWith({ 'README.txt': 'nothing built here' })) });
  });
  afterAll(() => t.close());

  it('the gateway starts; /dashboard and everything under it answer 404 naming `npm run build`', async () => {
    expect((await raw(t.url, '/healthz')).status).toBe(200);
    for (const path of ['/dashboard', '/dashboard/', SESSION_PATH, `/dashboard/assets/${JS}`]) {
      expectNotFound(await raw(t.url, path), /`npm run build`/);
    }
  });

  it('`/` answers as without a dashboard', async () => {
    expectNotFound(await raw(t.url, '/'), /^No route for \/\.$/);
  });
});

describe('a build larger than the gateway reads', () => {
  let t: TestGateway;
  beforeAll(async () => {
    const dir = buildWith({ 'assets/huge-4MZ8XQ2B.js': Buffer.alloc(DASHBOARD_MAX_BYTES, 0x20) });
    t = await startTestGateway({ env: dashboardOn(dir) });
  });
  afterAll(() => t.close());

  it('is not loaded: the gateway starts and its dashboard paths answer 404 saying why', async () => {
    expect((await raw(t.url, '/healthz')).status).toBe(200);
    expect(DASHBOARD_MAX_BYTES).toBe(8 * 1024 * 1024);
    for (const path of ['/dashboard/', `/dashboard/assets/${JS}`]) expectNotFound(await raw(t.url, path), /8 MiB/);
    expectNotFound(await raw(t.url, '/'), /^No route for /);
  });
});
