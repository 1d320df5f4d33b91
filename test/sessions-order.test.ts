// docs/api.md#sessions: `order=asc|desc` on GET /api/v1/sessions and `orderBy: SessionOrder` on GraphQL's
// `sessions`. Descending is the exact reverse of ascending (started_at, then id), for any filter, at any offset
// (deep offsets are sought through per-day counts in both directions), with the same total; anything but
// `asc` or `desc`, once, is a 400 naming `order`.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatUtc } from '../src/time/iso-time.js';
import { accountKey, ingestOk } from './support/ingest-support.js';
import { expectErrorEnvelope } from './support/rest-read-helpers.js';
import { startTestGateway, type TestGateway } from './support/test-gateway.js';

const DAY = 86_400_000;
const BASE = Date.UTC(2024, 0, 10);
const DAYS = 12;
/** More than the offset from which pages are sought through day counts (1,000), so deep pages are exercised. */
const SESSIONS = 1500;

function uuid(n: number): string {
  return `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

/** Few instants per day, at the day's edges too, so that many sessions share a started_at. */
function startOf(n: number): number {
  const day = (n * 5) % DAYS === 7 ? 3 : (n * 5) % DAYS; // day 7 empty, day 3 crowded
  const inDay = n % 11 === 0 ? DAY - 1 : n % 13 === 0 ? 0 : ((n * 7919) % 40) * 60_000;
  return BASE + day * DAY + inDay;
}

/** Ids unrelated to ingestion order (an odd multiplier is a bijection modulo 2^32). */
const idOf = (n: number) => uuid(Math.imul(n, 2654435761) >>> 0);

const starts = new Map<string, number>();
for (let n = 0; n < SESSIONS; n++) starts.set(idOf(n), startOf(n));

/** Brute force: the sessions in the range, by started_at then id, ascending. */
function ascending(startMs: number | null, endMs: number | null): string[] {
  return [...starts.entries()]
    .filter(([, at]) => (startMs === null || at >= startMs) && (endMs === null || at <= endMs))
    .sort(([ia, a], [ib, b]) => a - b || (ia < ib ? -1 : ia > ib ? 1 : 0))
    .map(([id]) => id);
}

interface Page {
  sessions: { id: string; started_at: string }[];
  total: number;
  limit: number;
  offset: number;
}

let t: TestGateway;
let key: string;

async function rest(query: string): Promise<Page> {
  const response = await t.get(`/api/v1/sessions?${query}`, key);
  const body = await response.json();
  expect(response.status, `${query} → ${JSON.stringify(body).slice(0, 300)}`).toBe(200);
  return (body as { data: Page }).data;
}

function params(p: { limit?: number; offset?: number; start?: number | null; end?: number | null; order?: string }): string {
  const q = new URLSearchParams();
  if (p.limit !== undefined) q.set('limit', String(p.limit));
  if (p.offset !== undefined) q.set('offset', String(p.offset));
  if (p.start != null) q.set('start_date', formatUtc(p.start));
  if (p.end != null) q.set('end_date', formatUtc(p.end));
  if (p.order !== undefined) q.set('order', p.order);
  return q.toString();
}

beforeAll(async () => {
  t = await startTestGateway({ now: () => BASE + 400 * DAY });
  ({ key } = await accountKey(t));
  const events = [...starts.entries()].map(([id, at]) => ({ event_type: 'tool_use', session_id: id, timestamp: new Date(at).toISOString() }));
  for (let i = 0; i < events.length; i += 1000) await ingestOk(t, key, events.slice(i, i + 1000));
  // Another account on the same days must not count in either order.
  const other = await accountKey(t);
  await ingestOk(t, other.key, events.slice(0, 600));
});
afterAll(() => t.close());

const instants = [...new Set(starts.values())];
const bound = fc.option(
  fc.oneof(
    fc.integer({ min: -1, max: DAYS + 1 }).map((d) => BASE + d * DAY), // aligned to a day
    fc.integer({ min: -1, max: DAYS + 1 }).map((d) => BASE + (d + 1) * DAY - 1), // last ms of a day
    fc.integer({ min: -DAY, max: (DAYS + 1) * DAY }).map((ms) => BASE + ms), // anywhere
    fc.constantFrom(...instants), // exactly on a shared started_at
  ),
  { nil: null },
);
const offsetArb = fc.oneof(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 990, max: SESSIONS + 5 }), fc.integer({ min: 0, max: SESSIONS }));

describe('order=desc', () => {
  it('is the exact reverse of the ascending order, with the same total, for any filter and offset (deep ones included)', async () => {
    await fc.assert(
      fc.asyncProperty(bound, bound, offsetArb, fc.integer({ min: 1, max: 200 }), async (a, b, offset, limit) => {
        const [start, end] = a !== null && b !== null && a > b ? [b, a] : [a, b];
        const asc = ascending(start, end);
        const desc = [...asc].reverse();
        const up = await rest(params({ limit, offset, start, end, order: 'asc' }));
        const down = await rest(params({ limit, offset, start, end, order: 'desc' }));
        expect(up.total).toBe(asc.length);
        expect(down.total).toBe(asc.length);
        expect(down.limit).toBe(limit);
        expect(down.offset).toBe(offset);
        expect(up.sessions.map((s) => s.id)).toEqual(asc.slice(offset, offset + limit));
        expect(down.sessions.map((s) => s.id)).toEqual(desc.slice(offset, offset + limit));
        expect(down.sessions.map((s) => Date.parse(s.started_at))).toEqual(desc.slice(offset, offset + limit).map((id) => starts.get(id)));
      }),
      { numRuns: 120, seed: 16_2 },
    );
  });

  it('paging with offset += limit visits every session exactly once, newest first', async () => {
    for (const [start, end] of [[null, null], [BASE + 2 * DAY + 1, BASE + 9 * DAY - 1]] as const) {
      const seen: string[] = [];
      for (let offset = 0; ; offset += 200) {
        const data = await rest(params({ limit: 200, offset, start, end, order: 'desc' }));
        expect(data.total).toBe(ascending(start, end).length);
        if (data.sessions.length === 0) break;
        seen.push(...data.sessions.map((s) => s.id));
      }
      expect(seen).toEqual(ascending(start, end).reverse());
      expect(new Set(seen).size).toBe(seen.length);
    }
  });

  it('breaks ties of started_at by id descending', async () => {
    const crowded = instants.find((at) => [...starts.values()].filter((v) => v === at).length > 3)!;
    const data = await rest(params({ limit: 200, start: crowded, end: crowded, order: 'desc' }));
    const ids = [...starts.entries()].filter(([, at]) => at === crowded).map(([id]) => id).sort().reverse();
    expect(ids.length).toBeGreaterThan(3);
    expect(data.sessions.map((s) => s.id)).toEqual(ids);
  });
});

describe('default', () => {
  it('order=asc answers byte for byte what no order answers', async () => {
    for (const query of ['', 'limit=7&offset=3', 'limit=200&offset=1200', `start_date=${formatUtc(BASE + DAY)}&limit=5`]) {
      const plain = await (await t.get(`/api/v1/sessions?${query}`, key)).text();
      const asc = await (await t.get(`/api/v1/sessions?${query}${query ? '&' : ''}order=asc`, key)).text();
      expect(asc, query).toBe(plain);
    }
  });
});

describe('bad values', () => {
  it.each([
    ['order=DESC'],
    ['order=Asc'],
    ['order='],
    ['order'],
    ['order=up'],
    ['order=descending'],
    ['order=%20desc'],
    ['order=desc&order=desc'],
    ['order=asc&order=desc'],
  ])('%s → 400 naming order', async (query) => {
    const response = await t.get(`/api/v1/sessions?${query}`, key);
    expect(response.status).toBe(400);
    expectErrorEnvelope(await response.json(), 'VALIDATION_ERROR', ['order']);
  });

  it('is reported together with the other bad parameters', async () => {
    const response = await t.get('/api/v1/sessions?order=up&limit=0&start_date=2024-02-30', key);
    expect(response.status).toBe(400);
    expectErrorEnvelope(await response.json(), 'VALIDATION_ERROR', ['order', 'limit', 'start_date']);
  });

  it('GraphQL refuses a value outside SessionOrder, and runs nothing', async () => {
    const { body } = await t.graphql('{ sessions(orderBy: DESC) { total } }', {}, key);
    expect(body.data).toBeUndefined();
    expect(body.errors?.length).toBeGreaterThan(0);
  });
});

const QUERY = `query($limit: Int, $offset: Int, $startDate: DateTime, $endDate: DateTime, $orderBy: SessionOrder) {
  sessions(limit: $limit, offset: $offset, startDate: $startDate, endDate: $endDate, orderBy: $orderBy) {
    nodes { id startedAt }
    pageInfo { hasNextPage hasPreviousPage }
    total limit offset
  }
}`;

describe('GraphQL orderBy', () => {
  it('gives what REST gives for the same order, filters and page, pageInfo included', async () => {
    await fc.assert(
      fc.asyncProperty(bound, bound, offsetArb, fc.integer({ min: 1, max: 200 }), fc.constantFrom('asc', 'desc', undefined), async (a, b, offset, limit, order) => {
        const [start, end] = a !== null && b !== null && a > b ? [b, a] : [a, b];
        const variables: Record<string, unknown> = { limit, offset };
        if (start !== null) variables['startDate'] = formatUtc(start);
        if (end !== null) variables['endDate'] = formatUtc(end);
        if (order !== undefined) variables['orderBy'] = order === 'asc' ? 'STARTED_AT_ASC' : 'STARTED_AT_DESC';
        const { status, body } = await t.graphql(QUERY, variables, key);
        expect(status, JSON.stringify(body)).toBe(200);
        expect(body.errors).toBeUndefined();
        const page = (body.data as any).sessions;
        const data = await rest(params({ limit, offset, start, end, order }));
        expect(page.nodes.map((n: { id: string; startedAt: string }) => [n.id, n.startedAt])).toEqual(data.sessions.map((s) => [s.id, s.started_at]));
        expect([page.total, page.limit, page.offset]).toEqual([data.total, data.limit, data.offset]);
        expect(page.pageInfo).toEqual({ hasNextPage: offset + data.sessions.length < data.total, hasPreviousPage: offset > 0 });
      }),
      { numRuns: 60, seed: 16_20 },
    );
  });

  it('defaults to STARTED_AT_ASC, and STARTED_AT_DESC puts the newest session first', async () => {
    const all = ascending(null, null);
    const first = async (orderBy?: string) => {
      const { body } = await t.graphql(`{ sessions(limit: 1${orderBy ? `, orderBy: ${orderBy}` : ''}) { nodes { id } pageInfo { hasNextPage hasPreviousPage } } }`, {}, key);
      return (body.data as any).sessions;
    };
    expect(await first()).toEqual({ nodes: [{ id: all[0] }], pageInfo: { hasNextPage: true, hasPreviousPage: false } });
    expect(await first('STARTED_AT_ASC')).toEqual(await first());
    expect(await first('STARTED_AT_DESC')).toEqual({ nodes: [{ id: all[all.length - 1] }], pageInfo: { hasNextPage: true, hasPreviousPage: false } });
  });
});
