// The API description (/api/v1/openapi.json and its page /api/v1/docs, no key needed):
// the document is valid OpenAPI 3.1; it names exactly the routes the gateway serves; the gateway's
// real answers, successes and every error an endpoint can give (docs/api.md#errors), conform to it (status,
// required headers, body); and the page loads only files the gateway serves itself.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import formats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPENAPI_DOCUMENT } from '../src/openapi/openapi-document.js';
import { internalError } from '../src/rest/error-envelope.js';
import { restRoutes } from '../src/rest/routes.js';
import { uuidFor } from './support/rest-read-helpers.js';
import { event, startTestGateway, type TestGateway } from './support/test-gateway.js';

const T0 = Date.parse('2024-02-01T00:00:10Z');
const BODY_LIMIT = 4096;
const DOC_ID = 'urn:trenchcoat:openapi';
const JSON_ONLY = /^application\/json(;|$)/;

type Json = any;

// ---------------------------------------------------------------------------------------------
// Reading the document: JSON pointers, $ref, and schemas compiled by ajv (JSON Schema 2020-12).

const doc: Json = JSON.parse(JSON.stringify(OPENAPI_DOCUMENT));

function escapePointer(part: string): string {
  return part.replaceAll('~', '~0').replaceAll('/', '~1');
}

function pointer(...parts: string[]): string {
  return parts.map((p) => `/${escapePointer(p)}`).join('');
}

function walk(ptr: string): Json {
  let value = doc;
  for (const raw of ptr.split('/').slice(1)) {
    const part = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    expect(value, `${ptr} at ${part}`).toBeTypeOf('object');
    value = value[part];
  }
  return value;
}

/** The object at `ptr`, following `$ref`s to components, with the pointer where it was found. */
function follow(ptr: string): { value: Json; at: string } {
  let at = ptr;
  let value = walk(at);
  while (value && typeof value.$ref === 'string') {
    expect(value.$ref, at).toMatch(/^#\//);
    at = value.$ref.slice(1);
    value = walk(at);
  }
  expect(value, ptr).toBeDefined();
  return { value, at };
}

const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true });
formats.default(ajv);
// The document's own keywords are not JSON Schema: known to ajv, ignored.
ajv.addVocabulary(['openapi', 'info', 'tags', 'paths', 'components']);
ajv.addSchema(doc, DOC_ID);

/** The schema at a JSON pointer into the document, compiled (its `$ref`s resolve within the document). */
function schemaAt(ptr: string): ValidateFunction {
  const fragment = ptr.split('/').map(encodeURIComponent).join('/');
  const validate = ajv.getSchema(`${DOC_ID}#${fragment}`);
  expect(validate, ptr).toBeDefined();
  return validate!;
}

function expectValid(validate: ValidateFunction, value: unknown, what: string): void {
  const ok = validate(value);
  expect(ok ? [] : validate.errors, `${what}: ${JSON.stringify(value)?.slice(0, 400)}`).toEqual([]);
}

/** Where a response is described: an operation's status, or a reusable response (404, 405 on any path). */
type Where = { path: string; method: string } | { component: string };

function responseAt(where: Where, status: number): { value: Json; at: string } {
  if ('component' in where) return follow(pointer('components', 'responses', where.component));
  const responses = pointer('paths', where.path, where.method, 'responses');
  const declared = walk(responses);
  expect(Object.keys(declared), `${where.method.toUpperCase()} ${where.path} declares ${status}`).toContain(String(status));
  return follow(`${responses}${pointer(String(status))}`);
}

/** Header values are text; a header declared as an integer must be one. */
function headerValue(text: string, schema: Json): unknown {
  if (schema.type === 'integer') return /^-?[0-9]+$/.test(text) ? Number(text) : text;
  return text;
}

/**
 * Checks a real response against the document: the status, every header the response object
 * declares (present when required, valid when present), the content type and the body.
 */
