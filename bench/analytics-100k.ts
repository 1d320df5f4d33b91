// Bench note for the analytics endpoints (docs/api.md#analytics): 100,000 sessions stored through the ingestion function
// (validateEvent + storeEvents, batches of 1,000 events, as POST /api/v1/events does), into a
// temporary SQLite file (or an empty PostgreSQL database); then the overview and tools queries, timed (median of several
// runs), and the tools breakdown against its per-session form (the join it was before tool_hours), in the same run.
// Not part of `npm test`. Run: node --import tsx bench/analytics-100k.ts [sessions] [postgres://… of an empty database]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { defaultConfig } from '../src/config.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { openDatabase } from '../src/db/open-database.js';
import { storeEvents } from '../src/ingest/store-events.js';
import type { ValidEvent } from '../src/ingest/valid-event.js';
import { validateEvent } from '../src/ingest/validate-event.js';
import { analyticsOverview } from '../src/use-cases/analytics-overview.js';
import { analyticsTools } from '../src/use-cases/analytics-tools.js';
import type { AuthorizedContext } from '../src/use-cases/use-case.js';
import { localServices } from '../src/use-cases/use-case-context.js';
import { selectSessionTools, selectTimelines } from '../src/sessions/session-detail-queries.js';
import { mulberry32 } from './sessions-gen.js';
import { median } from './median.js';

const SESSIONS = Number(process.argv[2] ?? 100_000);
const RUNS = 7;
const NOW = Date.parse('2024-06-01T00:00:00Z');
const SPAN_DAYS = 90;
const TOOLS = ['Read', 'Edit', 'Bash', 'Grep', 'Glob', 'Write', 'Task', 'WebFetch', 'TodoWrite', 'MultiEdit', 'LS', 'NotebookEdit'];

const uuid = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

function* sessionEvents(random: () => number): Generator<unknown> {
  for (let s = 0; s < SESSIONS; s++) {
    const id = uuid(s);
    const start = NOW - Math.floor(random() * SPAN_DAYS * 86_400_000);
    let at = start;
    const iso = () => new Date(at).toISOString();
    yield { event_type: 'session_start', session_id: id, timestamp: iso(), event_id: `s${s}` };
    const uses = 1 + Math.floor(random() * 8);
    for (let u = 0; u < uses; u++) {
      // Skewed: low indexes are much more common.
      const tool = TOOLS[Math.floor(random() * random() * TOOLS.length)]!;
      at += 1000 + Math.floor(random() * 30_000);
      yield { event_type: 'tool_use', session_id: id, timestamp: iso(), event_id: `u${s}.${u}`, data: { tool_name: tool, tool_use_id: `t${s}.${u}` } };
      at += Math.floor(random() * 5000);
      yield {
        event_type: 'tool_result', session_id: id, timestamp: iso(), event_id: `r${s}.${u}`,
        data: { tool_name: tool, tool_use_id: `t${s}.${u}`, duration_ms: Math.floor(random() * 5000), is_error: random() < 0.05 },
      };
    }
    at += 60_000;
    yield { event_type: 'session_end', session_id: id, timestamp: iso(), event_id: `e${s}` };
  }
}

/** `fn` run once to warm up, then RUNS times; the median printed under `label`. */
async function timedRuns<T>(label: string, fn: () => Promise<T>): Promise<{ result: T; ms: number }> {
  let result = await fn();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    result = await fn();
    times.push(performance.now() - started);
  }
  const ms = median(times);
  console.log(`${label.padEnd(58)} median ${ms.toFixed(1).padStart(8)} ms   (min ${Math.min(...times).toFixed(1)}, max ${Math.max(...times).toFixed(1)}, ${RUNS} runs)`);
  return { result, ms };
}

const timed = async <T>(label: string, fn: () => Promise<T>) => (await timedRuns(label, fn)).result;
const timedMs = async (label: string, fn: () => Promise<unknown>) => (await timedRuns(label, fn)).ms;

