import type { Kysely } from 'kysely';
import { lockAccountForWrite } from '../db/account-write-lock.js';
import { RowInsert, type PgColumnTypes } from '../db/row-insert.js';
import type { ModelRequestErrorsTable, ModelRequestsTable, SessionMetricsTable, Tables } from '../db/tables.js';
import { upsertExtreme } from '../db/upsert-extreme.js';
import { writeTransaction } from '../db/write-transaction.js';
import type { MetricPoint } from './metric-point.js';
import type { ModelRequest, ModelRequestError } from './model-request.js';
import { byCodeUnit } from '../by-code-unit.js';

/** What one delivery (an OTLP export, a transcript import) tells about model requests and session counters. */
export interface UsageBatch {
  modelRequests: readonly ModelRequest[];
  errors: readonly ModelRequestError[];
  metricPoints: readonly MetricPoint[];
}

export const EMPTY_USAGE: UsageBatch = Object.freeze({ modelRequests: [], errors: [], metricPoints: [] });

/** Rows a usage batch asks to store: what the events quota counts of it. */
export function usageItems(batch: UsageBatch): number {
  return batch.modelRequests.length + batch.errors.length + batch.metricPoints.length;
}

export function isEmptyUsage(batch: UsageBatch): boolean {
  return usageItems(batch) === 0;
}

/** Columns of a model request that keep the larger of the stored and the arriving value (the rest: model, ts). */
const LARGEST = [
  'fast', 'from_transcript', 'from_otlp', 't_input', 't_output', 't_cache_write_5m', 't_cache_write_1h', 't_cache_read',
  'o_input', 'o_output', 'o_cache_write', 'o_cache_read', 'o_cost_nanos',
] as const;

const REQUEST_COLUMNS: PgColumnTypes<ModelRequestsTable> = {
  account_id: 'bigint', session_id: 'text', request_key: 'text', model: 'text', ts: 'bigint', fast: 'integer',
  from_transcript: 'integer', from_otlp: 'integer', t_input: 'bigint', t_output: 'bigint', t_cache_write_5m: 'bigint',
  t_cache_write_1h: 'bigint', t_cache_read: 'bigint', o_input: 'bigint', o_output: 'bigint', o_cache_write: 'bigint',
  o_cache_read: 'bigint', o_cost_nanos: 'bigint',
};

const ERROR_COLUMNS: PgColumnTypes<ModelRequestErrorsTable> = {
  account_id: 'bigint', session_id: 'text', error_key: 'text', model: 'text', ts: 'bigint', status_code: 'integer',
};

const METRIC_COLUMNS: PgColumnTypes<SessionMetricsTable> = {
  account_id: 'bigint', session_id: 'text', metric: 'text', series: 'text', point_key: 'text', value: 'double precision',
};

/** The larger of two values, a null giving way to a number: what the store's merge does (upsert-extreme.ts). */
function larger(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null || a >= b ? a : b;
}

function requestRow(accountId: number, r: ModelRequest): ModelRequestsTable {
  const transcript = r.source === 'transcript';
  return {
    account_id: accountId,
    session_id: r.sessionId,
    request_key: r.requestKey,
    model: r.model,
    ts: r.ts,
    fast: r.fast ? 1 : 0,
    from_transcript: transcript ? 1 : 0,
    from_otlp: transcript ? 0 : 1,
    t_input: transcript ? r.inputTokens : 0,
    t_output: transcript ? r.outputTokens : 0,
    t_cache_write_5m: transcript ? r.cacheWrite5mTokens : 0,
    t_cache_write_1h: transcript ? r.cacheWrite1hTokens : 0,
    t_cache_read: transcript ? r.cacheReadTokens : 0,
    o_input: transcript ? 0 : r.inputTokens,
    o_output: transcript ? 0 : r.outputTokens,
    o_cache_write: transcript ? 0 : r.cacheWrite5mTokens + r.cacheWrite1hTokens,
    o_cache_read: transcript ? 0 : r.cacheReadTokens,
    o_cost_nanos: transcript ? null : r.reportedCostNanos,
  };
}

/**
 * One row per request key: a delivery repeating a request (a retry, a transcript line written once per content
 * block) keeps the larger count of each column, as the store will.
 */