async function expectConforms(response: Response, where: Where, status: number): Promise<Json> {
  const text = await response.text();
  const label = `${'component' in where ? where.component : `${where.method.toUpperCase()} ${where.path}`} → ${status}`;
  expect(response.status, `${label}: ${text.slice(0, 300)}`).toBe(status);
  const { value: described, at } = responseAt(where, status);
  for (const name of Object.keys(described.headers ?? {})) {
    const { value: header, at: headerAt } = follow(`${at}${pointer('headers', name)}`);
    const actual = response.headers.get(name);
    if (header.required) expect(actual, `${label}: header ${name}`).not.toBeNull();
    if (actual !== null) expectValid(schemaAt(`${headerAt}/schema`), headerValue(actual, header.schema), `${label}: header ${name}`);
  }
  const mediaType = (response.headers.get('content-type') ?? '').split(';')[0]!.trim();
  expect(Object.keys(described.content ?? {}), `${label}: content type`).toContain(mediaType);
  const mediaAt = `${at}${pointer('content', mediaType)}`;
  if (!walk(mediaAt).schema) return text;
  const body = mediaType === 'application/json' ? JSON.parse(text) : text;
  expectValid(schemaAt(`${mediaAt}/schema`), body, `${label}: body`);
  return body;
}

const op = (path: string, method = 'get') => ({ path, method });

// ---------------------------------------------------------------------------------------------

describe('the document', () => {
  it('is valid OpenAPI 3.1', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc));
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('compiles every schema, inline or reusable, under strict JSON Schema 2020-12', () => {
    const found: string[] = Object.keys(doc.components.schemas).map((name) => pointer('components', 'schemas', name));
    /** Schemas of parameters, headers and media types: the `schema` members outside components/schemas. */
    const collect = (value: Json, at: string): void => {
      if (value === null || typeof value !== 'object') return;
      for (const [key, child] of Object.entries<Json>(value)) {
        if (key === 'schema' && child && typeof child === 'object') found.push(`${at}/schema`);
        else collect(child, `${at}${pointer(key)}`);
      }
    };
    collect(doc.paths, '/paths');
    for (const section of ['responses', 'parameters', 'headers']) collect(doc.components[section], pointer('components', section));
    expect(found.length).toBeGreaterThan(60);
    for (const at of found) schemaAt(at);
  });

  it('validates the bodies the contract gives as examples, and rejects keys it does not name', () => {
    const page = schemaAt(pointer('components', 'schemas', 'SessionPage'));
    const session = {
      id: '550e8400-e29b-41d4-a716-446655440000', started_at: '2024-01-15T10:30:00Z', ended_at: null,
      duration_ms: null, event_count: 2, tool_invocations: 1,
    };
    expectValid(page, { data: { sessions: [session], total: 1, limit: 50, offset: 0 } }, 'the README example');
    expect(page({ data: { sessions: [{ ...session, extra: 1 }], total: 1, limit: 50, offset: 0 } })).toBe(false);
    expect(page({ data: { sessions: [{ ...session, started_at: '2024-01-15T10:30:00.000Z' }], total: 1, limit: 50, offset: 0 } })).toBe(false);
    const envelope = schemaAt(pointer('components', 'schemas', 'ValidationError'));
    expectValid(envelope, { error: { code: 'VALIDATION_ERROR', message: 'm', details: [{ field: 'limit', message: 'bad' }] } }, '400');
    expect(envelope({ error: { code: 'VALIDATION_ERROR', message: 'm' } })).toBe(false);
    expect(envelope({ error: { code: 'VALIDATION_ERROR', message: 'm', details: [] } })).toBe(false);
    expect(envelope({ error: { code: 'VALIDATION_ERROR', message: 'm', details: [{ field: 'x', message: 'y' }] }, extra: true })).toBe(false);
  });

  it('describes the 500 body the gateway writes (no request can make one on purpose)', () => {
    expectValid(schemaAt(pointer('components', 'schemas', 'InternalError')), internalError('req.500-x').body, 'internalError');
  });

  it('declares X-Request-Id, required, on every response', () => {
    const responses: string[] = [];
    for (const [path, item] of Object.entries<Json>(doc.paths)) {
      for (const [method, operation] of Object.entries<Json>(item)) {
        for (const status of Object.keys(operation.responses)) responses.push(pointer('paths', path, method, 'responses', status));
      }
    }
    for (const name of Object.keys(doc.components.responses)) responses.push(pointer('components', 'responses', name));
    expect(responses.length).toBeGreaterThan(30);
    for (const at of responses) {
      const { value } = follow(at);
      expect(Object.keys(value.headers ?? {}), at).toContain('X-Request-Id');
      expect(follow(`${follow(at).at}${pointer('headers', 'X-Request-Id')}`).value.required, at).toBe(true);
    }
  });

  it('puts each keyed operation behind X-API-Key or Bearer with its scope, with every error it can give; the rest need no key', () => {
    const keyed: Record<string, string> = {
      'get /api/v1/sessions': 'read:analytics',
      'post /api/v1/events': 'write:events',
      'post /api/v1/hooks/claude-code': 'write:events',
      'get /api/v1/analytics/overview': 'read:analytics',
      'get /api/v1/analytics/tools': 'read:analytics',
      'get /api/v1/analytics/usage': 'read:analytics',
    };
    expect(doc.components.securitySchemes).toEqual({
      ApiKey: expect.objectContaining({ type: 'apiKey', in: 'header', name: 'X-API-Key' }),
      Bearer: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
    });
    for (const [path, item] of Object.entries<Json>(doc.paths)) {
      for (const [method, operation] of Object.entries<Json>(item)) {
        const scope = keyed[`${method} ${path}`];
        if (scope === undefined) {
          expect(operation.security, `${method} ${path}`).toEqual([]);
          continue;
        }
        expect(operation.security, `${method} ${path}`).toEqual([{ ApiKey: [scope] }, { Bearer: [scope] }]);
        const statuses = ['200', '400', '401', '403', '429', '500', '503', ...(method === 'post' ? ['413', '415'] : [])];
        expect(Object.keys(operation.responses).sort(), `${method} ${path}`).toEqual(statuses.sort());
        expect(follow(pointer('paths', path, method, 'responses', '403')).value.content['application/json'].schema.$ref).toContain(
          scope === 'read:analytics' ? 'ForbiddenReadAnalytics' : 'ForbiddenWriteEvents',
        );
      }
    }
    expect(Object.values(keyed)).toHaveLength(6);
  });
});

