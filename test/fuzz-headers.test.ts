// Fuzzing the authentication and request id headers (docs/api.md#authentication-and-keys) through node:http (raw header control): generated X-API-Key
// values (empty, long, any byte HTTP allows, padded, near-miss keys, revoked and unknown keys,
// `Bearer` inside it, sent twice), Authorization values (`Bearer` in any case and spacing, other
// schemes, trailing junk) and X-Request-Id values (sane, too long, empty, padded, odd bytes, sent
// twice). Every answer: never a 5xx, JSON, one X-Request-Id that is the client's own exactly when
// it sent one sane value, else a fresh sane one. On /api/v1/sessions a model of the key rules (written here)
// predicts 200, 401 or 403 from the headers; other routes answer the same whatever the key.
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { expectSaneAnswer, expectStillServing, send, shown } from './support/fuzz-support.js';
import { expectErrorEnvelope } from './support/rest-read-helpers.js';
import { startTestGateway, type TestGateway } from './support/test-gateway.js';

const SANE_REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;
const UNAUTHORIZED = { error: { code: 'UNAUTHORIZED', message: 'Missing or invalid API key.' } };
const FORBIDDEN = { error: { code: 'FORBIDDEN', message: 'This API key does not have the required scope: read:analytics' } };

let t: TestGateway;
const keys = { read: '', write: '', revoked: '', unknown: 'ct_live_0123456789abcdefghijklmnopqrstuv' };

beforeAll(async () => {
  t = await startTestGateway();
  const store = t.gateway.keys;
  keys.read = (await store.create({ account: 'acme', scopes: ['read:analytics'], tier: 'unlimited' })).key;
  keys.write = (await store.create({ account: 'acme', scopes: ['write:events'], tier: 'unlimited' })).key;
  const revoked = await store.create({ account: 'acme', scopes: ['read:analytics', 'write:events'], tier: 'unlimited' });
  await store.revoke(revoked.id);
  keys.revoked = revoked.key;
});
afterAll(() => t.close());

// ---------- the model of the key rules and the error envelope ----------

/** HTTP drops optional whitespace (space, tab) around a field value. */
const stripOws = (value: string) => value.replace(/^[ \t]+|[ \t]+$/g, '');

/** The key a request presents: X-API-Key (repeated ones joined as HTTP does), else `Authorization: Bearer <key>`. */
/** The key the gateway reads, or CONFLICT when X-API-Key and a Bearer token both carry one and they differ. */
const CONFLICT = Symbol('conflict');
function presentedKey(apiKeys: string[], authorization: string | null): string | null | typeof CONFLICT {
  const direct = apiKeys.length > 0 ? apiKeys.map(stripOws).join(', ').trim() : null;
  const bearer = authorization === null ? null : (/^Bearer\s+(\S+)\s*$/i.exec(stripOws(authorization))?.[1] ?? null);
  if (direct !== null && bearer !== null && direct !== bearer) return CONFLICT;
  return direct ?? bearer;
}

function expectedSessionsAnswer(presented: string | null | typeof CONFLICT): { status: number; body?: unknown } {
  if (presented === CONFLICT) return { status: 400 };
  if (presented === keys.read) return { status: 200 };
  if (presented === keys.write) return { status: 403, body: FORBIDDEN };
  return { status: 401, body: UNAUTHORIZED };
}

// ---------- generators ----------

/** A character HTTP lets a field value carry (node:http refuses the rest): tab, visible ASCII and space, 0x80–0xFF. */
const fieldChar = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)) },
  { weight: 2, arbitrary: fc.integer({ min: 0x80, max: 0xff }).map((c) => String.fromCharCode(c)) },
  { weight: 1, arbitrary: fc.constant('\t') },
);
const fieldJunk = (maxLength: number) => fc.string({ unit: fieldChar, maxLength });
const padding = fc.constantFrom('', '', '', ' ', '  ', '\t', ' \t', '\u00a0');

const keyKind = fc.constantFrom<keyof typeof keys>('read', 'read', 'write', 'revoked', 'unknown');

/** A key-like token: a real one, or a near miss of it. */
const tokenArb = fc.oneof(
  { weight: 6, arbitrary: keyKind.map((kind) => keys[kind]) },
  {
    weight: 3,
    arbitrary: fc.tuple(keyKind, fc.constantFrom('upper', 'chop', 'extra', 'quoted', 'inner-space', 'prefix')).map(([kind, how]) => {
      const key = keys[kind];
      switch (how) {
        case 'upper': return key.toUpperCase();
        case 'chop': return key.slice(0, -1);
        case 'extra': return `${key}0`;
        case 'quoted': return `"${key}"`;
        case 'inner-space': return `${key.slice(0, 10)} ${key.slice(10)}`;
        default: return `ct_live_${key}`;
      }
    }),
  },
  { weight: 2, arbitrary: fieldJunk(60) },
  { weight: 1, arbitrary: fc.integer({ min: 200, max: 7000 }).chain((n) => fc.constantFrom('a'.repeat(n), `ct_live_${'a'.repeat(n)}`, '\u00ff'.repeat(n))) },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', 'null', 'undefined', 'ct_live_', 'Bearer', 'Bearer ') },
);

const apiKeyHeader = fc.oneof(
  { weight: 4, arbitrary: fc.constant<string[]>([]) },
  { weight: 5, arbitrary: fc.tuple(padding, tokenArb, padding).map(([a, k, b]) => [`${a}${k}${b}`]) },
  { weight: 1, arbitrary: tokenArb.map((k) => [`Bearer ${k}`]) },
  { weight: 1, arbitrary: fc.array(fc.tuple(padding, tokenArb).map(([a, k]) => `${a}${k}`), { minLength: 2, maxLength: 2 }) },
);