function mergedRequestRows(accountId: number, requests: readonly ModelRequest[]): ModelRequestsTable[] {
  const rows = new Map<string, ModelRequestsTable>();
  for (const r of requests) {
    const row = requestRow(accountId, r);
    const key = `${row.session_id}\u0000${row.request_key}`;
    const held = rows.get(key);
    if (!held) {
      rows.set(key, row);
      continue;
    }
    for (const column of LARGEST) Object.assign(held, { [column]: larger(held[column], row[column]) });
    if (row.model > held.model) held.model = row.model;
    if (row.ts < held.ts) held.ts = row.ts;
  }
  // One order for every writer: concurrent batches lock rows in the same sequence.
  return [...rows.values()].sort((a, b) => byCodeUnit(a.session_id, b.session_id) || byCodeUnit(a.request_key, b.request_key));
}

function metricRows(accountId: number, points: readonly MetricPoint[]): { delta: SessionMetricsTable[]; cumulative: SessionMetricsTable[] } {
  const delta = new Map<string, SessionMetricsTable>();
  const cumulative = new Map<string, SessionMetricsTable>();
  for (const p of points) {
    const row = { account_id: accountId, session_id: p.sessionId, metric: p.metric, series: p.series, point_key: p.pointKey, value: p.value };
    const key = [p.sessionId, p.metric, p.series, p.pointKey].join('\u0000');
    const into = p.cumulative ? cumulative : delta;
    const held = into.get(key);
    if (!held || (p.cumulative && p.value > held.value)) into.set(key, row);
  }
  const order = (a: SessionMetricsTable, b: SessionMetricsTable) =>
    byCodeUnit(`${a.session_id}\u0000${a.metric}`, `${b.session_id}\u0000${b.metric}`) || byCodeUnit(`${a.series}\u0000${a.point_key}`, `${b.series}\u0000${b.point_key}`);
  return { delta: [...delta.values()].sort(order), cumulative: [...cumulative.values()].sort(order) };
}

/**
 * Writes a usage batch inside the caller's transaction. Every column merges by max, min or "first wins" on its
 * key, so the stored rows do not depend on the order, batching or repetition of deliveries.
 */
export async function writeUsage(trx: Kysely<Tables>, accountId: number, batch: UsageBatch): Promise<void> {
  await REQUESTS.run(trx, mergedRequestRows(accountId, batch.modelRequests));
  const errors = [...new Map(batch.errors.map((e) => [`${e.sessionId}\u0000${e.errorKey}`, e])).values()]
    .sort((a, b) => byCodeUnit(a.sessionId, b.sessionId) || byCodeUnit(a.errorKey, b.errorKey));
  await ERRORS.run(trx, errors.map((e) => ({ account_id: accountId, session_id: e.sessionId, error_key: e.errorKey, model: e.model, ts: e.ts, status_code: e.statusCode })));
  const { delta, cumulative } = metricRows(accountId, batch.metricPoints);
  await DELTA_METRICS.run(trx, delta);
  await CUMULATIVE_METRICS.run(trx, cumulative);
}

const REQUESTS = new RowInsert('model_requests', REQUEST_COLUMNS, (insert) => insert
  .onConflict((oc) =>
    oc.columns(['account_id', 'session_id', 'request_key']).doUpdateSet({
      model: upsertExtreme<string>('model_requests', 'model', 'max'),
      ts: upsertExtreme('model_requests', 'ts', 'min'),
      ...Object.fromEntries(LARGEST.map((column) => [column, upsertExtreme('model_requests', column, 'max')])),
    }),
  ));

const ERRORS = new RowInsert('model_request_errors', ERROR_COLUMNS, (insert) => insert
  .onConflict((oc) => oc.columns(['account_id', 'session_id', 'error_key']).doNothing()));

const METRIC_KEY = ['account_id', 'session_id', 'metric', 'series', 'point_key'] as const;

const DELTA_METRICS = new RowInsert('session_metrics', METRIC_COLUMNS, (insert) => insert
  .onConflict((oc) => oc.columns([...METRIC_KEY]).doNothing()));

const CUMULATIVE_METRICS = new RowInsert('session_metrics', METRIC_COLUMNS, (insert) => insert
  .onConflict((oc) => oc.columns([...METRIC_KEY]).doUpdateSet({ value: upsertExtreme('session_metrics', 'value', 'max') })));

/** Stores a usage batch in a transaction of its own (the transcript import; OTLP writes it with its events). */
export async function storeUsage(db: Kysely<Tables>, accountId: number, batch: UsageBatch): Promise<void> {
  if (isEmptyUsage(batch)) return;
  await writeTransaction(db, async (trx) => {
    await lockAccountForWrite(trx, accountId);
    await writeUsage(trx, accountId, batch);
  });
}