describe('the document and src/rest/routes.ts name the same endpoints', () => {
  const templates = Object.keys(doc.paths).map((path) => ({
    path,
    pattern: new RegExp(`^${path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '[^/]+')}$`),
  }));
  // Routed by the request listener itself, not by the REST routes (checked live below).
  const PROBES = ['/healthz', '/readyz'];

  it('every route is a path of the document, with the same methods', () => {
    for (const route of restRoutes.values()) {
      const matches = templates.filter((t) => t.pattern.test(route.path));
      expect(matches.map((m) => m.path), route.path).toHaveLength(1);
      const documented = Object.keys(doc.paths[matches[0]!.path]).sort();
      expect(Object.keys(route.methods).map((m) => m.toLowerCase()).sort(), route.path).toEqual(documented);
    }
  });

  it('every path of the document is routed', () => {
    const routed = [...restRoutes.keys(), ...PROBES];
    for (const { path, pattern } of templates) {
      expect(routed.filter((r) => pattern.test(r)).length, path).toBeGreaterThan(0);
    }
  });

  it('the docs files routed are exactly the ones the document lists', () => {
    const files = doc.paths['/api/v1/docs/assets/{file}'].get.parameters.find((p: Json) => p.name === 'file').schema.enum;
    const routed = [...restRoutes.keys()].filter((p) => p.startsWith('/api/v1/docs/assets/')).map((p) => p.slice('/api/v1/docs/assets/'.length));
    expect(routed.sort()).toEqual([...files].sort());
  });
});

// ---------------------------------------------------------------------------------------------