const dir = mkdtempSync(join(tmpdir(), 'trenchcoat-bench-'));
const database = openDatabase(process.argv[3] ?? join(dir, 'bench.db'), defaultConfig().postgres, defaultConfig().sqlite);
try {
  await migrateToLatest(database);
  const { db } = database;
  const account = await db.insertInto('accounts').values({ slug: 'bench', created_at: NOW }).returning('id').executeTakeFirstOrThrow();
  const accountId = Number(account.id);

  const random = mulberry32(7);
  const ingestStarted = performance.now();
  let batch: ValidEvent[] = [];
  let events = 0;
  for (const raw of sessionEvents(random)) {
    const check = validateEvent(raw);
    if (!check.ok) throw new Error(JSON.stringify(check.problems));
    batch.push(check.event);
    if (batch.length === 1000) {
      await storeEvents(db, accountId, batch);
      events += batch.length;
      batch = [];
    }
  }
  if (batch.length > 0) {
    await storeEvents(db, accountId, batch);
    events += batch.length;
  }
  const ingestSeconds = (performance.now() - ingestStarted) / 1000;
  const counts = await sql<{ sessions: number; tool_rows: number }>`
    select (select count(*) from sessions) as sessions, (select count(*) from session_tools) as tool_rows`.execute(db);
  const version = database.dialect === 'sqlite' ? sql<{ v: string }>`select 'SQLite ' || sqlite_version() as v` : sql<{ v: string }>`select version() as v`;
  console.log(`${(await version.execute(db)).rows[0]!.v.split(' on ')[0]}, node ${process.version}`);
  console.log(`ingested ${events} events into ${counts.rows[0]!.sessions} sessions (${counts.rows[0]!.tool_rows} session_tools rows) ` +
    `in ${ingestSeconds.toFixed(1)} s (${Math.round(events / ingestSeconds)} events/s, batches of 1000)`);

  const ctx: AuthorizedContext = {
    ...localServices(db, undefined, () => NOW),
    principal: { keyId: 'bench', keyPrefix: 'bench', accountId, accountSlug: 'bench', scopes: new Set(['read:analytics']), tier: 'unlimited' },
  };
  const all = { startDate: NOW - (SPAN_DAYS + 1) * 86_400_000, endDate: NOW };

  const o30 = await timed('overview, default range (last 30 days)', () => analyticsOverview.run(ctx, {}));
  const oAll = await timed(`overview, all ${SESSIONS} sessions`, () => analyticsOverview.run(ctx, all));
  await timed('tools (limit 10), default range (last 30 days)', () => analyticsTools.run(ctx, {}));
  const { result: tAll, ms: tAllMs } = await timedRuns(`tools (limit 50), all ${SESSIONS} sessions`, () => analyticsTools.run(ctx, { ...all, limit: 50 }));
  console.log(`  30 days: ${o30.totalSessions} sessions, ${o30.totalEvents} events; all: ${oAll.totalSessions} sessions, ${oAll.totalEvents} events, ${oAll.activeDays} days`);
  console.log(`  top tools (all): ${tAll.slice(0, 5).map((t) => `${t.name} ${t.invocationCount} (${t.avgDurationMs} ms, ${(t.errorRate * 100).toFixed(1)}% errors)`).join(', ')}`);

  const page = Array.from({ length: 200 }, (_, i) => uuid(i * 7));
  await timed('Session.tools for a page of 200 sessions (1 statement)', () => selectSessionTools(db, accountId, page, Number.MAX_SAFE_INTEGER));
  await timed('Session.events(limit: 50) for 200 sessions (1 statement)', () => selectTimelines(db, accountId, page, 50, 0, true));

  // The same breakdown summed from every session's own tool rows (the query before tool_hours), for the ratio.
  const bySession = (startMs: number, endMs: number) => sql`
    select t.tool_name as name, sum(t.invocations) as invocations, sum(t.errors) as errors,
      sum(cast(t.duration_sum_us as double precision)) as duration_sum_us, sum(t.duration_count) as duration_count
    from sessions s join session_tools t on t.account_id = s.account_id and t.session_id = s.id
    where s.account_id = ${accountId} and s.started_at >= ${startMs} and s.started_at <= ${endMs}
    group by t.tool_name having sum(t.invocations) > 0 order by 2 desc, 1 limit 50`.execute(db);
  const ratio = (byRow: number, byDay: number) => console.log(`  ratio per session ÷ per hour: ${(byRow / byDay).toFixed(0)}×`);
  ratio(await timedMs('  the same, all sessions, summed per session (before tool_hours)', () => bySession(all.startDate, all.endDate)), tAllMs);
  // A range with a partial first and last day (and hour): the two edge hours are still read session by session.
  const partial = { startDate: NOW - 30 * 86_400_000 + 13 * 3_600_000, endDate: NOW - 5 * 3_600_000 };
  const partialMs = await timedMs('tools (limit 50), 30 days, partial first and last day', () => analyticsTools.run(ctx, { ...partial, limit: 50 }));
  ratio(await timedMs('  the same summed per session (before tool_hours)', () => bySession(partial.startDate, partial.endDate)), partialMs);

  if (database.dialect === 'sqlite') {
    // For scale only: the same tool counts read from the events themselves (SQLite JSON).
    await timed('baseline: tool counts by scanning events (json_extract)', () =>
      sql`select json_extract(e.data, '$.tool_name') as name, count(*) as n
          from sessions s join events e on e.account_id = s.account_id and e.session_id = s.id
          where s.account_id = ${accountId} and s.started_at >= ${all.startDate} and s.started_at <= ${all.endDate}
            and e.event_type = 'tool_use' group by 1 order by 2 desc limit 50`.execute(db));
  }
} finally {
  await database.close();
  rmSync(dir, { recursive: true, force: true });
}
