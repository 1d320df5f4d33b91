// Trusted documents (issue 16 item 4): a manifest of documents by id (TRENCHCOAT_TRUSTED_DOCUMENTS, the shape GraphQL
// Codegen's client preset writes), and a mode (TRENCHCOAT_TRUSTED_DOCUMENTS_ONLY) in which a key runs nothing else,
// on the fast path (plain JSON queries) as on Yoga's.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { defaultConfig, loadConfig } from '../src/config.js';
import { startGateway } from '../src/gateway.js';
import { tryFastQuery } from '../src/graphql/fast-query.js';
import { readTrustedDocuments } from '../src/graphql/persisted/trusted-documents.js';
import { createGatewayYoga } from '../src/graphql/yoga.js';
import { createLogger } from '../src/log/logger.js';
import { TEST_ENGINE } from './support/test-database.js';
import { SESSION_A, startTestGateway, type GraphQLBody, type TestGateway } from './support/test-gateway.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

const TOTAL = 'query Total { sessions { total } }';
const INGEST = 'mutation Ingest($e: [EventInput!]!) { ingestEvents(events: $e) { accepted } }';
const OTHER = 'query Other { sessions { total limit } }';
const MANIFEST = { [sha256(TOTAL)]: TOTAL, 'ingest-v1': INGEST };

interface Answer {
  status: number;
  body: GraphQLBody;
}

type Via = 'fast path' | "Yoga's path";

/**
 * A POST as a client sends it. `application/json` with only `query` (and variables) is the shape the fast path takes;
 * the same body as `application/graphql+json` always goes through Yoga.
 */
async function post(url: string, body: Record<string, unknown>, key: string | null, via: Via = 'fast path'): Promise<Answer> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': via === 'fast path' ? 'application/json' : 'application/graphql+json',
      accept: 'application/json',
      ...(key ? { 'x-api-key': key } : {}),
    },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as GraphQLBody };
}

async function get(url: string, params: Record<string, string>, key: string | null): Promise<Answer> {
  const response = await fetch(`${url}/graphql?${new URLSearchParams(params)}`, { headers: { accept: 'application/json', ...(key ? { 'x-api-key': key } : {}) } });
  return { status: response.status, body: (await response.json()) as GraphQLBody };
}

function expectUntrusted(answer: Answer): void {
  expect(answer.status).toBe(400);
  expect(answer.body.data).toBeUndefined();
  expect(answer.body.errors?.[0]?.extensions?.['code']).toBe('UNTRUSTED_DOCUMENT');
}

const byHash = (document: string) => ({ extensions: { persistedQuery: { version: 1, sha256Hash: sha256(document) } } });
const ingestVariables = (at: string) => ({ e: [{ eventType: 'session_start', sessionId: SESSION_A, timestamp: at }] });

