import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { event, SESSION_A, startTestGateway, type TestGateway } from './support/test-gateway.js';

// CONTRACT §7: `GET /graphql` from a browser serves GraphiQL, with a ready example query and a note on
// where to put the key; §1: the GraphiQL page needs no key.

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';

/** The JSON-encoded `defaultQuery` GraphiQL is rendered with. */
function defaultQueryOf(html: string): string {
  const match = /"defaultQuery":("(?:[^"\\]|\\.)*")/.exec(html);
  expect(match, 'the page carries a defaultQuery').not.toBeNull();
  return JSON.parse(match![1]!) as string;
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
    const headers = /"headers":("(?:[^"\\]|\\.)*")/.exec(html);
    expect(headers).not.toBeNull();
    expect(Object.keys(JSON.parse(JSON.parse(headers![1]!) as string) as object)).toContain('X-API-Key');
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

  it('is not served to a JSON client: GET /graphql with a query and Accept: application/json runs it', async () => {
    const response = await fetch(`${t.url}/graphql?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { accept: 'application/json' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/json/);
    expect(await response.json()).toEqual({ data: { __typename: 'Query' } });
  });
});
