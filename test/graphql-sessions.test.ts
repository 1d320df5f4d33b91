import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fixtureUuid,
  loadReadPathDataset,
  onlyErrorCode,
  READ_PATH_NOW,
  SESSION_FIELDS,
  type FixtureSession,
} from './support/read-path-dataset.js';
import { event, startTestGateway, type TestGateway } from './support/test-gateway.js';

// `sessions` and `session(id)` over GraphQL, with the rules and values of GET /api/v1/sessions
// (docs/api.md#graphql, docs/api.md#sessions).

const CONNECTION = `
  total limit offset
  nodes { ${SESSION_FIELDS} }
  edges { cursor node { ${SESSION_FIELDS} } }
  pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
`;

const PAGE_QUERY = `query Page($limit: Int, $offset: Int, $startDate: DateTime, $endDate: DateTime) {
  sessions(limit: $limit, offset: $offset, startDate: $startDate, endDate: $endDate) { ${CONNECTION} }
}`;

describe('GraphQL sessions connection and session(id)', () => {
  let t: TestGateway;
  let key: string;
  let fixture: FixtureSession[];
  let bulkKey: string;
  let longKey: string;
  const LONG_SESSION = '7d444840-9dc0-11d1-b245-5ffdce74fad2';

  beforeAll(async () => {
    t = await startTestGateway({ now: () => READ_PATH_NOW });
    key = await t.key({ account: 'acme', scopes: ['read:analytics', 'write:events'] });
    fixture = await loadReadPathDataset(t, key);

    // 205 sessions in another account, for the default limit and the 200 cap.
    bulkKey = await t.key({ account: 'bulk', scopes: ['read:analytics', 'write:events'] });
    const bulk = Array.from({ length: 205 }, (_, n) =>
      event('session_start', fixtureUuid(1000 + n), new Date(Date.parse('2023-06-01T00:00:00Z') + n * 60_000).toISOString()),
    );
    const stored = await t.post('/api/v1/events', { events: bulk }, bulkKey);
    expect(stored.status).toBe(200);

    // A session lasting 24 years: 757,382,400,000 ms, far above 2^31 (and 2^32).
    longKey = await t.key({ account: 'long', scopes: ['read:analytics', 'write:events'] });
    const long = await t.post('/api/v1/events', {
      events: [
        event('session_start', LONG_SESSION, '2000-01-01T00:00:00Z'),
        event('session_end', LONG_SESSION, '2024-01-01T00:00:00Z'),
      ],
    }, longKey);
    expect(long.status).toBe(200);
  });
  afterAll(() => t.close());

  function page(sessions: FixtureSession[], limit: number, offset: number, total: number) {
    return { total, limit, offset, nodes: sessions };
  }

  it('returns the whole connection, with defaults limit 50 and offset 0', async () => {
    const { status, body } = await t.graphql(PAGE_QUERY, {}, key);
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    const c = body.data!['sessions'];
    expect(Object.keys(c).sort()).toEqual(['edges', 'limit', 'nodes', 'offset', 'pageInfo', 'total']);
    expect({ total: c.total, limit: c.limit, offset: c.offset, nodes: c.nodes }).toEqual(page(fixture, 50, 0, fixture.length));
    expect(c.edges.map((e: { node: unknown }) => e.node)).toEqual(fixture);
    expect(c.pageInfo).toEqual({
      hasNextPage: false,
      hasPreviousPage: false,
      startCursor: c.edges[0].cursor,
      endCursor: c.edges[c.edges.length - 1].cursor,
    });
  });

  it('gives every edge an opaque, non-empty cursor, distinct per node across pages', async () => {
    const cursors: string[] = [];
    const ids: string[] = [];
    for (let offset = 0; offset < fixture.length; offset += 7) {
      const { body } = await t.graphql(PAGE_QUERY, { limit: 7, offset }, key);
      expect(body.errors).toBeUndefined();
      const c = body.data!['sessions'];
      for (const edge of c.edges) {
        expect(typeof edge.cursor).toBe('string');
        expect(edge.cursor.length).toBeGreaterThan(0);
        cursors.push(edge.cursor);
        ids.push(edge.node.id);
      }
      expect(c.pageInfo.startCursor).toBe(c.edges[0].cursor);
      expect(c.pageInfo.endCursor).toBe(c.edges[c.edges.length - 1].cursor);
    }
    expect(ids).toEqual(fixture.map((s) => s.id));
    expect(new Set(cursors).size).toBe(fixture.length);
  });

  it('pages with offset += limit, reporting hasNextPage and hasPreviousPage', async () => {
    const first = (await t.graphql(PAGE_QUERY, { limit: 10, offset: 0 }, key)).body.data!['sessions'];
    expect(first.nodes).toEqual(fixture.slice(0, 10));
    expect(first.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });

    const middle = (await t.graphql(PAGE_QUERY, { limit: 10, offset: 10 }, key)).body.data!['sessions'];
    expect(page(middle.nodes, middle.limit, middle.offset, middle.total)).toEqual(page(fixture.slice(10, 20), 10, 10, fixture.length));
    expect(middle.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });

    const last = (await t.graphql(PAGE_QUERY, { limit: 10, offset: 20 }, key)).body.data!['sessions'];
    expect(last.nodes).toEqual(fixture.slice(20));
    expect(last.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });

    const exact = (await t.graphql(PAGE_QUERY, { limit: fixture.length, offset: 0 }, key)).body.data!['sessions'];
    expect(exact.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: false });
  });

  it('answers a page past the end with empty lists, null cursors and the total', async () => {
    const { status, body } = await t.graphql(PAGE_QUERY, { offset: 100 }, key);
    expect(status).toBe(200);
    expect(body).toEqual({
      data: {
        sessions: {
          total: fixture.length, limit: 50, offset: 100, nodes: [], edges: [],
          pageInfo: { hasNextPage: false, hasPreviousPage: true, startCursor: null, endCursor: null },
        },
      },
    });
  });

  it('filters on the start with inclusive bounds, date-only meaning 00:00:00Z, offsets converted to UTC', async () => {
    const inRange = (from: string, to: string) =>
      fixture.filter((s) => Date.parse(s.startedAt) >= Date.parse(from) && Date.parse(s.startedAt) <= Date.parse(to));
    const cases: [string, string, string, string][] = [
      // [startDate, endDate, as instants]
      ['2024-02-01', '2024-02-13', '2024-02-01T00:00:00Z', '2024-02-13T00:00:00Z'],
      ['2024-02-01T02:00:00+02:00', '2024-02-12T19:00:00-05:00', '2024-02-01T00:00:00Z', '2024-02-13T00:00:00Z'],
      ['2024-02-16T10:48:08.885Z', '2024-02-16T10:48:08.885Z', '2024-02-16T10:48:08.885Z', '2024-02-16T10:48:08.885Z'],
      ['2024-02-16T10:48:08.8859999Z', '2024-02-17', '2024-02-16T10:48:08.885Z', '2024-02-17T00:00:00Z'],
      ['2024-02-01T00:00:00.001Z', '2024-02-12T23:59:59.999Z', '2024-02-01T00:00:00.001Z', '2024-02-12T23:59:59.999Z'],
    ];
    for (const [startDate, endDate, from, to] of cases) {
      const expected = inRange(from, to);
      expect(expected.length).toBeGreaterThan(0);
      // As variables and as literals.
      const viaVariables = await t.graphql(PAGE_QUERY, { startDate, endDate }, key);
      expect(viaVariables.body.errors).toBeUndefined();
      expect(viaVariables.body.data!['sessions'].nodes).toEqual(expected);
      expect(viaVariables.body.data!['sessions'].total).toBe(expected.length);
      const viaLiterals = await t.graphql(
        `{ sessions(startDate: ${JSON.stringify(startDate)}, endDate: ${JSON.stringify(endDate)}) { total nodes { id } } }`, {}, key);
      expect(viaLiterals.body).toEqual({ data: { sessions: { total: expected.length, nodes: expected.map((s) => ({ id: s.id })) } } });
    }
    // Only one bound.
    const onlyStart = await t.graphql('{ sessions(startDate: "2024-02-20") { total } }', {}, key);
    expect(onlyStart.body.data!['sessions'].total).toBe(fixture.filter((s) => s.startedAt >= '2024-02-20').length);
    const onlyEnd = await t.graphql('{ sessions(endDate: "2024-01-31") { total } }', {}, key);
    expect(onlyEnd.body.data!['sessions'].total).toBe(fixture.filter((s) => Date.parse(s.startedAt) <= Date.parse('2024-01-31')).length);
    // An empty range (start equal to end, no session there) is not an error.
    const empty = await t.graphql(PAGE_QUERY, { startDate: '2023-01-01', endDate: '2023-01-01' }, key);
    expect(empty.body).toEqual({
      data: {
        sessions: {
          total: 0, limit: 50, offset: 0, nodes: [], edges: [],
          pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null },
        },
      },
    });
  });

  it('applies the default limit of 50 and caps the limit at 200', async () => {
    const defaults = (await t.graphql('{ sessions { total limit offset nodes { id } pageInfo { hasNextPage } } }', {}, bulkKey)).body;
    expect(defaults.errors).toBeUndefined();
    expect(defaults.data!['sessions']).toMatchObject({ total: 205, limit: 50, offset: 0, pageInfo: { hasNextPage: true } });
    expect(defaults.data!['sessions'].nodes).toHaveLength(50);

    for (const limit of [201, 500, 2147483647]) {
      const capped = (await t.graphql(PAGE_QUERY, { limit }, bulkKey)).body;
      expect(capped.errors).toBeUndefined();
      expect(capped.data!['sessions']).toMatchObject({ total: 205, limit: 200, offset: 0, pageInfo: { hasNextPage: true } });
      expect(capped.data!['sessions'].nodes).toHaveLength(200);
    }
    const literal = (await t.graphql('{ sessions(limit: 1000, offset: 200) { limit offset nodes { id } } }', {}, bulkKey)).body;
    expect(literal.data!['sessions'].limit).toBe(200);
    expect(literal.data!['sessions'].offset).toBe(200);
    expect(literal.data!['sessions'].nodes).toHaveLength(5);

    const exactly200 = (await t.graphql(PAGE_QUERY, { limit: 200 }, bulkKey)).body;
    expect(exactly200.data!['sessions'].limit).toBe(200);
    const one = (await t.graphql(PAGE_QUERY, { limit: 1 }, bulkKey)).body;
    expect(one.data!['sessions'].limit).toBe(1);
    expect(one.data!['sessions'].nodes).toHaveLength(1);
  });

  it.each([
    ['limit: 0', '{ sessions(limit: 0) { total } }'],
    ['limit: -1', '{ sessions(limit: -1) { total } }'],
    ['offset: -1', '{ sessions(offset: -1) { total } }'],
    ['startDate after endDate', '{ sessions(startDate: "2024-02-02", endDate: "2024-02-01T23:59:59Z") { total } }'],
  ])('rejects %s with VALIDATION_ERROR and a null sessions field', async (_name, query) => {
    const { body } = await t.graphql(query, {}, key);
    expect(onlyErrorCode(body)).toBe('VALIDATION_ERROR');
    expect(body.data).toEqual({ sessions: null });
  });

  it.each([
    ['limit', 0],
    ['limit', -20],
    ['offset', -1],
  ])('rejects the variable %s = %s with VALIDATION_ERROR', async (name, value) => {
    const { body } = await t.graphql(PAGE_QUERY, { [name]: value }, key);
    expect(onlyErrorCode(body)).toBe('VALIDATION_ERROR');
    expect(body.data).toEqual({ sessions: null });
  });

  it.each([
    ['limit', 'ten'],
    ['limit', 1.5],
    ['limit', 3_000_000_000],
    ['offset', '5'],
    ['offset', true],
  ])('rejects a limit or offset variable that is not an Int (%s = %j) with VALIDATION_ERROR', async (name, value) => {
    const { body } = await t.graphql(PAGE_QUERY, { [name]: value }, key);
    expect(onlyErrorCode(body)).toBe('VALIDATION_ERROR');
    expect(body.data?.['sessions'] ?? null).toBeNull();
  });

  it.each([
    ['limit: "ten"', '{ sessions(limit: "ten") { total } }'],
    ['limit: 2.5', '{ sessions(limit: 2.5) { total } }'],
    ['limit beyond 32 bits', '{ sessions(limit: 3000000000) { total } }'],
    ['offset: "0"', '{ sessions(offset: "0") { total } }'],
    ['a document that does not parse', '{ sessions(limit: 5 { total } }'],
  ])('rejects %s in the document with VALIDATION_ERROR', async (_name, query) => {
    const { body } = await t.graphql(query, {}, key);
    expect(onlyErrorCode(body)).toBe('VALIDATION_ERROR');
    expect(body.data?.['sessions'] ?? null).toBeNull();
  });

  it.each([
    '"2024-02-30"',
    '"2024-01-15T25:00:00Z"',
    '"2024-01-15T10:00:00"',
    '"2024-01-15 10:00:00Z"',
    '"15/01/2024"',
    '"yesterday"',
    '""',
    '20240115',
  ])('rejects the DateTime literal %s with VALIDATION_ERROR', async (literal) => {
    const { body } = await t.graphql(`{ sessions(startDate: ${literal}) { total } }`, {}, key);
    expect(onlyErrorCode(body)).toBe('VALIDATION_ERROR');
    expect(body.data?.['sessions'] ?? null).toBeNull();
  });

  it.each([
    ['startDate', '2024-13-01'],
    ['startDate', '2023-02-29'],
    ['endDate', '2024-01-15T10:00:00+24:00'],
    ['endDate', '2024-01-15T10:60:00Z'],
    ['endDate', 'now'],
    ['startDate', 20240115],
    ['endDate', { date: '2024-01-15' }],
  ])('rejects the DateTime variable %s = %j with VALIDATION_ERROR', async (name, value) => {
    const { body } = await t.graphql(PAGE_QUERY, { [name]: value }, key);
    expect(onlyErrorCode(body)).toBe('VALIDATION_ERROR');
    expect(body.data?.['sessions'] ?? null).toBeNull();
  });

  it('names every field in camelCase and types counts and durations as SafeInt, not Int', async () => {
    const { body } = await t.graphql(`{
      session: __type(name: "Session") { fields { name type { name kind ofType { name } } } }
      connection: __type(name: "SessionConnection") { fields { name type { name kind ofType { name } } } }
      pageInfo: __type(name: "PageInfo") { fields { name } }
      edge: __type(name: "SessionEdge") { fields { name } }
    }`, {}, key);
    expect(body.errors).toBeUndefined();
    type Field = { name: string; type: { name: string | null; ofType: { name: string } | null } };
    const typeName = (f: Field) => f.type.name ?? f.type.ofType?.name;
    const session = body.data!['session'].fields as Field[];
    // Session also has `events` and `tools`; the REST session's fields are all there, and every name is camelCase.
    expect(session.map((f) => f.name)).toEqual(expect.arrayContaining(['durationMs', 'endedAt', 'eventCount', 'id', 'startedAt', 'toolInvocations']));
    for (const f of session) expect(f.name).toMatch(/^[a-z][A-Za-z0-9]*$/);
    for (const name of ['durationMs', 'eventCount', 'toolInvocations']) {
      expect(typeName(session.find((f) => f.name === name)!)).toBe('SafeInt');
    }
    const connection = body.data!['connection'].fields as Field[];
    expect(connection.map((f) => f.name).sort()).toEqual(['edges', 'limit', 'nodes', 'offset', 'pageInfo', 'total']);
    expect(typeName(connection.find((f) => f.name === 'total')!)).toBe('SafeInt');
    expect((body.data!['pageInfo'].fields as Field[]).map((f) => f.name).sort())
      .toEqual(['endCursor', 'hasNextPage', 'hasPreviousPage', 'startCursor']);
    expect((body.data!['edge'].fields as Field[]).map((f) => f.name).sort()).toEqual(['cursor', 'node']);

    const snake = await t.graphql('{ sessions { nodes { started_at } } }', {}, key);
    expect(snake.body.errors).toHaveLength(1);
  });

  it('serializes a durationMs above 2^31 exactly', async () => {
    const expected = {
      id: LONG_SESSION, startedAt: '2000-01-01T00:00:00Z', endedAt: '2024-01-01T00:00:00Z',
      durationMs: 757_382_400_000, eventCount: 2, toolInvocations: 0,
    };
    expect(expected.durationMs).toBe(Date.parse('2024-01-01T00:00:00Z') - Date.parse('2000-01-01T00:00:00Z'));
    const response = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', 'x-api-key': longKey },
      body: JSON.stringify({ query: `{ sessions { nodes { ${SESSION_FIELDS} } } session(id: "${LONG_SESSION}") { durationMs } }` }),
    });
    const text = await response.text();
    expect(text).toContain('"durationMs":757382400000');
    expect(JSON.parse(text)).toEqual({ data: { sessions: { nodes: [expected] }, session: { durationMs: 757_382_400_000 } } });
  });

  describe('session(id)', () => {
    const ONE = `query One($id: ID!) { session(id: $id) { ${SESSION_FIELDS} } }`;

    it('returns one session of the caller\'s account, with every field', async () => {
      for (const s of [fixture[0]!, fixture[13]!, fixture[fixture.length - 1]!]) {
        const { status, body } = await t.graphql(ONE, { id: s.id }, key);
        expect(status).toBe(200);
        expect(body).toEqual({ data: { session: s } });
      }
    });

    it('finds a session by its UUID in upper case (UUIDs are case-insensitive)', async () => {
      const s = fixture[3]!;
      const { body } = await t.graphql(ONE, { id: s.id.toUpperCase() }, key);
      expect(body).toEqual({ data: { session: s } });
    });

    it.each([
      ['an unknown UUID', '00000000-0000-4000-8000-000000000000'],
      ['a non-UUID', 'not-a-uuid'],
      ['an empty id', ''],
      ['a UUID with extra characters', `${fixtureUuid(1)}x`],
      ['a SQL-looking id', "' OR 1=1 --"],
    ])('returns null without an error for %s', async (_name, id) => {
      const { status, body } = await t.graphql(ONE, { id }, key);
      expect(status).toBe(200);
      expect(body).toEqual({ data: { session: null } });
    });

    it('returns null for a session of another account', async () => {
      const { body } = await t.graphql(ONE, { id: fixture[0]!.id }, bulkKey);
      expect(body).toEqual({ data: { session: null } });
      const literal = await t.graphql(`{ session(id: "${LONG_SESSION}") { id } }`, {}, key);
      expect(literal.body).toEqual({ data: { session: null } });
    });
  });
});