describe('trusted documents only (TRENCHCOAT_TRUSTED_DOCUMENTS_ONLY)', () => {
  let dir: string;
  let manifest: string;
  let t: TestGateway;
  let key: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'trenchcoat-trusted-'));
    manifest = join(dir, 'persisted-documents.json');
    writeFileSync(manifest, JSON.stringify(MANIFEST));
    t = await startTestGateway({ env: { TRENCHCOAT_TRUSTED_DOCUMENTS: manifest, TRENCHCOAT_TRUSTED_DOCUMENTS_ONLY: 'true' } });
    key = await t.key();
  });
  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs a manifest document by its sha256 hash (POST and GET) and by documentId (POST and GET)', async () => {
    expect(await post(t.url, { documentId: 'ingest-v1', variables: ingestVariables('2026-11-29T08:00:00Z') }, key))
      .toEqual({ status: 200, body: { data: { ingestEvents: { accepted: 1 } } } });
    const total = { status: 200, body: { data: { sessions: { total: 1 } } } };
    expect(await post(t.url, byHash(TOTAL), key)).toEqual(total);
    expect(await get(t.url, { extensions: JSON.stringify(byHash(TOTAL).extensions) }, key)).toEqual(total);
    expect(await post(t.url, { documentId: sha256(TOTAL) }, key)).toEqual(total);
    expect(await get(t.url, { documentId: sha256(TOTAL) }, key)).toEqual(total);
  });

  it.each<Via>(['fast path', "Yoga's path"])('refuses a key a query of its own with 400 UNTRUSTED_DOCUMENT on the %s', async (via) => {
    expectUntrusted(await post(t.url, { query: OTHER }, key, via));
    expectUntrusted(await post(t.url, { query: '{ __typename }' }, key, via));
  });

  it('refuses a key a query of its own over GET', async () => {
    expectUntrusted(await get(t.url, { query: OTHER }, key));
  });

  it('runs the exact text of a manifest document, on the fast path and Yoga\'s', async () => {
    for (const via of ['fast path', "Yoga's path"] as const) {
      expect((await post(t.url, { query: TOTAL }, key, via)).body.data, via).toEqual({ sessions: { total: expect.any(Number) } });
    }
  });

  it('the fast path declines a document the manifest does not hold, before anything runs, and serves one it holds', async () => {
    const yoga = createGatewayYoga({
      services: t.gateway.services, introspection: true, limits: defaultConfig().graphqlLimits,
      trustedDocuments: { documents: readTrustedDocuments(manifest), only: true },
    });
    const principal = await t.gateway.keys.authenticate(key);
    const fast = (query: string) =>
      tryFastQuery(yoga, { 'content-type': 'application/json', 'x-api-key': key }, Buffer.from(JSON.stringify({ query })), { requestId: 'trusted-test', principal });
    expect(await fast(OTHER)).toBeNull();
    const served = await fast(TOTAL);
    expect(served?.status).toBe(200);
    expect(JSON.parse(served!.body).data.sessions.total).toEqual(expect.any(Number));
  });

  it('refuses a mutation that is not in the manifest, and nothing is stored', async () => {
    const before = (await post(t.url, byHash(TOTAL), key)).body.data?.['sessions'].total;
    const mutation = 'mutation($e: [EventInput!]!) { ingestEvents(events: $e) { accepted duplicates } }';
    expectUntrusted(await post(t.url, { query: mutation, variables: { e: [{ eventType: 'session_start', sessionId: '6ba7b810-9dad-11d1-80b4-00c04fd430c8', timestamp: '2026-11-29T09:00:00Z' }] } }, key));
    expect((await post(t.url, byHash(TOTAL), key)).body.data?.['sessions'].total).toBe(before);
  });

  it('refuses ids the manifest does not have, and a key cannot register documents through automatic persisted queries', async () => {
    expectUntrusted(await post(t.url, { documentId: 'nope' }, key));
    expectUntrusted(await post(t.url, byHash(OTHER), key));
    expectUntrusted(await post(t.url, { query: OTHER, ...byHash(OTHER) }, key));
    const after = await post(t.url, byHash(OTHER), null);
    expect(after.body.errors?.[0]?.extensions?.['code']).toBe('PERSISTED_QUERY_NOT_FOUND');
  });

  it('refuses a query sent with the id of another document (400 VALIDATION_ERROR)', async () => {
    const answer = await post(t.url, { query: OTHER, documentId: sha256(TOTAL) }, key);
    expect(answer.status).toBe(400);
    expect(answer.body.errors?.[0]?.extensions?.['code']).toBe('VALIDATION_ERROR');
  });

  it('holds over GraphQL over WebSocket too: a key runs a manifest text there and nothing else', async () => {
    const client = createClient({ url: `${t.url.replace(/^http/, 'ws')}/graphql`, connectionParams: { 'x-api-key': key }, webSocketImpl: WebSocket, retryAttempts: 0 });
    const run = (query: string) =>
      new Promise<unknown>((resolve) => {
        const results: unknown[] = [];
        client.subscribe({ query }, { next: (value) => results.push(value), error: (error) => resolve({ error }), complete: () => resolve(results) });
      });
    try {
      expect(await run(TOTAL)).toEqual([{ data: { sessions: { total: expect.any(Number) } } }]);
      const refused = (await run(OTHER)) as { error: { extensions?: { code?: string } }[] };
      expect(refused.error[0]?.extensions?.code).toBe('UNTRUSTED_DOCUMENT');
    } finally {
      await client.dispose();
    }
  });

  it('lets a caller without a key introspect (GraphiQL) and answers its data fields UNAUTHENTICATED, as without the mode', async () => {
    for (const via of ['fast path', "Yoga's path"] as const) {
      expect(await post(t.url, { query: '{ __schema { queryType { name } } }' }, null, via)).toEqual({ status: 200, body: { data: { __schema: { queryType: { name: 'Query' } } } } });
      const data = await post(t.url, { query: OTHER }, null, via);
      expect(data.status, via).toBe(401);
      expect(data.body.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    }
  });
});

