// The tools breakdown reads whole hours from tool_hours (migration 0008), kept by ingestion and triggers, and only the
// partial first and last hour from the sessions' own tool rows. Properties, on a real database of the run's engine: whatever the
// events, their order, batching and class (direct or reported, which replaces a session's tool rows when its first
// direct event arrives), and however late an earlier event moves a session's start to another hour,
// - tool_hours holds exactly the session_tools rows summed by their session's current start hour (and `verify` agrees),
// - the breakdown over any range equals the one summed from the sessions of that range, one by one.
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectToolTotals, type ToolTotals } from '../src/analytics/analytics-queries.js';
import { defaultConfig } from '../src/config.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { openDatabase, type Database } from '../src/db/open-database.js';
import { storeEvents } from '../src/ingest/store-events.js';
import type { ValidEvent } from '../src/ingest/valid-event.js';
import { validateEvent } from '../src/ingest/validate-event.js';
import { hourOf } from '../src/time/utc-hours.js';
import { verifySessions } from '../src/verify/recompute-sessions.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

const SESSIONS = ['d0000000-0000-4000-8000-000000000001', 'd0000000-0000-4000-8000-000000000002', 'd0000000-0000-4000-8000-000000000003'];
const HOUR = 3_600_000;
const MIDNIGHT = Date.parse('2024-03-02T00:00:00Z');
/** Instants in five hours, on two days: a millisecond either side of a midnight and of the next hour. */
const INSTANTS = [MIDNIGHT - 2 * HOUR + 1_200_000, MIDNIGHT - 1, MIDNIGHT, MIDNIGHT + 1_800_000, MIDNIGHT + HOUR, MIDNIGHT + HOUR + 1, MIDNIGHT + 3 * HOUR];
/** Range bounds: the instants, the hours' first and last milliseconds, and beyond both ends. */
const BOUNDS = [...new Set([
  ...INSTANTS, MIDNIGHT - 2 * HOUR, MIDNIGHT - HOUR, MIDNIGHT - 2, MIDNIGHT + HOUR - 1, MIDNIGHT + 2 * HOUR - 1, MIDNIGHT + 4 * HOUR - 1,
  MIDNIGHT - 5 * 86_400_000, MIDNIGHT + 5 * 86_400_000,
])].sort((a, b) => a - b);
const TOOLS = ['Read', 'Edit', 'Bash'];

interface Spec {
  session: number;
  type: 'session_start' | 'tool_use' | 'tool_result' | 'notification';
  instant: number;
  tool: number;
  isError: boolean;
  durationMs: number | null;
  reported: boolean;
}

const specArb: fc.Arbitrary<Spec> = fc.record({
  session: fc.nat(SESSIONS.length - 1),
  type: fc.constantFrom('session_start' as const, 'tool_use' as const, 'tool_use' as const, 'tool_result' as const, 'notification' as const),
  instant: fc.nat(INSTANTS.length - 1),
  tool: fc.nat(TOOLS.length - 1),
  isError: fc.boolean(),
  durationMs: fc.option(fc.integer({ min: 0, max: 9_000 }), { nil: null }),
  reported: fc.boolean(),
});

const scenarioArb = fc.array(specArb, { minLength: 1, maxLength: 30 }).chain((specs) =>
  fc.record({
    specs: fc.constant(specs),
    order: fc.shuffledSubarray(specs.map((_, i) => i), { minLength: specs.length, maxLength: specs.length }),
    cuts: fc.array(fc.boolean(), { minLength: specs.length, maxLength: specs.length }),
    ranges: fc.array(fc.tuple(fc.nat(BOUNDS.length - 1), fc.nat(BOUNDS.length - 1)), { minLength: 1, maxLength: 6 }),
  }),
);

