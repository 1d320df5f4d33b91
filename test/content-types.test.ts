// Ingestion and mutations take `application/json` bodies only (docs/api.md#errors): a form, multipart or text/plain
// body (what a browser sends cross-site without a CORS preflight), no Content-Type at all, or a charset other than
// UTF-8 is 415 UNSUPPORTED_MEDIA_TYPE, checked before the key and before anything is read or stored. Case and
// spacing of the header do not matter.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subscribe } from './support/sse-client.js';
import { expectErrorEnvelope, rawRequest, uuidFor } from './support/rest-read-helpers.js';
import { event, startTestGateway, type TestGateway } from './support/test-gateway.js';

let t: TestGateway;
let key: string;
let sessionNumber = 0;

beforeAll(async () => {
  t = await startTestGateway();
  key = await t.key();
});
afterAll(() => t.close());

/** A session id no other test uses, so that "nothing stored" is checked on a session of its own. */
function freshSession(): string {
  return uuidFor(1000 + ++sessionNumber);
}

async function storedEvents(sessionId: string): Promise<number> {
  const { status, body } = await t.graphql(`{ session(id: "${sessionId}") { eventCount } }`, {}, key);
  expect(status).toBe(200);
  return body.data?.['session']?.eventCount ?? 0;
}

/** A POST of `body` as the given Content-Type (null: no Content-Type header at all). */
function postAs(path: string, contentType: string | null, body: string | Buffer, headers: Record<string, string> = { 'x-api-key': key }) {
  return rawRequest(`${t.url}${path}`, {
    method: 'POST',
    headers: { ...headers, ...(contentType === null ? {} : { 'content-type': contentType }) },
    body,
  });
}

const REST_BODIES: Record<string, (sessionId: string) => string> = {
  '/api/v1/events': (sessionId) => JSON.stringify({ events: [event('session_start', sessionId, '2024-01-15T10:30:00Z')] }),
  '/api/v1/hooks/claude-code': (sessionId) => JSON.stringify({ session_id: sessionId, hook_event_name: 'PreToolUse', tool_name: 'Read' }),
};

/** Content-Types that do not declare a UTF-8 JSON body, each with a valid JSON body that would otherwise be stored. */
const REFUSED: [string, string | null][] = [
  ['no Content-Type', null],
  ['an empty Content-Type', ''],
  ['text/plain (a cross-site form or fetch sends it without a preflight)', 'text/plain'],
  ['text/plain;charset=UTF-8 (what fetch gives a string body)', 'text/plain;charset=UTF-8'],
  ['application/x-www-form-urlencoded (curl -d without -H)', 'application/x-www-form-urlencoded'],
  ['multipart/form-data', 'multipart/form-data; boundary=x'],
  ['a JSON body declared as another charset', 'application/json; charset=iso-8859-1'],
  ['a quoted other charset', 'application/json;charset="utf-16"'],
  ['application/jsonp', 'application/jsonp'],
  ['application/json-patch+json', 'application/json-patch+json'],
  ['text/json', 'text/json'],
  ['a list of types', 'text/plain, application/json'],
];

