import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { Tables } from '../db/tables.js';
import { utcDayOf } from '../analytics/utc-day.js';
import type { SessionMetricName } from './metric-point.js';


/** Which requests a read covers: some sessions' (Session.usage), or those made in a range of instants (analytics). */
export type UsageScope = { sessionIds: readonly string[] } | { startMs: number; endMs: number };

/** What the sums are keyed by besides what pricing needs: the session, the request's UTC day, or its model. */
export type UsageKey = 'session' | 'day' | 'model';

/**
 * Sums of one priced class of requests within one key: same model, fast mode or not, tokens from the transcript or
 * from OTLP, with or without Claude Code's own cost estimate. Cost is linear in the tokens, so the class's summed
 * tokens priced once cost what its requests cost one by one.
 */
export interface UsagePart {
  /** The session id or the model (string), or the UTC day number (days since 1970-01-01). */
  key: string | number;
  model: string;
  fast: boolean;
  fromTranscript: boolean;
  /** Every request of the part has `o_cost_nanos` (else none has). */
  reported: boolean;
  requests: number;
  inputTokens: number;
  outputTokens: number;
  cacheWrite5mTokens: number;
  cacheWrite1hTokens: number;
  cacheReadTokens: number;
  /** Sum of Claude Code's own estimates, nano-USD; 0 when `reported` is false. */
  reportedCostNanos: number;
}

/** Failed requests within one key. */
export interface ErrorCount {
  key: string | number;
  errors: number;
}

function keyOf(key: UsageKey): RawBuilder<string | number> {
  if (key === 'day') return utcDayOf('ts');
  return sql<string>`${sql.ref(key === 'session' ? 'session_id' : 'model')}`;
}

/** The rows of the account within `scope`: both tables carry account_id, session_id and ts. */
function inScope(accountId: number, scope: UsageScope): RawBuilder<SqlBool> {
  const mine = sql`${sql.ref('account_id')} = ${accountId}`;
  return 'sessionIds' in scope
    ? sql<SqlBool>`${mine} and ${sql.ref('session_id')} in (${sql.join(scope.sessionIds)})`
    : sql<SqlBool>`${mine} and ${sql.ref('ts')} >= ${scope.startMs} and ${sql.ref('ts')} <= ${scope.endMs}`;
}

/** The transcript's count when the request has transcript data, else OTLP's. */
function effective(transcript: string, otlp: string | null): RawBuilder<number> {
  return sql<number>`case when ${sql.ref('from_transcript')} = 1 then ${sql.ref(transcript)} else ${otlp === null ? sql.lit(0) : sql.ref(otlp)} end`;
}

/**
 * The requests in `scope`, summed per key and priced class (UsagePart), in one statement. Rows come in no
 * particular order; the caller folds them.
 */
export async function selectUsageParts(db: Kysely<Tables>, accountId: number, scope: UsageScope, key: UsageKey): Promise<UsagePart[]> {
  if ('sessionIds' in scope && scope.sessionIds.length === 0) return [];
  const requests = db.selectFrom('model_requests').where(inScope(accountId, scope)).select([
    keyOf(key).as('k'),
    'model',
    'fast',
    'from_transcript',
    sql<number>`case when ${sql.ref('o_cost_nanos')} is null then 0 else 1 end`.as('reported'),
    'o_cost_nanos',
    effective('t_input', 'o_input').as('input'),
    effective('t_output', 'o_output').as('output'),
    effective('t_cache_write_5m', 'o_cache_write').as('cache_write_5m'),
    effective('t_cache_write_1h', null).as('cache_write_1h'),
    effective('t_cache_read', 'o_cache_read').as('cache_read'),
  ]);
  const rows = await db
    .selectFrom(requests.as('r'))
    .groupBy(['r.k', 'r.model', 'r.fast', 'r.from_transcript', 'r.reported'])
    .select((eb) => [
      'r.k',
      'r.model',
      'r.fast',
      'r.from_transcript',
      'r.reported',
      eb.fn.countAll().as('requests'),
      eb.fn.sum('r.input').as('input'),
      eb.fn.sum('r.output').as('output'),
      eb.fn.sum('r.cache_write_5m').as('cache_write_5m'),
      eb.fn.sum('r.cache_write_1h').as('cache_write_1h'),
      eb.fn.sum('r.cache_read').as('cache_read'),
      eb.fn.sum('r.o_cost_nanos').as('cost_nanos'),
    ])
    .execute();
  return rows.map((r) => ({
    key: key === 'day' ? Number(r.k) : String(r.k),
    model: r.model,
    fast: Number(r.fast) === 1,
    fromTranscript: Number(r.from_transcript) === 1,
    reported: Number(r.reported) === 1,
    requests: Number(r.requests),
    inputTokens: Number(r.input ?? 0),
    outputTokens: Number(r.output ?? 0),
    cacheWrite5mTokens: Number(r.cache_write_5m ?? 0),
    cacheWrite1hTokens: Number(r.cache_write_1h ?? 0),
    cacheReadTokens: Number(r.cache_read ?? 0),
    reportedCostNanos: Number(r.cost_nanos ?? 0),
  }));
}

/** Failed requests in `scope` per key (by the error's own instant and model), in one statement. */
export async function selectErrorCounts(db: Kysely<Tables>, accountId: number, scope: UsageScope, key: UsageKey): Promise<ErrorCount[]> {
  if ('sessionIds' in scope && scope.sessionIds.length === 0) return [];
  const errors = db.selectFrom('model_request_errors').where(inScope(accountId, scope)).select(keyOf(key).as('k'));
  const rows = await db
    .selectFrom(errors.as('e'))
    .groupBy('e.k')
    .select((eb) => ['e.k', eb.fn.countAll().as('errors')])
    .execute();
  return rows.map((r) => ({ key: key === 'day' ? Number(r.k) : String(r.k), errors: Number(r.errors) }));
}

/**
 * How many request and error rows a range holds, counting no further than `atMost` of each: what reading its usage
 * costs, learned by reading at most that much of the (account_id, ts) indexes.
 */
export async function countRangeUsageRows(db: Kysely<Tables>, accountId: number, range: { startMs: number; endMs: number }, atMost: number): Promise<number> {
  const limit = Math.max(0, Math.floor(atMost));
  let total = 0;
  for (const table of ['model_requests', 'model_request_errors'] as const) {
    const head = db.selectFrom(table).where(inScope(accountId, range)).select(sql.lit(1).as('one')).limit(limit);
    const row = await db.selectFrom(head.as('h')).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    total += Number(row.n);
  }
  return total;
}

/** One counter of one session: the sum of its kept points, and how many rows that read. */
export interface MetricSum {
  sessionId: string;
  metric: SessionMetricName | string;
  total: number;
  points: number;
}

/** The OTLP counters of many sessions, summed per session and metric, in one statement. */
export async function selectMetricSums(db: Kysely<Tables>, accountId: number, sessionIds: readonly string[]): Promise<MetricSum[]> {
  if (sessionIds.length === 0) return [];
  const rows = await db
    .selectFrom('session_metrics')
    .where('account_id', '=', accountId)
    .where('session_id', 'in', sessionIds)
    .groupBy(['session_id', 'metric'])
    .select((eb) => ['session_id', 'metric', eb.fn.sum('value').as('total'), eb.fn.countAll().as('points')])
    .execute();
  return rows.map((r) => ({ sessionId: r.session_id, metric: r.metric, total: Number(r.total ?? 0), points: Number(r.points) }));
}