function validEvent(spec: Spec, index: number): ValidEvent {
  const data: Record<string, unknown> = spec.type === 'tool_use' || spec.type === 'tool_result' ? { tool_name: TOOLS[spec.tool] } : {};
  if (spec.type === 'tool_result') {
    data['is_error'] = spec.isError;
    if (spec.durationMs !== null) data['duration_ms'] = spec.durationMs;
  }
  const check = validateEvent({
    event_type: spec.type, session_id: SESSIONS[spec.session], timestamp: new Date(INSTANTS[spec.instant]!).toISOString(),
    event_id: `e${index}`, data,
  });
  if (!check.ok) throw new Error(JSON.stringify(check.problems));
  return check.event;
}

/** Consecutive runs of one class, cut further where `cuts` says: each run is one stored batch. */
function batches(specs: Spec[], order: number[], cuts: boolean[]): { reported: boolean; events: ValidEvent[] }[] {
  const out: { reported: boolean; events: ValidEvent[] }[] = [];
  order.forEach((index, i) => {
    const spec = specs[index]!;
    const last = out[out.length - 1];
    if (!last || last.reported !== spec.reported || cuts[i]) out.push({ reported: spec.reported, events: [] });
    out[out.length - 1]!.events.push(validEvent(spec, index));
  });
  return out;
}

interface HourToolRow { hour: number; tool_name: string; invocations: number; errors: number; duration_sum_us: number; duration_count: number }

/** pg may hand sums back as strings: rows as numbers, all-zero ones (left by moves) dropped, in (hour, tool) order. */
const asNumbers = (rows: readonly { [K in keyof HourToolRow]: unknown }[]): HourToolRow[] =>
  rows
    .map((r) => ({
      hour: Number(r.hour), tool_name: String(r.tool_name), invocations: Number(r.invocations), errors: Number(r.errors),
      duration_sum_us: Number(r.duration_sum_us), duration_count: Number(r.duration_count),
    }))
    .filter((r) => r.invocations !== 0 || r.errors !== 0 || r.duration_sum_us !== 0 || r.duration_count !== 0)
    .sort((a, b) => a.hour - b.hour || (a.tool_name < b.tool_name ? -1 : a.tool_name > b.tool_name ? 1 : 0));

/** The breakdown summed from the range's sessions one by one: what the query computed before tool_hours. */
async function toolTotalsBySession(database: Database, accountId: number, startMs: number, endMs: number): Promise<ToolTotals[]> {
  const { rows } = await sql<Record<string, unknown>>`
    select t.tool_name as name, sum(t.invocations) as invocations, sum(t.errors) as errors,
      sum(cast(t.duration_sum_us as double precision)) as duration_sum_us, sum(t.duration_count) as duration_count
    from sessions s join session_tools t on t.account_id = s.account_id and t.session_id = s.id
    where s.account_id = ${accountId} and s.started_at >= ${startMs} and s.started_at <= ${endMs}
    group by t.tool_name having sum(t.invocations) > 0
    order by sum(t.invocations) desc, t.tool_name asc`.execute(database.db);
  return rows.map((r) => ({
    name: String(r['name']), invocations: Number(r['invocations']), errors: Number(r['errors']),
    durationSumUs: Number(r['duration_sum_us']), durationCount: Number(r['duration_count']),
  }));
}