const authorizationHeader = fc.oneof(
  { weight: 3, arbitrary: fc.constant<string | null>(null) },
  {
    weight: 5,
    arbitrary: fc
      .tuple(
        fc.constantFrom('Bearer', 'bearer', 'BEARER', 'BeArEr', 'Basic', 'Token', 'Bearer:', 'Bearer,', ''),
        fc.constantFrom(' ', ' ', '  ', '\t', '', ' \u00a0'),
        tokenArb,
        fc.constantFrom('', '', ' ', '\t', ' extra', ',', '\u00a0'),
      )
      .map(([scheme, gap, token, tail]) => `${scheme}${gap}${token}${tail}`),
  },
  { weight: 1, arbitrary: fieldJunk(40) },
);

const requestIdHeader = fc.oneof(
  { weight: 3, arbitrary: fc.constant<string[]>([]) },
  { weight: 5, arbitrary: fc.stringMatching(/^[A-Za-z0-9._-]{1,128}$/).map((id) => [id]) },
  {
    weight: 3,
    arbitrary: fc
      .oneof(
        fc.stringMatching(/^[A-Za-z0-9._-]{129,200}$/),
        fc.tuple(padding, fc.stringMatching(/^[A-Za-z0-9._-]{1,20}$/), padding).map(([a, id, b]) => `${a}${id}${b}`),
        fc.stringMatching(/^[A-Za-z0-9._-]{1,20}[ ,:/+=@~]{1,3}[A-Za-z0-9._-]{0,20}$/),
        fieldJunk(140),
        fc.constantFrom('', ' ', 'a'.repeat(128), 'a'.repeat(129), '..', '-', '_', 'ä', 'id\u00e9'),
      )
      .map((id) => [id]),
  },
  { weight: 1, arbitrary: fc.array(fc.stringMatching(/^[A-Za-z0-9._-]{1,20}$/), { minLength: 2, maxLength: 2 }) },
);

interface Route {
  method: string;
  path: string;
  body?: string;
  /** The status whatever the key; null for /api/v1/sessions, where the model decides. */
  status: number | null;
  /** The route reads a key (so two different ones are a 400 there). */
  readsKey?: boolean;
}

const routeArb = fc.constantFrom<Route>(
  { method: 'GET', path: '/api/v1/sessions', status: null },
  { method: 'GET', path: '/api/v1/sessions', status: null },
  { method: 'GET', path: '/api/v1/sessions', status: null },
  { method: 'GET', path: '/healthz', status: 200 },
  { method: 'GET', path: '/readyz', status: 200 },
  { method: 'GET', path: '/api/v1/nope', status: 404 },
  { method: 'GET', path: '//gateway.invalid/api/v1/sessions', status: 400 },
  { method: 'GET', path: '/api/v1/events', status: 405 },
  { method: 'POST', path: '/graphql', body: '{"query":"{ __typename }"}', status: 200, readsKey: true },
);

const requestArb = fc.record({ route: routeArb, apiKeys: apiKeyHeader, authorization: authorizationHeader, requestIds: requestIdHeader });

// ---------- the property ----------

it('generated X-API-Key, Authorization and X-Request-Id headers: the predicted status, never a 5xx, the request id rule on every answer', async () => {
  const statuses = new Set<number>();
  let echoed = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(requestArb, { minLength: 1, maxLength: 4 }), async (requests) => {
      const answers = await Promise.all(
        requests.map(({ route, apiKeys, authorization, requestIds }) => {
          const headers: Record<string, string | string[]> = {};
          if (apiKeys.length > 0) headers['X-API-Key'] = apiKeys.length === 1 ? apiKeys[0]! : apiKeys;
          if (authorization !== null) headers['Authorization'] = authorization;
          if (requestIds.length > 0) headers['X-Request-Id'] = requestIds.length === 1 ? requestIds[0]! : requestIds;
          if (route.body) headers['content-type'] = 'application/json';
          return send(t, route.path, { method: route.method, headers, body: route.body });
        }),
      );
      answers.forEach((answer, i) => {
        const request = requests[i]!;
        const label = `${shown(request)} → ${answer.status} ${answer.text.slice(0, 300)} ${shown(answer.headers)}`;
        expectSaneAnswer(answer, request);
        statuses.add(answer.status);

        const { route, apiKeys, authorization, requestIds } = request;
        if (route.status === null) {
          const expected = expectedSessionsAnswer(presentedKey(apiKeys, authorization));
          expect(answer.status, label).toBe(expected.status);
          if (expected.body) expect(answer.json, label).toStrictEqual(expected.body);
        } else if (route.readsKey && presentedKey(apiKeys, authorization) === CONFLICT) {
          expect(answer.status, label).toBe(400);
        } else {
          expect(answer.status, label).toBe(route.status);
          if (route.status >= 400) expectErrorEnvelope(answer.json, ({ 400: 'VALIDATION_ERROR', 404: 'NOT_FOUND', 405: 'METHOD_NOT_ALLOWED' } as Record<number, string>)[route.status]!);
        }

        const id = answer.headers['x-request-id'];
        expect(typeof id, label).toBe('string');
        expect(id as string, label).toMatch(SANE_REQUEST_ID);
        const sent = requestIds.length === 1 ? stripOws(requestIds[0]!) : null;
        if (sent !== null && SANE_REQUEST_ID.test(sent)) {
          expect(id, label).toBe(sent);
          echoed += 1;
        } else {
          for (const value of requestIds) expect(id, label).not.toBe(stripOws(value));
        }
      });
    }),
    { numRuns: 300 },
  );
  expect([...statuses].sort()).toEqual([200, 400, 401, 403, 404, 405]);
  expect(echoed).toBeGreaterThan(0);
  await expectStillServing(t);
});
