import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Difference } from '../src/verify/difference.js';
import { verifySessions } from '../src/verify/recompute-sessions.js';
import { accountKey, ingestOk } from './support/ingest-support.js';
import { sideQuery } from './support/side-connection.js';
import { TEST_ENGINE } from './support/test-database.js';
import { startTestGateway, type TestGateway } from './support/test-gateway.js';

// A batch's rows go into each table as bound values: on PostgreSQL in one statement, one bound array per column
// (unnest), whose text form quotes and escapes every element; on SQLite as multi-row VALUES, in power-of-two slices. Property: whatever characters an
// event's id, tool name, tool use id and data hold, the stored row is what was sent, the text PostgreSQL cannot
// store (U+0000) stays out of the indexed columns, and the folded sessions and tools agree with `verify`.

/** Spellings that mean something inside an array literal or a statement, and text beyond ASCII. */
const TRICKY = ['"', '\\', '\\"', '{', '}', '{}', ',', 'NULL', 'null', '', ' ', '\n', '\t', "'", '$1', '::text[]', 'é', '😀', '\u2028', '\uFEFF', '\u0001', '\u007f'];

const text = fc
  .array(fc.oneof(fc.constantFrom(...TRICKY), fc.string({ unit: 'grapheme', maxLength: 8 })), { maxLength: 5 })
  .map((parts) => parts.join(''))
  .filter((s) => !s.includes('\u0000'));
/** Text an indexed column cannot hold: kept in `data` only. */
const unstorable = text.map((s) => `${s}\u0000${s}`);

/** JSON has no -0: it reads back as 0. */
const number = fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => (x === 0 ? 0 : x));

const TYPES = ['tool_use', 'tool_result', 'tool_use', 'session_start', 'notification'] as const;
const SESSIONS = ['0a000000-0000-4000-8000-000000000001', '0A000000-0000-4000-8000-000000000002', '0a000000-0000-4000-8000-000000000003'];

const eventArb = fc.record({
  session: fc.nat(SESSIONS.length - 1),
  type: fc.constantFrom(...TYPES),
  second: fc.nat(3600),
  id: fc.option(text.filter((s) => [...s].length <= 100), { nil: null }),
  data: fc.option(
    fc.record(
      {
        tool_name: fc.oneof(text, unstorable, fc.constant(42)),
        tool_use_id: fc.oneof(text, unstorable),
        note: text,
        nested: fc.dictionary(text, fc.oneof(text, number, fc.constant(null)), { maxKeys: 3 }),
        is_error: fc.boolean(),
        duration_ms: fc.oneof(number.map(Math.abs), fc.constant(-1)),
      },
      { requiredKeys: [] },
    ),
    { nil: undefined },
  ),
});

interface Sent {
  session_id: string;
  event_type: string;
  timestamp: string;
  event_id?: string;
  data: Record<string, unknown>;
}

/** Each event made unique by a `seq` in its data and a suffix to its id, so the stored row of each is known. */
type EventSpec = typeof eventArb extends fc.Arbitrary<infer T> ? T : never;

function render(events: EventSpec[], run: number): Sent[] {
  return events.map((e, seq) => ({
    session_id: SESSIONS[e.session]!,
    event_type: e.type,
    timestamp: new Date(Date.UTC(2024, 5, 1, 10) + e.second * 1000 + run).toISOString(),
    ...(e.id === null ? {} : { event_id: `${e.id}#${seq}` }),
    data: { ...e.data, seq },
  }));
}

interface StoredRow {
  session_id: string;
  event_type: string;
  ts: number | string;
  event_id: string | null;
  data: string;
  tool_use_id: string | null;
}

async function storedRows(t: TestGateway, account: string): Promise<StoredRow[]> {
  return sideQuery<StoredRow>(t, `select session_id, event_type, ts, event_id, data, tool_use_id from events
    where account_id = (select id from accounts where slug = '${account}')`);
}

function expectStoredAsSent(rows: StoredRow[], sent: Sent[]): void {
  expect(rows).toHaveLength(sent.length);
  const bySeq = new Map(rows.map((r) => [(JSON.parse(r.data) as { seq: number }).seq, r]));
  sent.forEach((e, seq) => {
    const row = bySeq.get(seq);
    const toolUseId = e.data['tool_use_id'];
    expect(row).toEqual({
      session_id: e.session_id.toLowerCase(),
      event_type: e.event_type,
      ts: expect.anything(),
      event_id: e.event_id ?? null,
      data: expect.any(String),
      tool_use_id: typeof toolUseId === 'string' && !toolUseId.includes('\u0000') ? toolUseId : null,
    });
    expect(Number(row!.ts)).toBe(Date.parse(e.timestamp));
    expect(JSON.parse(row!.data)).toEqual(e.data);
  });
}

