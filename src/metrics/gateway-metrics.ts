import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Database } from '../db/open-database.js';
import type { StreamCutReason } from '../http/stream-guard.js';
import type { RateBucket } from '../limits/tier-limits.js';
import type { SessionFeed } from '../live/session-feed.js';
import { DatabaseUp } from './database-up.js';
import type { IngestCounts, IngestSink } from './ingest-sink.js';
import { processMetrics } from './process-metrics.js';

export interface MetricsSources {
  readonly database: Database;
  readonly feed: SessionFeed;
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * One gateway's metrics, in its own registry (several gateways in one process do not mix).
 * Every label value comes from a closed set or is bounded by the caller (routes are templates,
 * GraphQL operation names are capped in use-metrics), so the number of series stays small.
 */
export class GatewayMetrics implements IngestSink {
  readonly #registry: Registry;
  readonly #exposed: Registry;
  readonly #requests: Counter<'route' | 'method' | 'status'>;
  readonly #duration: Histogram<'route' | 'method'>;
  readonly #operations: Counter<'operation_type' | 'operation_name'>;
  readonly #ingested: Counter<'outcome'>;
  readonly #rateLimited: Counter<'bucket'>;
  readonly #streamsCut: Counter<'reason'>;

  constructor({ database, feed }: MetricsSources) {
    const registers = [(this.#registry = new Registry())];
    this.#requests = new Counter({
      name: 'trenchcoat_http_requests_total',
      help: 'HTTP requests answered, by route template, method and status.',
      labelNames: ['route', 'method', 'status'],
      registers,
    });
    this.#duration = new Histogram({
      name: 'trenchcoat_http_request_duration_seconds',
      help: 'Time from a request arriving to its response ending, by route template and method.',
      labelNames: ['route', 'method'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.#operations = new Counter({
      name: 'trenchcoat_graphql_operations_total',
      help: 'GraphQL operations executed or subscribed, by type and (capped) name.',
      labelNames: ['operation_type', 'operation_name'],
      registers,
    });
    this.#ingested = new Counter({
      name: 'trenchcoat_events_ingested_total',
      help: 'Events of committed ingestions: stored, duplicate (already stored) or rejected (invalid).',
      labelNames: ['outcome'],
      registers,
    });
    this.#rateLimited = new Counter({
      name: 'trenchcoat_rate_limited_total',
      help: 'Requests or event batches refused by a key\'s rate limit, by bucket.',
      labelNames: ['bucket'],
      registers,
    });
    for (const outcome of ['stored', 'duplicate', 'rejected']) this.#ingested.inc({ outcome }, 0);
    for (const bucket of ['requests', 'events']) this.#rateLimited.inc({ bucket }, 0);
    this.#streamsCut = new Counter({
      name: 'trenchcoat_live_streams_cut_total',
      help: 'Live streams whose connection was closed because the client did not take what was sent: too many bytes unsent (buffer) or none taken for the write timeout (timeout).',
      labelNames: ['reason'],
      registers,
    });
    for (const reason of ['buffer', 'timeout']) this.#streamsCut.inc({ reason }, 0);
    new Gauge({
      name: 'trenchcoat_live_subscriptions',
      help: 'Live (GraphQL subscription) streams open in this process.',
      registers,
      collect() {
        this.set(feed.size);
      },
    });
    if (database.poolStats() !== null) {
      new Gauge({
        name: 'trenchcoat_db_pool_connections',
        help: 'PostgreSQL pool: connections open (total), idle, and queries waiting for one (waiting).',
        labelNames: ['state'],
        registers,
        collect() {
          const stats = database.poolStats();
          if (!stats) return;
          this.set({ state: 'total' }, stats.total);
          this.set({ state: 'idle' }, stats.idle);
          this.set({ state: 'waiting' }, stats.waiting);
        },
      });
    } else {
      const up = new DatabaseUp(database);
      new Gauge({
        name: 'trenchcoat_db_up',
        help: 'Whether the SQLite database answered a trivial query (pinged at most once a second).',
        registers,
        async collect() {
          this.set((await up.check()) ? 1 : 0);
        },
      });
    }
    this.#exposed = Registry.merge([processMetrics(), this.#registry]);
  }

  get contentType(): string {
    return this.#exposed.contentType;
  }

  /** The text exposition format (0.0.4). */
  async exposition(): Promise<string> {
    // prom-client writes NaN (event-loop lag between two close scrapes) as `Nan`; the format says `NaN`.
    return (await this.#exposed.metrics()).replace(/ Nan$/gm, ' NaN');
  }

  /** `route` must be a template (or `unknown`), never the raw path. */
  requestFinished(route: string, method: string | undefined, status: number, seconds: number): void {
    const verb = method && METHODS.has(method) ? method : 'other';
    this.#requests.inc({ route, method: verb, status: String(status) });
    this.#duration.observe({ route, method: verb }, seconds);
  }

  operationStarted(operationType: string, operationName: string): void {
    this.#operations.inc({ operation_type: operationType, operation_name: operationName });
  }

  eventsIngested({ stored, duplicates, rejected }: IngestCounts): void {
    if (stored > 0) this.#ingested.inc({ outcome: 'stored' }, stored);
    if (duplicates > 0) this.#ingested.inc({ outcome: 'duplicate' }, duplicates);
    if (rejected > 0) this.#ingested.inc({ outcome: 'rejected' }, rejected);
  }

  rateLimited(bucket: RateBucket): void {
    this.#rateLimited.inc({ bucket });
  }

  streamCut(reason: StreamCutReason): void {
    this.#streamsCut.inc({ reason });
  }
}
