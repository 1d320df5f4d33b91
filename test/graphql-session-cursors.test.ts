// docs/api.md#cursor-paging: `sessions(first, after, last, before)` pages by key (startedAt, id) beside
// limit/offset. The window is the filtered sessions after `after` and before `before` in the order;
// the page is its first `first` or last `last`; pageInfo follows the Relay specification; `offset`
// tells where the page starts; a cursor is a position, valid with any filter and either order.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeSessionCursor, type SessionKey } from '../src/sessions/session-cursor.js';
import { formatUtc } from '../src/time/iso-time.js';
import { accountKey, ingestOk } from './support/ingest-support.js';
import { startTestGateway, type GraphQLBody, type TestGateway } from './support/test-gateway.js';

const DAY = 86_400_000;
const BASE = Date.UTC(2024, 0, 10);
const SESSIONS = 70;

function uuid(n: number): string {
  return `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

/** Ids unrelated to ingestion order (an odd multiplier is a bijection modulo 2^32). */
const idOf = (n: number) => uuid(Math.imul(n + 1, 2654435761) >>> 0);

/** Few instants, so that many sessions share one; a few before 1970. */
function startOf(n: number): number {
  if (n % 23 === 0) return BASE - 20_000 * DAY + n;
  return BASE + (n % 7) * DAY + (n % 3 === 0 ? 0 : ((n * 7919) % 5) * 60_000);
}

type Order = 'STARTED_AT_ASC' | 'STARTED_AT_DESC';
interface Filter {
  startMs: number | null;
  endMs: number | null;
}
interface Args {
  first?: number;
  last?: number;
  after?: string | null;
  before?: string | null;
  limit?: number;
  offset?: number;
  orderBy?: Order;
  startDate?: string;
  endDate?: string;
}
interface Connection {
  total: number;
  limit: number;
  offset: number;
  nodes: { id: string; startedAt: string }[];
  edges: { cursor: string; node: { id: string } }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

const PAGE = `query Page($first: Int, $last: Int, $after: String, $before: String, $limit: Int, $offset: Int,
    $orderBy: SessionOrder, $startDate: DateTime, $endDate: DateTime) {
  sessions(first: $first, last: $last, after: $after, before: $before, limit: $limit, offset: $offset,
      orderBy: $orderBy, startDate: $startDate, endDate: $endDate) {
    total limit offset
    nodes { id startedAt }
    edges { cursor node { id } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`;

const compareKeys = (a: SessionKey, b: SessionKey) => a.startedAt - b.startedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

function filterArgs(filter: Filter): Pick<Args, 'startDate' | 'endDate'> {
  return {
    ...(filter.startMs === null ? {} : { startDate: formatUtc(filter.startMs) }),
    ...(filter.endMs === null ? {} : { endDate: formatUtc(filter.endMs) }),
  };
}

describe('GraphQL sessions: cursor paging', () => {
  let t: TestGateway;
  let key: string;
  let otherKey: string;
  /** What the cursors handed out to `key` name as their account (read from one, as a client could not). */
  let owner = '';
  const cursorAt = (k: SessionKey) => encodeSessionCursor(k, owner);
  const keys: SessionKey[] = [];

  beforeAll(async () => {
    t = await startTestGateway({ now: () => BASE + 400 * DAY });
    ({ key } = await accountKey(t));
    const other = await accountKey(t);
    otherKey = other.key;
    for (let n = 0; n < SESSIONS; n++) keys.push({ startedAt: startOf(n), id: idOf(n) });
    const events = keys.map((k) => ({ event_type: 'session_start', session_id: k.id, timestamp: new Date(k.startedAt).toISOString() }));
    await ingestOk(t, key, events);
    // The same ids and instants in another account, and one more session there: never seen here.
    await ingestOk(t, other.key, [...events, { event_type: 'session_start', session_id: uuid(999_999), timestamp: new Date(BASE).toISOString() }]);
    const handedOut = (await page({ first: 1 })).edges[0]!.cursor;
    owner = Buffer.from(handedOut, 'base64url').toString('utf8').split(':')[2]!;
  });
  afterAll(() => t.close());

  async function query(args: Args, apiKey = key): Promise<{ status: number; body: GraphQLBody }> {
    return t.graphql(PAGE, args as Record<string, unknown>, apiKey);
  }

  async function page(args: Args, apiKey = key): Promise<Connection> {
    const { status, body } = await query(args, apiKey);
    expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
    expect(status).toBe(200);
    return body.data!['sessions'] as Connection;
  }

  /** Brute force: the filtered sessions in the order. */
  function expected(order: Order, filter: Filter): SessionKey[] {
    const inRange = keys.filter((k) => (filter.startMs === null || k.startedAt >= filter.startMs) && (filter.endMs === null || k.startedAt <= filter.endMs));
    const sorted = [...inRange].sort(compareKeys);
    return order === 'STARTED_AT_ASC' ? sorted : sorted.reverse();
  }

  /** In the order: a before b. */
  const precedes = (order: Order, a: SessionKey, b: SessionKey) => (order === 'STARTED_AT_ASC' ? compareKeys(a, b) < 0 : compareKeys(a, b) > 0);

  const orders: Order[] = ['STARTED_AT_ASC', 'STARTED_AT_DESC'];
  const filters: [string, Filter][] = [
    ['no filter', { startMs: null, endMs: null }],
    ['a start date', { startMs: BASE + 2 * DAY, endMs: null }],
    ['an end date inside a crowded instant’s day', { startMs: null, endMs: BASE + 4 * DAY + 120_000 }],
    ['both dates', { startMs: BASE - 30_000 * DAY, endMs: BASE + 5 * DAY }],
  ];
  const cases = orders.flatMap((order) => filters.map(([name, filter]) => [order, name, filter] as const));

  it.each(cases)('pages forward with first/after through every session once, in %s order with %s', async (order, _name, filter) => {
    const all = expected(order, filter);
    for (const size of [1, 7, 200]) {
      const seen: string[] = [];
      let after: string | null = null;
      for (let n = 0; n <= all.length; n++) {
        const c = await page({ first: size, after, orderBy: order, ...filterArgs(filter) });
        expect(c.total).toBe(all.length);
        expect(c.limit).toBe(size);
        expect(c.offset).toBe(seen.length);
        expect(c.nodes.map((s) => s.id)).toEqual(c.edges.map((e) => e.node.id));
        expect(c.pageInfo.startCursor).toBe(c.edges[0]?.cursor ?? null);
        expect(c.pageInfo.endCursor).toBe(c.edges.at(-1)?.cursor ?? null);
        expect(c.pageInfo.hasPreviousPage).toBe(seen.length > 0);
        seen.push(...c.nodes.map((s) => s.id));
        expect(c.pageInfo.hasNextPage).toBe(seen.length < all.length);
        if (!c.pageInfo.hasNextPage) break;
        after = c.pageInfo.endCursor;
      }
      expect(seen).toEqual(all.map((k) => k.id));
    }
  });

  it.each(cases)('pages backward with last/before through every session once, in %s order with %s', async (order, _name, filter) => {
    const all = expected(order, filter);
    for (const size of [1, 7, 200]) {
      const seen: string[] = [];
      let before: string | null = null;
      for (let n = 0; n <= all.length; n++) {
        const c = await page({ last: size, before, orderBy: order, ...filterArgs(filter) });
        expect(c.total).toBe(all.length);
        expect(c.limit).toBe(size);
        expect(c.offset).toBe(Math.max(all.length - seen.length - size, 0));
        expect(c.pageInfo.hasNextPage).toBe(seen.length > 0);
        seen.unshift(...c.nodes.map((s) => s.id));
        expect(c.pageInfo.hasPreviousPage).toBe(seen.length < all.length);
        if (!c.pageInfo.hasPreviousPage) break;
        before = c.pageInfo.startCursor;
      }
      expect(seen).toEqual(all.map((k) => k.id));
    }
  });

  it('gives any window (after and/or before, first or last, either order, any filter, cursors at or between sessions) as Relay defines it', async () => {
    const position = fc.oneof(
      fc.constant(null),
      fc.integer({ min: 0, max: SESSIONS - 1 }).map((n) => keys[n]!),
      // A place between sessions (or at an instant with none): cursors are positions, not rows.
      fc.record({ startedAt: fc.integer({ min: BASE - 20_001 * DAY, max: BASE + 8 * DAY }), id: fc.integer({ min: 0, max: 2 ** 32 - 1 }).map(uuid) }),
    );
    const bound = fc.option(fc.integer({ min: -2, max: 8 }).map((d) => BASE + d * DAY + (d % 2) * 60_000), { nil: null });
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...orders), bound, bound, position, position, fc.boolean(), fc.integer({ min: 1, max: 30 }),
        async (order, a, b, after, before, forward, size) => {
          const filter = a !== null && b !== null && a > b ? { startMs: b, endMs: a } : { startMs: a, endMs: b };
          const all = expected(order, filter);
          const window = all.filter((k) => (!after || precedes(order, after, k)) && (!before || precedes(order, k, before)));
          const nodes = forward ? window.slice(0, size) : window.slice(Math.max(window.length - size, 0));
          const atOrBefore = (cursor: SessionKey) => all.filter((k) => !precedes(order, cursor, k)).length;
          const beyond = forward ? after && all.some((k) => !precedes(order, after, k)) : before && all.some((k) => !precedes(order, k, before));
          const c = await page({
            ...(forward ? { first: size } : { last: size }),
            after: after && cursorAt(after),
            before: before && cursorAt(before),
            orderBy: order,
            ...filterArgs(filter),
          });
          expect(c.nodes.map((s) => s.id)).toEqual(nodes.map((k) => k.id));
          expect(c.edges.map((e) => e.cursor)).toEqual(nodes.map(cursorAt));
          expect(c.total).toBe(all.length);
          expect(c.pageInfo).toEqual({
            hasNextPage: forward ? window.length > size : !!beyond,
            hasPreviousPage: forward ? !!beyond : window.length > size,
            startCursor: nodes[0] ? cursorAt(nodes[0]) : null,
            endCursor: nodes.at(-1) ? cursorAt(nodes.at(-1)!) : null,
          });
          const first = nodes[0];
          expect(c.offset).toBe(first ? all.indexOf(first) : after ? atOrBefore(after) : 0);
        }),
      { numRuns: 150 },
    );
  });

  it('takes `limit` sessions when only after or before is given: the ones just after, or just before', async () => {
    const all = expected('STARTED_AT_ASC', { startMs: null, endMs: null });
    const cursor = cursorAt(all[30]!);
    const after = await page({ after: cursor, limit: 5 });
    expect(after.nodes.map((s) => s.id)).toEqual(all.slice(31, 36).map((k) => k.id));
    expect(after.limit).toBe(5);
    const before = await page({ before: cursor, limit: 5 });
    expect(before.nodes.map((s) => s.id)).toEqual(all.slice(25, 30).map((k) => k.id));
    const byDefault = await page({ before: cursor });
    expect(byDefault.nodes.map((s) => s.id)).toEqual(all.slice(0, 30).map((k) => k.id));
    expect(byDefault.limit).toBe(50);
  });

  it('keeps offset paging as it was: pageInfo by offset and total, and its cursors continue as `after`', async () => {
    const all = expected('STARTED_AT_DESC', { startMs: null, endMs: null });
    const byOffset = await page({ limit: 10, offset: 20, orderBy: 'STARTED_AT_DESC' });
    expect(byOffset.offset).toBe(20);
    expect(byOffset.pageInfo.hasPreviousPage).toBe(true);
    expect(byOffset.pageInfo.hasNextPage).toBe(true);
    expect(byOffset.nodes.map((s) => s.id)).toEqual(all.slice(20, 30).map((k) => k.id));
    const next = await page({ first: 10, after: byOffset.pageInfo.endCursor, orderBy: 'STARTED_AT_DESC' });
    expect(next.nodes.map((s) => s.id)).toEqual(all.slice(30, 40).map((k) => k.id));
    expect(next.offset).toBe(30);
    const end = await page({ limit: 10, offset: SESSIONS - 5 });
    expect(end.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
  });

  it('applies first and last above 200 as 200, like limit', async () => {
    const c = await page({ first: 1000 });
    expect(c.limit).toBe(200);
    expect(c.nodes).toHaveLength(SESSIONS);
    expect((await page({ last: 2 ** 31 - 1 })).limit).toBe(200);
  });

  const valid = (k: SessionKey) => cursorAt(k);
  const b64 = (text: string) => Buffer.from(text).toString('base64url');
  const someKey = (): SessionKey => keys[3]!;
  const badCursors: [string, () => string][] = [
    ['an empty string', () => ''],
    ['not base64url', () => 'not a cursor!'],
    ['padded base64', () => `${Buffer.from(`session:v1:${owner}:${someKey().startedAt}:${someKey().id}`).toString('base64')}==`],
    ['standard base64 with + and /', () => Buffer.from('session:v1:1:>>>?').toString('base64')],
    ['non-canonical base64url (unused trailing bits set)', () => {
      const cursor = valid(someKey());
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      return `${cursor.slice(0, -1)}${alphabet[alphabet.indexOf(cursor.at(-1)!) | 1]}`;
    }],
    ['base64url of junk bytes', () => Buffer.from([0xff, 0xfe, 0x00, 0x01]).toString('base64url')],
    ['the format before versions (session:<ms>:<id>)', () => b64(`session:${someKey().startedAt}:${someKey().id}`)],
    ['another version', () => b64(`session:v2:${someKey().startedAt}:${someKey().id}`)],
    ['another kind of cursor', () => b64(`event:v1:${someKey().startedAt}:${someKey().id}`)],
    ['an offset cursor of another API', () => b64('arrayconnection:10')],
    ['an upper-case id', () => b64(`session:v1:${owner}:${someKey().startedAt}:${someKey().id.toUpperCase()}`)],
    ['a leading zero', () => b64(`session:v1:${owner}:0${someKey().startedAt}:${someKey().id}`)],
    ['minus zero', () => b64(`session:v1:${owner}:-0:${someKey().id}`)],
    ['an instant past year 9999', () => b64(`session:v1:${owner}:253402300800000:${someKey().id}`)],
    ['an id that is not a UUID', () => b64(`session:v1:${owner}:${someKey().startedAt}:${someKey().id.slice(1)}`)],
    ['trailing text', () => b64(`session:v1:${owner}:${someKey().startedAt}:${someKey().id}\n`)],
    ['a very long string', () => 'A'.repeat(10_000)],
  ];

  it.each(badCursors)('refuses %s as `after` and as `before` with 400 VALIDATION_ERROR naming the argument', async (_name, cursor) => {
    for (const argument of ['after', 'before'] as const) {
      const { status, body } = await query({ [argument]: cursor() });
      expect(status, JSON.stringify(body)).toBe(400);
      expect(body.data?.['sessions']).toBeNull();
      expect(body.errors).toHaveLength(1);
      expect(body.errors![0]!.extensions).toMatchObject({ code: 'VALIDATION_ERROR' });
      expect((body.errors![0]!.extensions!['details'] as { field: string }[]).map((d) => d.field)).toEqual([argument]);
    }
  });

  it('tells a cursor of another kind or version from a malformed one', async () => {
    const details = async (cursor: string) => ((await query({ after: cursor })).body.errors![0]!.extensions!['details'] as { message: string }[])[0]!.message;
    expect(await details(b64(`session:v2:1:${someKey().id}`))).toMatch(/another kind or version/);
    expect(await details('%%%')).toMatch(/not a cursor/);
  });

  it("refuses a cursor handed out to another account's key with 400 naming the argument, rather than paging from it", async () => {
    const theirs = (await page({ first: 1 }, otherKey)).edges[0]!.cursor;
    for (const argument of ['after', 'before'] as const) {
      const { status, body } = await query({ [argument]: theirs });
      expect(status, JSON.stringify(body)).toBe(400);
      expect(body.errors![0]!.extensions).toMatchObject({ code: 'VALIDATION_ERROR', details: [{ field: argument, message: "was handed out to another account's key" }] });
    }
    // The same position, handed out to this key, pages.
    const ours = cursorAt(keys[0]!);
    expect((await page({ after: ours, first: 1 })).nodes).toHaveLength(1);
  });

  const badCombinations: [string, Args | (() => Args), string[]][] = [
    ['first and last together', { first: 2, last: 2 }, ['last']],
    ['first below 1', { first: 0 }, ['first']],
    ['last below 1', { last: -3 }, ['last']],
    ['a cursor with an offset', () => ({ after: cursorAt({ startedAt: BASE, id: uuid(1) }), offset: 5 }), ['offset']],
    ['first with an offset', { first: 5, offset: 1 }, ['offset']],
    ['first with a limit other than its default', { first: 5, limit: 10 }, ['limit']],
    ['last with a limit other than its default', { last: 5, limit: 200 }, ['limit']],
    ['every rule at once, and a bad cursor', { first: 0, last: 0, offset: 2, limit: 3, before: 'x' }, ['first', 'last', 'last', 'offset', 'limit', 'before']],
  ];

  it.each(badCombinations)('refuses %s with 400 VALIDATION_ERROR naming each argument', async (_name, given, fields) => {
    const { status, body } = await query(typeof given === 'function' ? given() : given);
    expect(status, JSON.stringify(body)).toBe(400);
    expect(body.errors![0]!.extensions).toMatchObject({ code: 'VALIDATION_ERROR' });
    expect((body.errors![0]!.extensions!['details'] as { field: string }[]).map((d) => d.field)).toEqual(fields);
  });

  it('weighs first and last like limit in the query cost', async () => {
    const heavy = (size: string) => `{ sessions(${size}) { nodes { events(limit: 500) { data } } } }`;
    for (const size of ['limit: 200', 'first: 200', 'last: 200', 'first: 5000']) {
      const { status, body } = await t.graphql(heavy(size), undefined, key);
      expect(status, size).toBe(400);
      expect(body.errors![0]!.message, size).toMatch(/cost/i);
    }
    expect((await t.graphql(heavy('first: 20'), undefined, key)).status).toBe(200);
  });

  it('returns every session that existed when paging began exactly once, in order, while back-dated sessions arrive between pages', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...orders),
        fc.boolean(),
        fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 40, maxLength: 40 }),
        fc.array(fc.array(fc.integer({ min: -2 * DAY, max: 6 * DAY }), { maxLength: 3 }), { minLength: 40, maxLength: 40 }),
        async (order, forward, sizes, arrivals) => {
          run += 1;
          const { key: own } = await accountKey(t);
          const initial = keys.slice(0, 30).filter((k) => k.startedAt >= BASE);
          await ingestOk(t, own, initial.map((k) => ({ event_type: 'session_start', session_id: k.id, timestamp: new Date(k.startedAt).toISOString() })));
          const seen: { id: string; startedAt: number }[] = [];
          let cursor: string | null = null;
          for (let n = 0; n < 40; n++) {
            const size = sizes[n]!;
            const c = await page(forward ? { first: size, after: cursor, orderBy: order } : { last: size, before: cursor, orderBy: order }, own);
            const got = c.nodes.map((s) => ({ id: s.id, startedAt: Date.parse(s.startedAt) }));
            if (forward) seen.push(...got);
            else seen.unshift(...got);
            const more = forward ? c.pageInfo.hasNextPage : c.pageInfo.hasPreviousPage;
            if (!more) break;
            cursor = forward ? c.pageInfo.endCursor : c.pageInfo.startCursor;
            // Late sessions, anywhere in time: some before the pages already read.
            const late = arrivals[n]!.map((at, i) => ({
              event_type: 'session_start',
              session_id: uuid(0xc0ffee0000 + run * 1000 + n * 10 + i),
              timestamp: new Date(BASE + at).toISOString(),
            }));
            if (late.length > 0) await ingestOk(t, own, late);
          }
          // Nothing repeated, everything in order: each session strictly after the one before it.
          for (let i = 1; i < seen.length; i++) expect(precedes(order, seen[i - 1]!, seen[i]!), `${i}`).toBe(true);
          const ids = seen.map((s) => s.id);
          for (const k of initial) expect(ids.filter((id) => id === k.id), k.id).toHaveLength(1);
        }),
      { numRuns: 12 },
    );
  });
});