function oneBits(n: number): number {
  return n.toString(2).replaceAll('0', '').length;
}

async function verifyClean(t: TestGateway): Promise<void> {
  const found: Difference[] = [];
  await verifySessions(t.gateway.database, { onDifference: (d) => found.push(d) });
  expect(found).toEqual([]);
}

describe('rows of a batch, stored whatever text they hold', () => {
  let t: TestGateway;

  beforeAll(async () => {
    t = await startTestGateway();
  });

  afterAll(async () => {
    await t?.close();
  });

  it('any event id, tool name, tool use id and data is stored as sent, twice delivered or not; the folds agree with verify', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(eventArb, { minLength: 1, maxLength: 40 }), fc.boolean(), async (events, twice) => {
        const { account, key } = await accountKey(t);
        const sent = render(events, run++);
        const first = await ingestOk(t, key, sent);
        expect(first).toMatchObject({ accepted: sent.length, duplicates: 0 });
        if (twice) expect(await ingestOk(t, key, [...sent].reverse())).toMatchObject({ accepted: sent.length, duplicates: sent.length });
        expectStoredAsSent(await storedRows(t, account), sent);
      }),
      { numRuns: 30 },
    );
    await verifyClean(t);
  });

  it('a batch of 1000 events, long text in each: one statement per table on PostgreSQL, one per power-of-two slice on SQLite', async () => {
    const batch = (size: number, tag: string): Sent[] =>
      Array.from({ length: size }, (_, seq) => ({
        session_id: `0b000000-0000-4000-8000-${String(seq % 97).padStart(12, '0')}`,
        event_type: seq % 3 === 0 ? 'tool_use' : seq % 3 === 1 ? 'tool_result' : 'notification',
        timestamp: new Date(Date.UTC(2024, 5, 2) + seq * 1000).toISOString(),
        ...(seq % 4 === 0 ? {} : { event_id: `${tag}-"${seq}"\\{,}` }),
        data: { seq, tool_name: `Tool "${seq % 13}" \\ {x,y}`, tool_use_id: `${tag}-${seq}`, body: `${'ü"\\,{}'.repeat(200)}${seq}`, duration_ms: seq / 7 },
      }));
    const statements = async (events: Sent[], key: string): Promise<string[]> => {
      const seen: string[] = [];
      // The batch's own writes: the gateway may write elsewhere meanwhile (a key's last use, rate counters).
      const stop = t.gateway.database.onStatement((text) => {
        const write = /^(insert into|delete from) "(events|sessions|session_tools)"/.exec(text);
        if (write) seen.push(write[0]);
      });
      try {
        await ingestOk(t, key, events);
      } finally {
        stop();
      }
      return seen;
    };
    const small = await accountKey(t);
    const large = await accountKey(t);
    const sent = batch(1000, 'large');
    const large1000 = await statements(sent, large.key);
    if (TEST_ENGINE === 'postgres') {
      expect(large1000).toEqual(await statements(batch(10, 'small'), small.key));
    } else {
      // SQLite: the rows in slices of 512, 256, … 1 (one statement text each, compiled once), so n rows take as many
      // statements as n has one bits, for the events, the sessions and the (session, tool) rows.
      const slices = (table: string, rows: number) => Array.from({ length: oneBits(rows) }, () => `insert into "${table}"`);
      const expected = (events: Sent[]) => [
        ...slices('events', events.length),
        ...slices('sessions', new Set(events.map((e) => e.session_id)).size),
        ...slices('session_tools', new Set(events.filter((e) => e.event_type !== 'notification').map((e) => `${e.session_id} ${String(e.data['tool_name'])}`)).size),
      ];
      expect(large1000).toEqual(expected(sent));
      const small10 = batch(10, 'small');
      expect(await statements(small10, small.key)).toEqual(expected(small10));
    }
    expect(await ingestOk(t, large.key, sent)).toMatchObject({ accepted: 1000, duplicates: 1000 });
    expectStoredAsSent(await storedRows(t, large.account), sent);
    await verifyClean(t);
  });
});
