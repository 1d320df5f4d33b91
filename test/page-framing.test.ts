// The pages a person opens in a browser, GraphiQL (GET /graphql), the API docs (GET /api/v1/docs) and the dashboard
// (GET /dashboard/ and every app route under it), refuse to be framed by any page (`Content-Security-Policy:
// frame-ancestors 'none'`, and `X-Frame-Options: DENY` for browsers without CSP) and must not be sniffed as another
// type (`X-Content-Type-Options: nosniff`). Both hold whichever way the page is sent: plain, compressed, revalidated
// (304) or as a HEAD. test/graphiql-browser.test.ts shows Chromium refusing to frame them.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './support/test-gateway.js';

let t: TestGateway;
/** A dashboard build of the shape `npm run build` writes: its page and one file. */
let dashboardDir: string;
beforeAll(async () => {
  dashboardDir = mkdtempSync(join(tmpdir(), 'trenchcoat-framing-'));
  mkdirSync(join(dashboardDir, 'assets'));
  writeFileSync(join(dashboardDir, 'index.html'), `<!doctype html><title>Trenchcoat</title><script type="module" src="/dashboard/assets/app-3FJ2KQ7A.js"></script>${'<!-- padding -->'.repeat(100)}`);
  writeFileSync(join(dashboardDir, 'assets', 'app-3FJ2KQ7A.js'), 'document.title = "Trenchcoat";\n');
  t = await startTestGateway({ env: { TRENCHCOAT_DASHBOARD: 'on', TRENCHCOAT_DASHBOARD_DIR: dashboardDir } });
});
afterAll(async () => {
  await t.close();
  rmSync(dashboardDir, { recursive: true, force: true });
});

/** A raw request, so that a 304 or a gzipped body is seen as sent, with its headers as node reads them. */
function rawHeaders(path: string, headers: Record<string, string>, method = 'GET'): Promise<{ status: number; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    request(`${t.url}${path}`, { method, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers }));
      res.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}

function expectNotFramed(headers: Record<string, string | string[] | undefined>, what: string): void {
  const csp = String(headers['content-security-policy'] ?? '');
  expect(csp.split(';').map((directive) => directive.trim()), `${what}: Content-Security-Policy`).toContain("frame-ancestors 'none'");
  expect(headers['x-frame-options'], `${what}: X-Frame-Options`).toBe('DENY');
  expect(headers['x-content-type-options'], `${what}: X-Content-Type-Options`).toBe('nosniff');
}

const BROWSER = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

describe('GraphiQL (GET /graphql from a browser)', () => {
  it('plain, gzipped and revalidated answers all refuse framing', async () => {
    const plain = await rawHeaders('/graphql', BROWSER);
    expect(plain.status).toBe(200);
    expect(plain.headers['content-type']).toMatch(/^text\/html/);
    expectNotFramed(plain.headers, 'plain');

    const zipped = await rawHeaders('/graphql', { ...BROWSER, 'accept-encoding': 'gzip' });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expectNotFramed(zipped.headers, 'gzipped');

    const again = await rawHeaders('/graphql', { ...BROWSER, 'if-none-match': String(plain.headers['etag']) });
    expect(again.status).toBe(304);
    expectNotFramed(again.headers, '304');
  });

  it('with a query string too (the page GraphiQL keeps in the address bar)', async () => {
    const response = await rawHeaders(`/graphql?query=${encodeURIComponent('{ __typename }')}`, BROWSER);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expectNotFramed(response.headers, 'with ?query=');
  });
});

describe('API docs (GET /api/v1/docs)', () => {
  it('GET and HEAD refuse framing', async () => {
    const get = await rawHeaders('/api/v1/docs', BROWSER);
    expect(get.status).toBe(200);
    expectNotFramed(get.headers, 'GET');
    const head = await rawHeaders('/api/v1/docs', BROWSER, 'HEAD');
    expect(head.status).toBe(200);
    expectNotFramed(head.headers, 'HEAD');
  });
});

describe('the dashboard (GET /dashboard/ and its app routes)', () => {
  it.each(['/dashboard', '/dashboard/', '/dashboard/sessions/550e8400-e29b-41d4-a716-446655440000?range=7d'])(
    '%s: plain, gzipped, brotli, revalidated and HEAD answers all refuse framing',
    async (path) => {
      const plain = await rawHeaders(path, BROWSER);
      expect(plain.status).toBe(200);
      expect(plain.headers['content-type']).toMatch(/^text\/html/);
      expectNotFramed(plain.headers, 'plain');
      for (const coding of ['gzip', 'br']) {
        const encoded = await rawHeaders(path, { ...BROWSER, 'accept-encoding': coding });
        expect(encoded.headers['content-encoding']).toBe(coding);
        expectNotFramed(encoded.headers, coding);
      }
      const again = await rawHeaders(path, { ...BROWSER, 'if-none-match': String(plain.headers['etag']) });
      expect(again.status).toBe(304);
      expectNotFramed(again.headers, '304');
      const head = await rawHeaders(path, BROWSER, 'HEAD');
      expect(head.status).toBe(200);
      expectNotFramed(head.headers, 'HEAD');
    },
  );
});
