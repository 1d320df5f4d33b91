import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountKey, allSessions, ingest, type RestSession } from './support/ingest-support.js';
import { startTestGateway, type TestGateway } from './support/test-gateway.js';

// docs/api.md#how-events-fold-into-sessions: a session depends only on the set of events stored,
// not on arrival order or batching, and a delivery is idempotent. Property: any permutation of a
// set of events, split into any batches, with any events delivered again (across and within batches, spelled
// differently), yields exactly the sessions of one ordered delivery — and both match a model of the folding rules.

const NOW = Date.parse('2024-06-01T12:00:00Z');
const DAY = 24 * 3_600_000;

const SESSIONS = [
  '550e8400-e29b-41d4-a716-446655440000',
  '6ba7b810-9dad-11d1-80b4-00c04fd430c8',
  'c2b1a0e4-7f3d-4e8a-9b1c-0d2e3f4a5b6c',
];
const TYPES = [
  'session_start', 'session_end', 'tool_use', 'tool_result', 'subagent_stop',
  'assistant_stop', 'prompt_submit', 'subagent_start', 'pre_compact', 'notification',
] as const;
/** A few instants, so events share them; some old enough for the inactivity closure, two on its boundary. */
const INSTANTS = [
  Date.parse('2024-05-30T10:00:00Z'),
  NOW - DAY - 1,
  NOW - DAY,
  Date.parse('2024-06-01T09:00:00.500Z'),
  Date.parse('2024-06-01T10:00:00Z'),
  Date.parse('2024-06-01T11:00:00.001Z'),
];
const DATA: (Record<string, unknown> | undefined)[] = [
  undefined,
  { tool_name: 'Read' },
  { tool_name: 'Edit', input: { path: 'a.ts', lines: [1, 2] } },
  { is_error: true, duration_ms: 12 },
];

interface EventSpec {
  session: number;
  type: (typeof TYPES)[number];
  instant: number;
  data: number;
  /** event_id tag; null for an event without event_id. */
  idTag: number | null;
}

/** How one delivery writes an event: the same event, spelled in one of several equivalent ways. */
interface Spelling {
  zone: 0 | 1 | 2 | 3;
  upperCaseSessionId: boolean;
  reorderData: boolean;
  emptyDataAsObject: boolean;
}

const CANONICAL: Spelling = { zone: 0, upperCaseSessionId: false, reorderData: false, emptyDataAsObject: false };

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

function writeInstant(ms: number, zone: Spelling['zone']): string {
  const offsetMinutes = [0, 0, 120, -330][zone]!;
  const d = new Date(ms + offsetMinutes * 60_000);
  const base = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  const millis = d.getUTCMilliseconds();
  if (zone === 0) return `${base}${millis ? `.${pad(millis, 3)}` : ''}Z`;
  if (zone === 1) return `${base}.${pad(millis, 3)}Z`;
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${base}.${pad(millis, 3)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

function reversedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversedKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reversedKeys(v)]));
  }
  return value;
}

function render(spec: EventSpec, s: Spelling): Record<string, unknown> {
  const sessionId = SESSIONS[spec.session]!;
  const out: Record<string, unknown> = {
    event_type: spec.type,
    session_id: s.upperCaseSessionId ? sessionId.toUpperCase() : sessionId,
    timestamp: writeInstant(INSTANTS[spec.instant]!, s.zone),
  };
  const data = DATA[spec.data];
  if (data !== undefined) out['data'] = s.reorderData ? reversedKeys(data) : data;
  else if (s.emptyDataAsObject) out['data'] = {};
  if (spec.idTag !== null) out['event_id'] = `evt-${spec.idTag}`;
  return out;
}

