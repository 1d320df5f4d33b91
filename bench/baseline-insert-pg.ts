// The ingestion baseline on PostgreSQL: a loop inserting the same 1000-event batches through one pg
// connection, one transaction per batch, into a scratch database with the gateway's schema (a copy
// of a freshly migrated gateway database: tables and indexes, no triggers). It stores what the
// gateway stores: the events, and the per-session and per-tool rows folded from the newly inserted
// ones (bench/ingest-fold.ts). Each table gets one multi-row statement per batch (unnest of arrays,
// named prepared statements). No HTTP, no validation.
// Run: node --import tsx bench/baseline-insert-pg.ts --db postgres://… --seconds S --warmup W --tag T
// Prints one JSON line: { batches, events, seconds, batchesPerSecond, eventsPerSecond, p50, p99 }.
import pg from 'pg';
import { FreshBatches } from './ingest-batches.js';
import { eventRow, foldBatch, loopFlag, loopResult } from './ingest-fold.js';
import type { RawEvent } from './sessions-gen.js';

const INSERT_EVENTS = {
  name: 'bench_insert_events',
  text: `insert into events (account_id, session_id, event_type, ts, event_id, dedup_key, data, tool_use_id)
         select $1::bigint, * from unnest($2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[])
         on conflict (account_id, session_id, dedup_key) do nothing
         returning session_id, dedup_key`,
};

// least/greatest skip NULLs: a bound a side lacks is the other side's.
const UPSERT_SESSIONS = {
  name: 'bench_upsert_sessions',
  text: `insert into sessions as s (account_id, id, started_at, min_start_at, max_start_at, max_end_at, min_event_at, max_event_at, event_count, tool_invocations)
         select $1::bigint, * from unnest($2::text[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[], $9::bigint[], $10::bigint[])
         on conflict (account_id, id) do update set
           min_start_at = least(s.min_start_at, excluded.min_start_at),
           max_start_at = greatest(s.max_start_at, excluded.max_start_at),
           max_end_at = greatest(s.max_end_at, excluded.max_end_at),
           min_event_at = least(s.min_event_at, excluded.min_event_at),
           max_event_at = greatest(s.max_event_at, excluded.max_event_at),
           started_at = coalesce(least(s.min_start_at, excluded.min_start_at), least(s.min_event_at, excluded.min_event_at)),
           event_count = s.event_count + excluded.event_count,
           tool_invocations = s.tool_invocations + excluded.tool_invocations`,
};

const UPSERT_TOOLS = {
  name: 'bench_upsert_tools',
  text: `insert into session_tools as t (account_id, session_id, tool_name, invocations, results, errors, duration_sum_us, duration_count)
         select $1::bigint, * from unnest($2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[])
         on conflict (account_id, session_id, tool_name) do update set
           invocations = t.invocations + excluded.invocations, results = t.results + excluded.results,
           errors = t.errors + excluded.errors, duration_sum_us = t.duration_sum_us + excluded.duration_sum_us,
           duration_count = t.duration_count + excluded.duration_count`,
};

const ACCOUNT = 1;

export async function insertBatch(client: pg.Client, events: RawEvent[]): Promise<void> {
  const rows = events.map(eventRow);
  await client.query('begin');
  try {
    const inserted = await client.query<{ session_id: string; dedup_key: string }>({
      ...INSERT_EVENTS,
      values: [
        ACCOUNT,
        events.map((e) => e.session_id),
        events.map((e) => e.event_type),
        rows.map((r) => r.ts),
        events.map((e) => e.event_id),
        events.map((e) => `id:${e.event_id}`),
        rows.map((r) => JSON.stringify(r.data)),
        rows.map((r) => r.toolUseId),
      ],
    });
    const stored = new Set(inserted.rows.map((r) => `${r.session_id}\u0000${r.dedup_key}`));
    const { sessions, tools } = foldBatch(events, (e) => stored.has(`${e.session_id}\u0000id:${e.event_id}`), rows);
    if (sessions.length > 0) {
      await client.query({
        ...UPSERT_SESSIONS,
        values: [
          ACCOUNT,
          sessions.map((s) => s.id),
          sessions.map((s) => s.minStart ?? s.minEvent),
          sessions.map((s) => s.minStart),
          sessions.map((s) => s.maxStart),
          sessions.map((s) => s.maxEnd),
          sessions.map((s) => s.minEvent),
          sessions.map((s) => s.maxEvent),
          sessions.map((s) => s.events),
          sessions.map((s) => s.tools),
        ],
      });
    }
    if (tools.length > 0) {
      await client.query({
        ...UPSERT_TOOLS,
        values: [
          ACCOUNT,
          tools.map((t) => t.session),
          tools.map((t) => t.tool),
          tools.map((t) => t.invocations),
          tools.map((t) => t.results),
          tools.map((t) => t.errors),
          tools.map((t) => t.durationUs),
          tools.map((t) => t.durations),
        ],
      });
    }
    await client.query('commit');
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  }
}

if (process.argv[1]?.endsWith('baseline-insert-pg.ts')) {
  const client = new pg.Client({ connectionString: loopFlag('--db') });
  await client.connect();
  const batches = new FreshBatches(Number(loopFlag('--tag')));
  const run = async (seconds: number) => {
    const latencies: number[] = [];
    const started = performance.now();
    const until = started + seconds * 1000;
    let events = 0;
    while (performance.now() < until) {
      const batch = batches.nextEvents();
      const t = performance.now();
      await insertBatch(client, batch);
      latencies.push(performance.now() - t);
      events += batch.length;
    }
    return { latencies, events, seconds: (performance.now() - started) / 1000 };
  };
  await run(Number(loopFlag('--warmup')));
  const { latencies, events, seconds } = await run(Number(loopFlag('--seconds')));
  await client.end();
  process.stdout.write(`${loopResult(latencies, events, seconds)}\n`);
}
