import { request } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { renderGraphiQL as yogaCdnGraphiQL } from 'graphql-yoga';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { event, SESSION_A, startTestGateway, type TestGateway } from './support/test-gateway.js';

// `GET /graphql` from a browser serves GraphiQL, with a ready example query and a note on
// where to put the key; the GraphiQL page needs no key.

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';

interface RenderedOptions {
  title: string;
  defaultQuery: string;
  headers: string;
  shouldPersistHeaders: boolean;
}

/** The options GraphiQL is started with, at the end of the page (the bundle before them has its own `"headers":`). */
function optionsOf(html: string): RenderedOptions {
  const match = /YogaGraphiQL\.renderYogaGraphiQL\(\s*window\.document\.querySelector\('#root'\),\s*(\{.*\}),?\s*\)/.exec(html);
  expect(match, 'the page starts GraphiQL with its options').not.toBeNull();
  return JSON.parse(match![1]!) as RenderedOptions;
}

const defaultQueryOf = (html: string): string => optionsOf(html).defaultQuery;

/** Every absolute URL the page loads by itself: `<script src>`, `<link href>` and CSS `@import` / `url(…)`. */
function loadedUrls(html: string): string[] {
  const urls: string[] = [];
  for (const [tag] of html.matchAll(/<(?:script|link)\b[^>]*>/gi)) {
    for (const attribute of tag.matchAll(/\b(?:src|href)\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)/gi)) {
      urls.push(attribute[1]!.replace(/^["']|["']$/g, ''));
    }
  }
  for (const css of html.matchAll(/(?:@import\s+|url\(\s*)["']?((?:https?:)?\/\/[^"')\s]+)/gi)) urls.push(css[1]!);
  return urls;
}

function externalHosts(html: string, ownUrl: string): string[] {
  const own = new URL(ownUrl).host;
  return loadedUrls(html)
    .filter((url) => /^(https?:)?\/\//i.test(url))
    .map((url) => new URL(url, ownUrl).host)
    .filter((host) => host !== own);
}

/** A raw GET, so that the bytes on the wire (compressed or not) are seen as sent. */
function rawGet(url: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}

describe('GraphiQL page', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway();
  });
  afterAll(() => t.close());

  it.each([
    ['Accept: text/html', 'text/html'],
    ['a browser Accept header', BROWSER_ACCEPT],
  ])('is served without a key for %s', async (_name, accept) => {
    const response = await fetch(`${t.url}/graphql`, { headers: { accept } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('x-request-id')).toBeTruthy();
    const html = await response.text();
    expect(html).toMatch(/graphiql/i);
    expect(html).toContain('X-API-Key');
  });

  it('shows a ready example `sessions` query and the X-API-Key hint', async () => {
    const html = await (await fetch(`${t.url}/graphql`, { headers: { accept: 'text/html' } })).text();
    const query = defaultQueryOf(html);
    expect(query).toMatch(/\bsessions\s*(\(|\{)/);
    expect(query).toContain('X-API-Key');
    const options = optionsOf(html);
    expect(options.title).toBe('Trenchcoat gateway');
    expect(JSON.parse(options.headers)).toEqual({ 'X-API-Key': 'paste your ct_live_ key here' });
    expect(options.shouldPersistHeaders).toBe(true);
  });

  it('has an example query that runs as is once a key is pasted', async () => {
    const key = await t.key();
    await t.post('/api/v1/events', { events: [event('session_start', SESSION_A, '2024-01-15T10:30:00Z')] }, key);
    const html = await (await fetch(`${t.url}/graphql`, { headers: { accept: 'text/html' } })).text();
    const { status, body } = await t.graphql(defaultQueryOf(html), {}, key);
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data!['sessions'].nodes.map((n: { id: string }) => n.id)).toEqual([SESSION_A]);
    // Without a key the same query fails with UNAUTHENTICATED, not a validation error.
    const anonymous = await t.graphql(defaultQueryOf(html), {}, null);
    expect(anonymous.body.errors?.map((e) => e.extensions?.['code'])).toEqual(['UNAUTHENTICATED']);
  });

  it('loads nothing from another host: scripts, styles and editor workers are inline', async () => {
    const html = await (await fetch(`${t.url}/graphql`, { headers: { accept: 'text/html' } })).text();
    expect(loadedUrls(html).length, 'the page has tags with URLs (its icon)').toBeGreaterThan(0);
    expect(externalHosts(html, t.url)).toEqual([]);
    // The check above does catch a CDN page: Yoga's own default loads GraphiQL from unpkg.
    expect(externalHosts(yogaCdnGraphiQL({}), t.url)).toContain('unpkg.com');
  });

  it('is sent gzipped when the browser accepts it, with an ETag that makes a reload a 304', async () => {
    const plain = await rawGet(`${t.url}/graphql`, { accept: 'text/html' });
    expect(plain.status).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers['cache-control']).toBe('no-cache');
    expect(plain.headers['vary']).toMatch(/accept-encoding/i);
    const etag = plain.headers['etag'] as string;
    expect(etag).toBeTruthy();

    const zipped = await rawGet(`${t.url}/graphql`, { accept: 'text/html', 'accept-encoding': 'gzip, deflate, br' });
    expect(zipped.status).toBe(200);
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers['etag']).toBe(etag);
    expect(zipped.body.length).toBeLessThan(plain.body.length / 2);
    expect(gunzipSync(zipped.body).equals(plain.body)).toBe(true);

    const refused = await rawGet(`${t.url}/graphql`, { accept: 'text/html', 'accept-encoding': 'gzip;q=0, identity' });
    expect(refused.headers['content-encoding']).toBeUndefined();
    expect(refused.body.equals(plain.body)).toBe(true);

    const again = await rawGet(`${t.url}/graphql`, { accept: 'text/html', 'accept-encoding': 'gzip', 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    expect(again.headers['x-request-id']).toBeTruthy();
    const stale = await rawGet(`${t.url}/graphql`, { accept: 'text/html', 'if-none-match': 'W/"something-else"' });
    expect(stale.status).toBe(200);
  });

  it('is not served to a JSON client: GET /graphql with a query and Accept: application/json runs it', async () => {
    const response = await fetch(`${t.url}/graphql?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { accept: 'application/json' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/json/);
    expect(await response.json()).toEqual({ data: { __typename: 'Query' } });
  });
});