describe('real answers conform to the document', () => {
  let t: TestGateway;
  let key: string;
  let readOnly: string;
  let writeOnly: string;

  const A = uuidFor(1);
  const B = uuidFor(2);

  beforeAll(async () => {
    t = await startTestGateway({ now: () => T0, env: { TRENCHCOAT_BODY_LIMIT_BYTES: String(BODY_LIMIT) } });
    key = await t.key();
    readOnly = await t.key({ scopes: ['read:analytics'] });
    writeOnly = await t.key({ scopes: ['write:events'] });
    const stored = await t.post('/api/v1/events', {
      events: [
        event('session_start', A, '2024-01-15T10:30:00Z'),
        event('tool_use', A, '2024-01-15T10:31:00Z', { data: { tool_name: 'Read', tool_use_id: 'toolu_1' } }),
        event('tool_result', A, '2024-01-15T10:31:00.250Z', { data: { tool_name: 'Read', tool_use_id: 'toolu_1', duration_ms: 250, is_error: true } }),
        event('tool_use', A, '2024-01-15T10:32:00Z', { data: { tool_name: 'Bash', tool_use_id: 'toolu_2' } }),
        event('session_end', A, '2024-01-15T11:00:00.123Z'),
        // Open: its latest event is less than 24 hours before now.
        event('session_start', B, '2024-01-31T12:00:00Z'),
      ],
    }, key);
    expect(stored.status).toBe(200);
  });
  afterAll(() => t.close());

  const invalidBody = (path: string) =>
    fetch(`${t.url}${path}`, { method: 'POST', headers: { 'x-api-key': key, 'content-type': 'application/json' }, body: '{"events": [' });
  const oversized = (path: string) => t.post(path, { padding: 'x'.repeat(BODY_LIMIT) }, key);
  const asText = (path: string) => t.post(path, { events: [] }, key, { 'content-type': 'text/plain' });

  describe('GET /api/v1/sessions', () => {
    const at = op('/api/v1/sessions');

    it('200: a page with an open and an ended session; limit above 200 applied as 200', async () => {
      const body = await expectConforms(await t.get('/api/v1/sessions?limit=500', key), at, 200);
      expect(body.data.limit).toBe(200);
      expect(body.data.sessions.map((s: Json) => s.ended_at === null)).toEqual([false, true]);
      expect(body.data.sessions[0].ended_at).toBe('2024-01-15T11:00:00.123Z');
    });

    it('400 with details naming each bad parameter', async () => {
      const body = await expectConforms(await t.get('/api/v1/sessions?limit=0&offset=%2B5&start_date=2024-02-30', key), at, 400);
      expect(body.error.details.map((d: Json) => d.field).sort()).toEqual(['limit', 'offset', 'start_date']);
      await expectConforms(await t.get('/api/v1/sessions?start_date=2024-02-01&end_date=2024-01-01', key), at, 400);
      await expectConforms(await t.get('/api/v1/sessions?limit=1&limit=2', key), at, 400);
    });

    it('401 without a key, or with a bad one (also as Bearer)', async () => {
      await expectConforms(await t.get('/api/v1/sessions', null), at, 401);
      await expectConforms(await t.get('/api/v1/sessions', null, { authorization: 'Bearer nonsense' }), at, 401);
    });

    it('403 for a key without read:analytics', async () => {
      await expectConforms(await t.get('/api/v1/sessions', writeOnly), at, 403);
    });

    it('405 with Allow listing the methods the document gives the path', async () => {
      const response = await fetch(`${t.url}/api/v1/sessions`, { method: 'DELETE', headers: { 'x-api-key': key } });
      await expectConforms(response, { component: 'MethodNotAllowed' }, 405);
      expect(response.headers.get('allow')).toBe('GET, HEAD');
    });
  });

  describe('POST /api/v1/events', () => {
    const at = op('/api/v1/events', 'post');

    it('200: the valid events stored, the invalid one explained', async () => {
      const body = await expectConforms(
        await t.post('/api/v1/events', { events: [event('tool_use', B, '2024-01-31T12:01:00Z'), event('tool_use', 'not-a-uuid', 'yesterday')] }, key),
        at,
        200,
      );
      expect(body.data).toMatchObject({ accepted: 1, rejected: 1 });
      expect(body.data.errors.length).toBeGreaterThan(0);
    });

    it('400 with details: not JSON, an empty batch, too many events', async () => {
      await expectConforms(await invalidBody('/api/v1/events'), at, 400);
      await expectConforms(await t.post('/api/v1/events', { events: [] }, key), at, 400);
      await expectConforms(await t.post('/api/v1/events', [], key), at, 400);
    });

    it('401, 403 (read-only key), 413 (over the body limit)', async () => {
      await expectConforms(await t.post('/api/v1/events', { events: [event('session_start', B, '2024-01-31T12:00:00Z')] }, null), at, 401);
      await expectConforms(await t.post('/api/v1/events', { events: [event('session_start', B, '2024-01-31T12:00:00Z')] }, readOnly), at, 403);
      await expectConforms(await oversized('/api/v1/events'), at, 413);
    });

    it('415 for a body not declared application/json', async () => {
      await expectConforms(await asText('/api/v1/events'), at, 415);
    });

    it('405 for GET', async () => {
      const response = await t.get('/api/v1/events', key);
      await expectConforms(response, { component: 'MethodNotAllowed' }, 405);
      expect(response.headers.get('allow')).toBe('POST');
    });
  });

  describe('POST /api/v1/hooks/claude-code', () => {
    const at = op('/api/v1/hooks/claude-code', 'post');

    it('200 {} for a stored hook event and for one the gateway does not store', async () => {
      await expectConforms(
        await t.post('/api/v1/hooks/claude-code', { session_id: B, hook_event_name: 'PreToolUse', tool_name: 'Grep', tool_input: { pattern: 'x' } }, key),
        at,
        200,
      );
      await expectConforms(await t.post('/api/v1/hooks/claude-code', { session_id: B, hook_event_name: 'SomethingNew' }, key), at, 200);
    });

    it('400 with details: no session_id, no hook_event_name, not JSON', async () => {
      const body = await expectConforms(await t.post('/api/v1/hooks/claude-code', { cwd: '/tmp' }, key), at, 400);
      expect(body.error.details.map((d: Json) => d.field).sort()).toEqual(['hook_event_name', 'session_id']);
      await expectConforms(await invalidBody('/api/v1/hooks/claude-code'), at, 400);
    });

    it('401, 403 (read-only key), 413', async () => {
      await expectConforms(await t.post('/api/v1/hooks/claude-code', { session_id: B, hook_event_name: 'Stop' }, null), at, 401);
      await expectConforms(await t.post('/api/v1/hooks/claude-code', { session_id: B, hook_event_name: 'Stop' }, readOnly), at, 403);
      await expectConforms(await oversized('/api/v1/hooks/claude-code'), at, 413);
    });

    it('415 for a body not declared application/json', async () => {
      await expectConforms(await asText('/api/v1/hooks/claude-code'), at, 415);
    });
  });

  describe('GET /api/v1/analytics/overview and /tools', () => {
    const overview = op('/api/v1/analytics/overview');
    const tools = op('/api/v1/analytics/tools');

    it('200 over the default range and over an empty one', async () => {
      const body = await expectConforms(await t.get('/api/v1/analytics/overview', key), overview, 200);
      expect(body.data.top_tools.length).toBeGreaterThan(0);
      await expectConforms(await t.get('/api/v1/analytics/overview?start_date=2030-01-01', key), overview, 200);
      const report = await expectConforms(await t.get('/api/v1/analytics/tools?limit=999', key), tools, 200);
      // A tool with results and one without (avg_duration_ms null).
      const averages = Object.fromEntries(report.data.tools.map((tool: Json) => [tool.name, tool.avg_duration_ms]));
      expect(averages).toMatchObject({ Read: 250, Bash: null });
      await expectConforms(await t.get('/api/v1/analytics/tools?end_date=2000-01-01', key), tools, 200);
    });

    it('400 with details, 401, 403', async () => {
      await expectConforms(await t.get('/api/v1/analytics/overview?start_date=2024-02-01&end_date=2024-01-01', key), overview, 400);
      await expectConforms(await t.get('/api/v1/analytics/tools?limit=0&end_date=T25:00', key), tools, 400);
      await expectConforms(await t.get('/api/v1/analytics/overview', null), overview, 401);
      await expectConforms(await t.get('/api/v1/analytics/tools', 'ct_live_nonsense'), tools, 401);
      await expectConforms(await t.get('/api/v1/analytics/overview', writeOnly), overview, 403);
      await expectConforms(await t.get('/api/v1/analytics/tools', writeOnly), tools, 403);
    });
  });

  it('429 on every keyed endpoint once a standard key has made 60 requests this minute', async () => {
    const standard = await t.key({ tier: 'standard' });
    for (let i = 1; i <= 60; i++) {
      const response = await t.get('/api/v1/sessions?limit=1', standard);
      // With the RateLimit headers a limited tier adds.
      await expectConforms(response, op('/api/v1/sessions'), 200);
      expect(response.headers.get('ratelimit-remaining'), `request ${i}`).toBe(String(60 - i));
    }
    await expectConforms(await t.get('/api/v1/sessions', standard), op('/api/v1/sessions'), 429);
    await expectConforms(await t.post('/api/v1/events', { events: [event('session_start', B, '2024-01-31T12:00:00Z')] }, standard), op('/api/v1/events', 'post'), 429);
    await expectConforms(await t.post('/api/v1/hooks/claude-code', { session_id: B, hook_event_name: 'Stop' }, standard), op('/api/v1/hooks/claude-code', 'post'), 429);
    await expectConforms(await t.get('/api/v1/analytics/overview', standard), op('/api/v1/analytics/overview'), 429);
    const last = await t.get('/api/v1/analytics/tools', standard);
    expect(last.headers.get('retry-after')).toBe('50');
    await expectConforms(last, op('/api/v1/analytics/tools'), 429);
  });

  it('404 on an unknown path, with or without a key, and for a docs file not on the list', async () => {
    await expectConforms(await t.get('/api/v1/nope', key), { component: 'NotFound' }, 404);
    await expectConforms(await t.get('/api/v1/sessions/' + A, null), { component: 'NotFound' }, 404);
    for (const name of ['index.html', 'swagger-initializer.js', 'package.json', '..%2Fpackage.json', 'swagger-ui-bundle.js.map']) {
      await expectConforms(await t.get(`/api/v1/docs/assets/${name}`), op('/api/v1/docs/assets/{file}'), 404);
    }
  });

  it('the health probes, without a key', async () => {
    await expectConforms(await t.get('/healthz'), op('/healthz'), 200);
    await expectConforms(await t.get('/readyz'), op('/readyz'), 200);
  });

  describe('the document and its page need no key', () => {
    it('GET and HEAD /api/v1/openapi.json: the document itself, counted against no rate limit', async () => {
      const standard = await t.key({ tier: 'standard' });
      for (const presented of [null, 'nonsense', standard]) {
        const response = await t.get('/api/v1/openapi.json', presented);
        expect(response.headers.get('ratelimit-limit')).toBeNull();
        expect(await expectConforms(response, op('/api/v1/openapi.json'), 200)).toEqual(doc);
      }
      const head = await fetch(`${t.url}/api/v1/openapi.json`, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(head.headers.get('content-type')).toMatch(JSON_ONLY);
      expect(await head.text()).toBe('');
      await expectConforms(await fetch(`${t.url}/api/v1/openapi.json`, { method: 'POST' }), { component: 'MethodNotAllowed' }, 405);
    });

    it('GET /api/v1/docs is HTML that loads only files the gateway serves, each with its content type', async () => {
      const pageUrl = `${t.url}/api/v1/docs`;
      const response = await t.get('/api/v1/docs');
      expect(response.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
      const html: string = await expectConforms(response, op('/api/v1/docs'), 200);
      for (const absolute of html.match(/[a-z][a-z0-9+.-]*:\/\/[^\s"'<>)]+/gi) ?? []) {
        expect(new URL(absolute).origin, absolute).toBe(new URL(t.url).origin);
      }
      const refs = [...html.matchAll(/\b(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
      const assets = refs.map((ref) => new URL(ref, pageUrl)).filter((url) => url.pathname.startsWith('/api/v1/docs/assets/'));
      expect(assets.map((url) => url.pathname.split('/').pop()).sort()).toEqual(
        ['docs-init.js', 'favicon-16x16.png', 'favicon-32x32.png', 'swagger-ui-bundle.js', 'swagger-ui.css'],
      );
      for (const ref of refs) expect(new URL(ref, pageUrl).origin, ref).toBe(new URL(t.url).origin);

      const dist = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
      const TYPES: Record<string, RegExp> = { css: /^text\/css(;|$)/, js: /^text\/javascript(;|$)/, png: /^image\/png$/ };
      for (const url of assets) {
        const name = url.pathname.split('/').pop()!;
        const asset = await fetch(url);
        expect(asset.status, name).toBe(200);
        expect(asset.headers.get('content-type'), name).toMatch(TYPES[name.split('.').pop()!]!);
        expect(asset.headers.get('x-content-type-options'), name).toBe('nosniff');
        expect(asset.headers.get('cache-control'), name).toMatch(/immutable/);
        const bytes = Buffer.from(await asset.arrayBuffer());
        if (name === 'docs-init.js') {
          const script = bytes.toString('utf8');
          // The UI reads the document from this gateway and never sends it to Swagger's online validator.
          const target = /url: '([^']+)'/.exec(script)?.[1];
          expect(target && new URL(target, pageUrl).toString()).toBe(`${t.url}/api/v1/openapi.json`);
          expect(script).toMatch(/validatorUrl: null/);
        } else {
          expect(bytes.equals(readFileSync(join(dist, name))), name).toBe(true);
        }
        // Unversioned, the same file must be revalidated.
        const plain = await fetch(`${t.url}${url.pathname}`);
        expect(plain.headers.get('cache-control'), name).toBe('no-cache');
        await expectConforms(plain, op('/api/v1/docs/assets/{file}'), 200);
      }
    });

    it('HEAD /api/v1/docs answers like GET without a body', async () => {
      const get = await t.get('/api/v1/docs');
      const head = await fetch(`${t.url}/api/v1/docs`, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(head.headers.get('content-type')).toBe(get.headers.get('content-type'));
      expect(head.headers.get('content-length')).toBe(String(Buffer.byteLength(await get.text())));
      expect(await head.text()).toBe('');
    });
  });
});

describe('503 when the database cannot be reached', () => {
  let t: TestGateway;
  let key: string;
  beforeAll(async () => {
    t = await startTestGateway({ now: () => T0 });
    key = await t.key();
    await t.gateway.database.close();
  });
  afterAll(() => t.close());

  it('every keyed endpoint answers 503 UNAVAILABLE as the document says', async () => {
    await expectConforms(await t.get('/api/v1/sessions', key), op('/api/v1/sessions'), 503);
    await expectConforms(await t.post('/api/v1/events', { events: [event('session_start', uuidFor(3), '2024-01-31T12:00:00Z')] }, key), op('/api/v1/events', 'post'), 503);
    await expectConforms(await t.post('/api/v1/hooks/claude-code', { session_id: uuidFor(3), hook_event_name: 'Stop' }, key), op('/api/v1/hooks/claude-code', 'post'), 503);
    await expectConforms(await t.get('/api/v1/analytics/overview', key), op('/api/v1/analytics/overview'), 503);
    await expectConforms(await t.get('/api/v1/analytics/tools', key), op('/api/v1/analytics/tools'), 503);
  });

  it('/readyz answers 503, /healthz 200, and the document and its page still load', async () => {
    await expectConforms(await t.get('/readyz'), op('/readyz'), 503);
    await expectConforms(await t.get('/healthz'), op('/healthz'), 200);
    await expectConforms(await t.get('/api/v1/openapi.json', key), op('/api/v1/openapi.json'), 200);
    await expectConforms(await t.get('/api/v1/docs', key), op('/api/v1/docs'), 200);
  });
});