describe('tool_hours: the tools breakdown by whole hours', () => {
  let testDb: TestDatabase;
  let database: Database;
  let runs = 0;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    const config = defaultConfig();
    database = openDatabase(testDb.url, { ...config.postgres, poolSize: 1 }, config.sqlite);
    await migrateToLatest(database);
  });
  afterAll(async () => {
    await database?.close();
    await testDb?.drop();
  });

  it('holds the session_tools rows summed by start hour, and answers every range as the sessions one by one do', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async ({ specs, order, cuts, ranges }) => {
        // A fresh account per run: the tables are shared, the account is what every read is scoped to.
        const account = await database.db.insertInto('accounts').values({ slug: `hours-${++runs}`, created_at: MIDNIGHT })
          .returning('id').executeTakeFirstOrThrow();
        const accountId = Number(account.id);
        for (const batch of batches(specs, order, cuts)) await storeEvents(database.db, accountId, batch.events, { reported: batch.reported });

        const stored = await database.db.selectFrom('tool_hours').selectAll().where('account_id', '=', accountId).execute();
        const bySession = await database.db.selectFrom('session_tools as t')
          .innerJoin('sessions as s', (j) => j.onRef('s.account_id', '=', 't.account_id').onRef('s.id', '=', 't.session_id'))
          .where('t.account_id', '=', accountId)
          .select(['s.started_at', 't.tool_name', 't.invocations', 't.errors', 't.duration_sum_us', 't.duration_count'])
          .execute();
        const summed = new Map<string, HourToolRow>();
        for (const r of bySession) {
          const hour = hourOf(Number(r.started_at));
          const key = `${hour}/${r.tool_name}`;
          const row = summed.get(key) ?? { hour, tool_name: r.tool_name, invocations: 0, errors: 0, duration_sum_us: 0, duration_count: 0 };
          row.invocations += Number(r.invocations);
          row.errors += Number(r.errors);
          row.duration_sum_us += Number(r.duration_sum_us);
          row.duration_count += Number(r.duration_count);
          summed.set(key, row);
        }
        expect(asNumbers(stored)).toEqual(asNumbers([...summed.values()]));

        // And `trenchcoat verify`, recomputing everything from the events, finds nothing to report.
        const differences: unknown[] = [];
        await verifySessions(database, { accountId, onDifference: (d) => differences.push(d) });
        expect(differences).toEqual([]);

        for (const [a, b] of ranges) {
          const range = { startMs: BOUNDS[Math.min(a, b)]!, endMs: BOUNDS[Math.max(a, b)]! };
          const expected = await toolTotalsBySession(database, accountId, range.startMs, range.endMs);
          expect(await selectToolTotals(database.db, accountId, range, 50)).toEqual(expected);
        }
      }),
      { numRuns: 60 },
    );
  }, 120_000);

  it('recounts an hour whose session stopped its duration sum at the ceiling, and moves it when the start moves', async () => {
    const account = await database.db.insertInto('accounts').values({ slug: 'hours-ceiling', created_at: MIDNIGHT }).returning('id').executeTakeFirstOrThrow();
    const accountId = Number(account.id);
    const result = (session: number, instant: number, durationMs: number, index: number) =>
      validEvent({ session, type: 'tool_result', instant, tool: 0, isError: false, durationMs, reported: false }, index);
    // Session 0: two results of 5e12 ms (5e15 µs each) pass 2^53 µs together; session 1 adds 7.001 ms in the same hour
    // (2^53 − 1 + 7001 is a float exactly: the sums are floats, exact below 2^53 µs, 285 years an hour per tool).
    await storeEvents(database.db, accountId, [result(0, 3, 5e12, 1), result(1, 3, 7.001, 2)]);
    await storeEvents(database.db, accountId, [result(0, 3, 5e12, 3)]);
    const cells = async () => asNumbers(await database.db.selectFrom('tool_hours').selectAll().where('account_id', '=', accountId).execute());
    expect(await cells()).toEqual([
      { hour: hourOf(INSTANTS[3]!), tool_name: 'Read', invocations: 0, errors: 0, duration_sum_us: Number.MAX_SAFE_INTEGER + 7001, duration_count: 3 },
    ]);
    // An earlier event moves session 0's start to an earlier hour (the day before): its counters go with it.
    await storeEvents(database.db, accountId, [validEvent({ session: 0, type: 'notification', instant: 0, tool: 0, isError: false, durationMs: null, reported: false }, 4)]);
    expect(await cells()).toEqual([
      { hour: hourOf(INSTANTS[0]!), tool_name: 'Read', invocations: 0, errors: 0, duration_sum_us: Number.MAX_SAFE_INTEGER, duration_count: 2 },
      { hour: hourOf(INSTANTS[3]!), tool_name: 'Read', invocations: 0, errors: 0, duration_sum_us: 7001, duration_count: 1 },
    ]);
  });
});