/** Clients must not reuse an event_id within a session for a different event: keep the first. */
function withUniqueEventIds(specs: EventSpec[]): EventSpec[] {
  const seen = new Set<string>();
  return specs.filter((e) => {
    if (e.idTag === null) return true;
    const key = `${e.session}/${e.idTag}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function sortedJson(value: unknown): string {
  const sort = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(sort)
      : v !== null && typeof v === 'object'
        ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sort((v as Record<string, unknown>)[k])]))
        : v;
  return JSON.stringify(sort(value ?? {}));
}

function utc(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
}

/** The folding rules of docs/api.md#how-events-fold-into-sessions, written out directly from the text. */
function modelSessions(specs: EventSpec[], now: number): RestSession[] {
  const stored = new Map<string, EventSpec>();
  for (const e of specs) {
    const identity = e.idTag !== null ? `id:${e.idTag}` : `h:${e.type}|${INSTANTS[e.instant]}|${sortedJson(DATA[e.data])}`;
    const key = `${e.session}/${identity}`;
    if (!stored.has(key)) stored.set(key, e);
  }
  const bySession = new Map<number, EventSpec[]>();
  for (const e of stored.values()) bySession.set(e.session, [...(bySession.get(e.session) ?? []), e]);
  const sessions = [...bySession.entries()].map(([index, events]) => {
    const times = (type?: string) => events.filter((e) => !type || e.type === type).map((e) => INSTANTS[e.instant]!);
    const starts = times('session_start');
    const ends = times('session_end');
    const all = times();
    const startedAt = starts.length > 0 ? Math.min(...starts) : Math.min(...all);
    const latestEnd = ends.length > 0 ? Math.max(...ends) : null;
    const latestStart = starts.length > 0 ? Math.max(...starts) : null;
    const latestEvent = Math.max(...all);
    let endedAt: number | null = null;
    if (latestEnd !== null && (latestStart === null || latestStart <= latestEnd)) endedAt = latestEnd;
    else if (latestEvent < now - DAY) endedAt = latestEvent;
    return {
      startedAtMs: startedAt,
      session: {
        id: SESSIONS[index]!,
        started_at: utc(startedAt),
        ended_at: endedAt === null ? null : utc(endedAt),
        duration_ms: endedAt === null ? null : endedAt - startedAt,
        event_count: events.length,
        tool_invocations: events.filter((e) => e.type === 'tool_use').length,
      },
    };
  });
  sessions.sort((a, b) => a.startedAtMs - b.startedAtMs || (a.session.id < b.session.id ? -1 : a.session.id > b.session.id ? 1 : 0));
  return sessions.map((s) => s.session);
}

const specArb: fc.Arbitrary<EventSpec> = fc.record({
  session: fc.nat(SESSIONS.length - 1),
  type: fc.constantFrom(...TYPES),
  instant: fc.nat(INSTANTS.length - 1),
  data: fc.nat(DATA.length - 1),
  idTag: fc.option(fc.nat(5), { nil: null, freq: 3 }),
});

const spellingArb: fc.Arbitrary<Spelling> = fc.record({
  zone: fc.constantFrom(0 as const, 1 as const, 2 as const, 3 as const),
  upperCaseSessionId: fc.boolean(),
  reorderData: fc.boolean(),
  emptyDataAsObject: fc.boolean(),
});

interface Delivery {
  index: number;
  spelling: Spelling;
}

const scenarioArb = fc
  .array(specArb, { minLength: 1, maxLength: 24 })
  .map(withUniqueEventIds)
  .chain((events) =>
    fc
      .tuple(
        fc.array(spellingArb, { minLength: events.length, maxLength: events.length }),
        fc.array(fc.record({ index: fc.nat(events.length - 1), spelling: spellingArb }), { maxLength: events.length }),
      )
      .chain(([firstSpellings, again]) => {
        const deliveries: Delivery[] = [...firstSpellings.map((spelling, index) => ({ index, spelling })), ...again];
        return fc.record({
          events: fc.constant(events),
          order: fc.shuffledSubarray(deliveries, { minLength: deliveries.length, maxLength: deliveries.length }),
          cuts: fc.array(fc.boolean(), { minLength: deliveries.length, maxLength: deliveries.length }),
        });
      }),
  );

function batchesOf(order: Delivery[], cuts: boolean[]): Delivery[][] {
  const batches: Delivery[][] = [[]];
  order.forEach((d, i) => {
    batches[batches.length - 1]!.push(d);
    if (cuts[i] && i < order.length - 1) batches.push([]);
  });
  return batches;
}

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({ now: () => NOW });
});
afterAll(() => t.close());

describe('ingestion is independent of order, batching and repetition', () => {
  it('the model of the folding rules gives the hand-computed sessions', () => {
    const specs: EventSpec[] = [
      { session: 0, type: 'tool_use', instant: 0, data: 1, idTag: null },
      { session: 0, type: 'tool_use', instant: 0, data: 1, idTag: null },
      { session: 0, type: 'session_start', instant: 3, data: 0, idTag: 1 },
    ];
    expect(modelSessions(specs, NOW)).toStrictEqual([{
      id: SESSIONS[0], started_at: '2024-06-01T09:00:00.500Z', ended_at: null, duration_ms: null, event_count: 2, tool_invocations: 1,
    }]);
  });

  it('any permutation, batching and redelivery yields the sessions of one ordered delivery', { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async ({ events, order, cuts }) => {
        const reference = await accountKey(t);
        const shuffled = await accountKey(t);

        const ordered = await ingest(t, reference.key, { events: events.map((e) => render(e, CANONICAL)) });
        expect(ordered.status).toBe(200);

        let accepted = 0;
        let duplicates = 0;
        for (const batch of batchesOf(order, cuts)) {
          const { status, body } = await ingest(t, shuffled.key, {
            events: batch.map((d) => render(events[d.index]!, d.spelling)),
          });
          expect(status, JSON.stringify(body)).toBe(200);
          expect(body.data.rejected, JSON.stringify(body)).toBe(0);
          expect(body.data.errors).toStrictEqual([]);
          accepted += body.data.accepted;
          duplicates += body.data.duplicates;
        }

        const expected = modelSessions(events, NOW);
        const storedCount = expected.reduce((n, s) => n + s.event_count, 0);
        expect(accepted).toBe(order.length);
        expect(duplicates).toBe(order.length - storedCount);
        expect(ordered.body.data).toStrictEqual({
          accepted: events.length, rejected: 0, duplicates: events.length - storedCount, errors: [],
        });

        const fromOrdered = await allSessions(t, reference.key);
        const fromShuffled = await allSessions(t, shuffled.key);
        expect(fromShuffled).toStrictEqual(fromOrdered);
        expect(fromOrdered).toStrictEqual({ total: expected.length, sessions: expected });
      }),
      { numRuns: 35 },
    );
  });
});