describe('REST ingestion', () => {
  for (const path of Object.keys(REST_BODIES)) {
    describe(`POST ${path}`, () => {
      it.each(REFUSED)('%s → 415 UNSUPPORTED_MEDIA_TYPE naming application/json, nothing stored', async (_name, contentType) => {
        const sessionId = freshSession();
        const response = await postAs(path, contentType, REST_BODIES[path]!(sessionId));
        expect(response.status, response.text).toBe(415);
        expect(response.headers['content-type']).toMatch(/^application\/json/);
        const body = JSON.parse(response.text);
        expectErrorEnvelope(body, 'UNSUPPORTED_MEDIA_TYPE');
        expect(body.error.message).toContain('Content-Type: application/json');
        expect(await storedEvents(sessionId)).toBe(0);
      });

      it.each([
        ['application/json'],
        ['application/json; charset=utf-8'],
        ['Application/JSON'],
        ['APPLICATION/JSON;CHARSET=UTF-8'],
        ['application/json ; charset="utf-8"'],
        ['application/json;charset=utf8'],
        ['application/json; odd-parameter'],
      ])('%s is taken and stored', async (contentType) => {
        const sessionId = freshSession();
        const response = await postAs(path, contentType, REST_BODIES[path]!(sessionId));
        expect(response.status, response.text).toBe(200);
        expect(await storedEvents(sessionId)).toBe(1);
      });
    });
  }

  it('names the declared type, and the charset, in the message', async () => {
    const path = '/api/v1/events';
    const plain = JSON.parse((await postAs(path, 'Text/Plain', REST_BODIES[path]!(freshSession()))).text);
    expect(plain.error.message).toBe('The body must be sent as Content-Type: application/json; not text/plain.');
    const none = JSON.parse((await postAs(path, null, REST_BODIES[path]!(freshSession()))).text);
    expect(none.error.message).toBe('The body must be sent as Content-Type: application/json; this request has no Content-Type.');
    const latin = JSON.parse((await postAs(path, 'application/json; charset=latin1', REST_BODIES[path]!(freshSession()))).text);
    expect(latin.error.message).toBe('The body must be sent as Content-Type: application/json; JSON bodies are UTF-8, not charset=latin1.');
    // Whatever a client puts in the header, the message quotes only a plain token.
    const odd = JSON.parse((await postAs(path, 'text/<script>', REST_BODIES[path]!(freshSession()))).text);
    expect(odd.error.message).not.toContain('<script>');
  });

  it('any spelling of application/json (case, spaces, a UTF-8 charset) is taken; any other type is refused', async () => {
    const path = '/api/v1/events';
    const spaces = fc.constantFrom('', ' ', '  ', '\t');
    const anyCase = (text: string) =>
      fc.array(fc.boolean(), { minLength: text.length, maxLength: text.length }).map((upper) =>
        [...text].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join(''));
    const charset = fc.oneof(
      fc.constant(''),
      fc.tuple(spaces, anyCase('charset'), anyCase('utf-8'), fc.boolean()).map(([s, name, value, quoted]) => `;${s}${name}=${quoted ? `"${value}"` : value}`),
    );
    const taken = fc.tuple(spaces, anyCase('application/json'), spaces, charset).map(([a, type, b, c]) => `${a}${type}${b}${c}`);
    await fc.assert(
      fc.asyncProperty(taken, async (contentType) => {
        const sessionId = freshSession();
        const response = await postAs(path, contentType, REST_BODIES[path]!(sessionId));
        expect(response.status, `${JSON.stringify(contentType)}: ${response.text}`).toBe(200);
      }),
      { numRuns: 40 },
    );
    const token = fc.stringMatching(/^[a-z0-9+.-]{1,12}$/);
    const other = fc.tuple(token, token).map(([a, b]) => `${a}/${b}`).filter((type) => type !== 'application/json' && type !== 'application/graphql+json');
    await fc.assert(
      fc.asyncProperty(other, async (contentType) => {
        const sessionId = freshSession();
        const response = await postAs(path, contentType, REST_BODIES[path]!(sessionId));
        expect(response.status, `${contentType}: ${response.text}`).toBe(415);
        expect(await storedEvents(sessionId)).toBe(0);
      }),
      { numRuns: 40 },
    );
  });

  it('is checked after the method and before the key: no key is read and nothing is counted', async () => {
    const path = '/api/v1/events';
    const body = REST_BODIES[path]!(freshSession());
    expect((await postAs(path, 'text/plain', body, {})).status).toBe(415);
    expect((await postAs(path, 'text/plain', body, { 'x-api-key': 'ct_live_nonsense' })).status).toBe(415);
    const standard = await t.key({ tier: 'standard' });
    const refused = await postAs(path, 'text/plain', body, { 'x-api-key': standard });
    expect(refused.status).toBe(415);
    expect(refused.headers['ratelimit-remaining']).toBeUndefined();
    const counted = await postAs(path, 'application/json', body, { 'x-api-key': standard });
    expect(counted.status).toBe(200);
    expect(counted.headers['ratelimit-remaining']).toBe('59');
    const wrongMethod = await rawRequest(`${t.url}${path}`, { method: 'PUT', headers: { 'content-type': 'text/plain' }, body });
    expect(wrongMethod.status).toBe(405);
  });

  it('GET routes take no body and ignore Content-Type', async () => {
    const response = await t.get('/api/v1/sessions', key, { 'content-type': 'text/plain' });
    expect(response.status).toBe(200);
  });
});

