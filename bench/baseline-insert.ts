// The ingestion baseline: an in-process loop inserting the same 1000-event batches with prepared
// statements, one transaction per batch, into a scratch database with the gateway's schema (tables
// and indexes copied from a freshly migrated gateway database). It stores what the gateway stores:
// the events, and the per-session and per-tool rows folded from them (bench/ingest-fold.ts). No
// HTTP, no validation. On PostgreSQL: bench/baseline-insert-pg.ts.
// Run: node --import tsx bench/baseline-insert.ts --db SCRATCH --seconds S --warmup W --tag T
// Prints one JSON line: { batches, events, seconds, batchesPerSecond, eventsPerSecond, p50, p99 }.
import Database from 'better-sqlite3';
import { FreshBatches } from './ingest-batches.js';
import { foldBatch, loopFlag, loopResult } from './ingest-fold.js';
import type { RawEvent } from './sessions-gen.js';

/** Copies tables and indexes (not data, not triggers) from `from` into a new database at `to`. */
export function copySchema(from: string, to: string): void {
  const source = new Database(from, { readonly: true, fileMustExist: true });
  const rows = source
    .prepare(`select type, sql from sqlite_master where type in ('table', 'index') and sql is not null and name not like 'sqlite_%' order by type = 'table' desc, rowid`)
    .all() as { type: string; sql: string }[];
  source.close();
  const target = new Database(to);
  target.pragma('journal_mode = WAL');
  target.exec(rows.map((r) => `${r.sql};`).join('\n'));
  target.close();
}

export function openLoop(path: string) {
  const db = new Database(path, { fileMustExist: true });
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('cache_size = -65536');
  const insertEvent = db.prepare(
    `insert into events (account_id, session_id, event_type, ts, event_id, dedup_key, data, tool_use_id)
     values (?, ?, ?, ?, ?, ?, ?, ?) on conflict (account_id, session_id, dedup_key) do nothing`,
  );
  const upsertSession = db.prepare(
    `insert into sessions (account_id, id, started_at, min_start_at, max_start_at, max_end_at, min_event_at, max_event_at, event_count, tool_invocations)
     values (@account, @id, @started, @minStart, @maxStart, @maxEnd, @minEvent, @maxEvent, @events, @tools)
     on conflict (account_id, id) do update set
       min_start_at = min(coalesce(min_start_at, excluded.min_start_at), coalesce(excluded.min_start_at, min_start_at)),
       max_start_at = max(coalesce(max_start_at, excluded.max_start_at), coalesce(excluded.max_start_at, max_start_at)),
       max_end_at = max(coalesce(max_end_at, excluded.max_end_at), coalesce(excluded.max_end_at, max_end_at)),
       min_event_at = min(min_event_at, excluded.min_event_at),
       max_event_at = max(max_event_at, excluded.max_event_at),
       started_at = coalesce(min(coalesce(min_start_at, excluded.min_start_at), coalesce(excluded.min_start_at, min_start_at)),
                             min(min_event_at, excluded.min_event_at)),
       event_count = event_count + excluded.event_count,
       tool_invocations = tool_invocations + excluded.tool_invocations`,
  );
  const upsertTool = db.prepare(
    `insert into session_tools (account_id, session_id, tool_name, invocations, results, errors, duration_sum_us, duration_count)
     values (?, ?, ?, ?, ?, ?, ?, ?)
     on conflict (account_id, session_id, tool_name) do update set
       invocations = invocations + excluded.invocations, results = results + excluded.results,
       errors = errors + excluded.errors, duration_sum_us = duration_sum_us + excluded.duration_sum_us,
       duration_count = duration_count + excluded.duration_count`,
  );
  const account = 1;

  const insertBatch = db.transaction((events: RawEvent[]) => {
    const { sessions, tools } = foldBatch(events, (e, row) =>
      insertEvent.run(account, e.session_id, e.event_type, row.ts, e.event_id, `id:${e.event_id}`, JSON.stringify(row.data), row.toolUseId).changes > 0);
    for (const s of sessions) {
      upsertSession.run({
        account, id: s.id, started: s.minStart ?? s.minEvent, minStart: s.minStart, maxStart: s.maxStart, maxEnd: s.maxEnd,
        minEvent: s.minEvent, maxEvent: s.maxEvent, events: s.events, tools: s.tools,
      });
    }
    for (const t of tools) upsertTool.run(account, t.session, t.tool, t.invocations, t.results, t.errors, t.durationUs, t.durations);
  });
  return { db, insertBatch };
}

if (process.argv[1]?.endsWith('baseline-insert.ts')) {
  const { db, insertBatch } = openLoop(loopFlag('--db'));
  const batches = new FreshBatches(Number(loopFlag('--tag')));
  const run = (seconds: number) => {
    const latencies: number[] = [];
    const started = performance.now();
    const until = started + seconds * 1000;
    let events = 0;
    while (performance.now() < until) {
      const batch = batches.nextEvents();
      const t = performance.now();
      insertBatch(batch);
      latencies.push(performance.now() - t);
      events += batch.length;
    }
    return { latencies, events, seconds: (performance.now() - started) / 1000 };
  };
  run(Number(loopFlag('--warmup')));
  const { latencies, events, seconds } = run(Number(loopFlag('--seconds')));
  db.close();
  process.stdout.write(`${loopResult(latencies, events, seconds)}\n`);
}
