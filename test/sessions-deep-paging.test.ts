// Totals and deep offsets are served from per-day counts (session_days) and a seek to the day
// where the offset falls. Whatever the filter bounds (aligned to a day or not), the offset, or
// late events that move a session's start to another day, the page must be the one a plain
// ORDER BY started_at, id LIMIT/OFFSET over all sessions would give.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatUtc } from '../src/time/iso-time.js';
import { accountKey, ingestOk } from './support/ingest-support.js';
import { startTestGateway, type TestGateway } from './support/test-gateway.js';

const DAY = 86_400_000;
const BASE = Date.UTC(2023, 11, 20); // spans a year end, and some sessions start before 1970
const SESSIONS = 2600;

function uuid(n: number): string {
  return `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

describe('sessions paging over many days', () => {
  let t: TestGateway;
  let key: string;
  const starts = new Map<string, number>();

  beforeAll(async () => {
    t = await startTestGateway({ now: () => BASE + 400 * DAY });
    ({ key } = await accountKey(t));
    const other = await accountKey(t);
    const events = [];
    for (let n = 0; n < SESSIONS; n++) {
      // Days 0..39 with gaps and crowds; a few sessions far back, before 1970.
      const day = n % 97 === 0 ? -19_800 : (n * 7) % 40 === 13 ? 14 : (n * 7) % 40;
      const at = BASE + day * DAY + ((n * 7919) % DAY);
      starts.set(uuid(n), at);
      events.push({ event_type: 'tool_use', session_id: uuid(n), timestamp: new Date(at).toISOString() });
    }
    for (let i = 0; i < events.length; i += 1000) await ingestOk(t, key, events.slice(i, i + 1000));
    // Late, earlier session_start events move every 5th session's start to an earlier day.
    const moves = [];
    for (let n = 0; n < SESSIONS; n += 5) {
      const at = starts.get(uuid(n))! - ((n % 3) + 1) * DAY - 1234;
      starts.set(uuid(n), at);
      moves.push({ event_type: 'session_start', session_id: uuid(n), timestamp: new Date(at).toISOString() });
    }
    for (let i = 0; i < moves.length; i += 1000) await ingestOk(t, key, moves.slice(i, i + 1000));
    // Another account's sessions on the same days must not count.
    await ingestOk(t, other.key, [...starts.entries()].slice(0, 900).map(([id, at]) => ({
      event_type: 'tool_use', session_id: id, timestamp: new Date(at).toISOString(),
    })));
  });
  afterAll(() => t.close());

  function expected(startMs: number | null, endMs: number | null) {
    return [...starts.entries()]
      .filter(([, at]) => (startMs === null || at >= startMs) && (endMs === null || at <= endMs))
      .sort(([ia, a], [ib, b]) => a - b || (ia < ib ? -1 : ia > ib ? 1 : 0));
  }

  const bound = fc.option(
    fc.oneof(
      fc.integer({ min: -3, max: 42 }).map((d) => BASE + d * DAY), // aligned to a day
      fc.integer({ min: -3 * DAY, max: 42 * DAY }).map((ms) => BASE + ms), // anywhere
      fc.integer({ min: -3, max: 42 }).map((d) => BASE + (d + 1) * DAY - 1), // last ms of a day
    ),
    { nil: null },
  );

  it('gives the same page and total as a plain ordered scan', async () => {
    await fc.assert(
      fc.asyncProperty(bound, bound, fc.integer({ min: 0, max: SESSIONS + 10 }), fc.integer({ min: 1, max: 200 }),
        async (a, b, offset, limit) => {
          const [startMs, endMs] = a !== null && b !== null && a > b ? [b, a] : [a, b];
          const params = new URLSearchParams({ limit: String(limit), offset: String(offset) });
          if (startMs !== null) params.set('start_date', formatUtc(startMs));
          if (endMs !== null) params.set('end_date', formatUtc(endMs));
          const response = await t.get(`/api/v1/sessions?${params}`, key);
          expect(response.status).toBe(200);
          const body = (await response.json()) as { data: { sessions: { id: string; started_at: string }[]; total: number } };
          const all = expected(startMs, endMs);
          expect(body.data.total).toBe(all.length);
          expect(body.data.sessions.map((s) => [s.id, s.started_at])).toEqual(
            all.slice(offset, offset + limit).map(([id, at]) => [id, formatUtc(at)]),
          );
        }),
      { numRuns: 120, seed: 20261129 },
    );
  });

  it('pages through everything with offset += limit, deep pages included', async () => {
    const seen: string[] = [];
    for (let offset = 0; ; offset += 200) {
      const body = (await (await t.get(`/api/v1/sessions?limit=200&offset=${offset}`, key)).json()) as {
        data: { sessions: { id: string }[]; total: number };
      };
      expect(body.data.total).toBe(SESSIONS);
      if (body.data.sessions.length === 0) break;
      seen.push(...body.data.sessions.map((s) => s.id));
    }
    expect(seen).toEqual(expected(null, null).map(([id]) => id));
  });
});