describe('POST /graphql', () => {
  const mutation = (sessionId: string) =>
    `mutation { ingestEvents(events: [{ eventType: "session_start", sessionId: "${sessionId}", timestamp: "2024-01-15T10:30:00Z" }]) { accepted } }`;

  function expectGraphQLRefusal(status: number, text: string): void {
    expect(status, text).toBe(415);
    const body = JSON.parse(text) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body).toEqual({ errors: [{ message: expect.stringContaining('Content-Type: application/json'), extensions: { code: 'UNSUPPORTED_MEDIA_TYPE' } }] });
  }

  it('a mutation sent as a form (which Yoga would run) → 415 in GraphQL\'s error shape, nothing stored', async () => {
    const sessionId = freshSession();
    const response = await postAs('/graphql', 'application/x-www-form-urlencoded', `query=${encodeURIComponent(mutation(sessionId))}`);
    expectGraphQLRefusal(response.status, response.text);
    expect(await storedEvents(sessionId)).toBe(0);
  });

  it('a mutation sent as multipart (GraphQL uploads) → 415, nothing stored', async () => {
    const sessionId = freshSession();
    const form = new FormData();
    form.set('operations', JSON.stringify({ query: mutation(sessionId) }));
    form.set('map', '{}');
    const response = await fetch(`${t.url}/graphql`, { method: 'POST', headers: { 'x-api-key': key }, body: form });
    expectGraphQLRefusal(response.status, await response.text());
    expect(await storedEvents(sessionId)).toBe(0);
  });

  it.each([
    ['application/graphql (a bare document)', 'application/graphql', (sessionId: string) => mutation(sessionId)],
    ['text/plain', 'text/plain', (sessionId: string) => JSON.stringify({ query: mutation(sessionId) })],
    ['no Content-Type', null, (sessionId: string) => JSON.stringify({ query: mutation(sessionId) })],
    ['another charset', 'application/json; charset=utf-16', (sessionId: string) => JSON.stringify({ query: mutation(sessionId) })],
  ])('%s → 415, nothing stored', async (_name, contentType, body) => {
    const sessionId = freshSession();
    const response = await postAs('/graphql', contentType, body(sessionId));
    expectGraphQLRefusal(response.status, response.text);
    expect(await storedEvents(sessionId)).toBe(0);
  });

  it('a query is refused the same way, before the key (an anonymous caller gets 415, not 401)', async () => {
    const response = await postAs('/graphql', 'text/plain', JSON.stringify({ query: '{ __typename }' }), {});
    expectGraphQLRefusal(response.status, response.text);
  });

  it.each([
    ['application/json'],
    ['application/json; charset=utf-8'],
    ['Application/JSON'],
    ['application/json ;charset=UTF-8'],
    ['application/graphql+json'],
  ])('a mutation and a query sent as %s run', async (contentType) => {
    const sessionId = freshSession();
    const ran = await postAs('/graphql', contentType, JSON.stringify({ query: mutation(sessionId) }), { 'x-api-key': key, accept: 'application/json' });
    expect(ran.status, ran.text).toBe(200);
    expect(JSON.parse(ran.text)).toEqual({ data: { ingestEvents: { accepted: 1 } } });
    expect(await storedEvents(sessionId)).toBe(1);
    const query = await postAs('/graphql', contentType, JSON.stringify({ query: '{ __typename }' }), { accept: 'application/json' });
    expect(JSON.parse(query.text)).toEqual({ data: { __typename: 'Query' } });
  });

  it('GET still runs queries, and refuses a mutation (nothing stored)', async () => {
    const query = await fetch(`${t.url}/graphql?query=${encodeURIComponent('{ __typename }')}`, { headers: { accept: 'application/json' } });
    expect(query.status).toBe(200);
    expect(await query.json()).toEqual({ data: { __typename: 'Query' } });
    const sessionId = freshSession();
    const refused = await fetch(`${t.url}/graphql?query=${encodeURIComponent(mutation(sessionId))}`, { headers: { accept: 'application/json', 'x-api-key': key } });
    expect(refused.status).toBe(405);
    expect(await storedEvents(sessionId)).toBe(0);
  });

  it('subscriptions over SSE (a JSON POST) still open', async () => {
    const stream = await subscribe(t.url, 'subscription { sessionUpdated { id } }', { key });
    try {
      expect(stream.status).toBe(200);
    } finally {
      stream.close();
    }
  });
});