describe('a manifest without the only mode', () => {
  let dir: string;
  let t: TestGateway;
  let key: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'trenchcoat-trusted-'));
    const manifest = join(dir, 'persisted-documents.json');
    writeFileSync(manifest, JSON.stringify(MANIFEST));
    t = await startTestGateway({ env: { TRENCHCOAT_TRUSTED_DOCUMENTS: manifest } });
    key = await t.key();
  });
  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs manifest documents by id and any other document a key sends', async () => {
    expect(await post(t.url, { documentId: sha256(TOTAL) }, key)).toEqual({ status: 200, body: { data: { sessions: { total: 0 } } } });
    expect(await post(t.url, { query: OTHER }, key)).toEqual({ status: 200, body: { data: { sessions: { total: 0, limit: 50 } } } });
  });

  it('refuses an unknown documentId (400 UNTRUSTED_DOCUMENT) and leaves an unknown hash to automatic persisted queries', async () => {
    expectUntrusted(await post(t.url, { documentId: 'nope' }, key));
    expect((await post(t.url, byHash(OTHER), key)).body.errors?.[0]?.extensions?.['code']).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect((await post(t.url, { query: OTHER, ...byHash(OTHER) }, key)).status).toBe(200);
    expect((await post(t.url, byHash(OTHER), key)).body.data).toEqual({ sessions: { total: 0, limit: 50 } });
  });
});

describe.skipIf(TEST_ENGINE !== 'sqlite')('trusted documents settings', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'trenchcoat-trusted-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('does not start the only mode with no trusted document at all (no manifest, the dashboard off), naming the settings', async () => {
    const config = loadConfig({ port: '0', host: '127.0.0.1', db: join(dir, 'only-mode.db') }, { TRENCHCOAT_TRUSTED_DOCUMENTS_ONLY: 'true', TRENCHCOAT_DASHBOARD: 'off' });
    await expect(startGateway(config, { logger: createLogger('silent') })).rejects.toThrow(/TRENCHCOAT_TRUSTED_DOCUMENTS_ONLY=true needs trusted documents/);
  });

  it.each([
    ['is missing', null, /ENOENT/],
    ['is not JSON', 'nope', /JSON/],
    ['is a list', '["{ a }"]', /one JSON object/],
    ['maps an id to something other than a document', '{"a": 1}', /"a" must be a non-empty id with a document text/],
  ])('does not start when the manifest %s, naming the file', async (_name, content, reason) => {
    const path = join(dir, `manifest-${Math.random().toString(36).slice(2)}.json`);
    if (content !== null) writeFileSync(path, content);
    const config = loadConfig({ port: '0', host: '127.0.0.1', db: join(dir, 'gateway.db') }, { TRENCHCOAT_TRUSTED_DOCUMENTS: path });
    const started = startGateway(config, { logger: createLogger('silent') });
    await expect(started).rejects.toThrow(`cannot read the trusted documents manifest ${path}`);
    await expect(started).rejects.toThrow(reason);
  });
});
