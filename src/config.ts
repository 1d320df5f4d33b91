import { isPostgresUrl, type PostgresOptions } from './db/open-database.js';
import { DEFAULT_GRAPHQL_LIMITS, type GraphQLLimits } from './graphql/graphql-limits.js';
import { CHANGE_CHANNEL } from './live/change-relay.js';
import { DEFAULT_LIVE_LIMITS, type LiveLimits } from './live/session-feed.js';

export const DEFAULT_DATABASE = './data/trenchcoat.db';
export const DEFAULT_PORT = 4000;
export const DEFAULT_HOST = '127.0.0.1';

export interface GatewayConfig {
  readonly port: number;
  readonly host: string;
  /** A SQLite file path or a `postgres://` URL. */
  readonly databaseUrl: string;
  readonly logLevel: string;
  readonly bodyLimitBytes: number;
  /** GraphQL introspection for callers without a key (GraphiQL needs it). */
  readonly introspection: boolean;
  readonly shutdownTimeoutMs: number;
  /** Slow or idle clients cannot hold connections: see httpLimitsFrom. */
  readonly http: HttpLimits;
  /** Characters (code points) of prompt text, tool input and tool output a hook event keeps; 0 keeps none. */
  readonly hookPreviewChars: number;
  /** PostgreSQL only: connections per process and the server-side statement timeout (0 = none). TLS: `sslmode` in the URL. */
  readonly postgres: PostgresOptions;
  /** Live subscriptions: bounds and pacing. */
  readonly live: LiveLimits;
  /** GraphQL depth, alias, token and cost limits. */
  readonly graphqlLimits: GraphQLLimits;
  /** Redis for relaying changes between processes (`REDIS_URL`). */
  readonly redisUrl: string | null;
  /** How changes reach the other processes (`TRENCHCOAT_LIVE_RELAY`): Redis when REDIS_URL is set, else PostgreSQL's LISTEN/NOTIFY, else none needed. */
  readonly liveRelay: LiveRelayKind;
  /** `TRENCHCOAT_REDIS_CHANNEL` (default trenchcoat_changes): deployments sharing one Redis each need their own. */
  readonly redisChannel: string;
  /** `TRENCHCOAT_METRICS_TOKEN`: the bearer token `GET /metrics` needs; null (unset) leaves /metrics unserved. */
  readonly metricsToken: string | null;
}

export type LiveRelayKind = 'local' | 'postgres' | 'redis';

export interface HttpLimits {
  /** Time to receive a request's headers (408 after). */
  readonly headersTimeoutMs: number;
  /** Time to receive a whole request, body included (408 after). Streams being answered are not cut. */
  readonly requestTimeoutMs: number;
  /** An idle kept-alive connection is closed after this. */
  readonly keepAliveTimeoutMs: number;
  /** Requests one connection may carry before it is closed (0 = no limit). */
  readonly maxRequestsPerSocket: number;
}

/** `TRENCHCOAT_HEADERS_TIMEOUT_MS` (10 000), `TRENCHCOAT_REQUEST_TIMEOUT_MS` (30 000), `TRENCHCOAT_KEEP_ALIVE_TIMEOUT_MS` (5 000), `TRENCHCOAT_MAX_REQUESTS_PER_SOCKET` (1 000). */
export function httpLimitsFrom(env: NodeJS.ProcessEnv = process.env): HttpLimits {
  const read = (name: string, fallback: number, min: number) => (env[name] === undefined ? fallback : parseWhole(env[name]!, name, min));
  const limits = {
    headersTimeoutMs: read('TRENCHCOAT_HEADERS_TIMEOUT_MS', 10_000, 100),
    requestTimeoutMs: read('TRENCHCOAT_REQUEST_TIMEOUT_MS', 30_000, 100),
    keepAliveTimeoutMs: read('TRENCHCOAT_KEEP_ALIVE_TIMEOUT_MS', 5_000, 100),
    maxRequestsPerSocket: read('TRENCHCOAT_MAX_REQUESTS_PER_SOCKET', 1_000, 0),
  };
  if (limits.requestTimeoutMs < limits.headersTimeoutMs) {
    throw new ConfigError('TRENCHCOAT_REQUEST_TIMEOUT_MS must be at least TRENCHCOAT_HEADERS_TIMEOUT_MS.');
  }
  return Object.freeze(limits);
}

export interface ConfigFlags {
  port?: string;
  host?: string;
  db?: string;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function parsePort(value: string, source: string): number {
  if (!/^[0-9]{1,5}$/.test(value) || Number(value) > 65535) {
    throw new ConfigError(`${source} must be an integer from 0 to 65535; got "${value}".`);
  }
  return Number(value);
}

function parseBoolean(value: string, source: string): boolean {
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)$/i.test(value)) return false;
  throw new ConfigError(`${source} must be true or false; got "${value}".`);
}

function parseSize(value: string, source: string): number {
  if (!/^[0-9]+$/.test(value) || Number(value) < 1) throw new ConfigError(`${source} must be a positive number of bytes; got "${value}".`);
  return Number(value);
}

function parseWhole(value: string, source: string, min: number): number {
  if (!/^[0-9]{1,9}$/.test(value) || Number(value) < min) {
    throw new ConfigError(`${source} must be a whole number of at least ${min}; got "${value}".`);
  }
  return Number(value);
}

/** `TRENCHCOAT_PG_POOL_SIZE` (default 10) and `TRENCHCOAT_PG_STATEMENT_TIMEOUT_MS` (default 30 000, 0 = none). */
export function postgresOptionsFrom(env: NodeJS.ProcessEnv = process.env): PostgresOptions {
  const pool = env['TRENCHCOAT_PG_POOL_SIZE'];
  const timeout = env['TRENCHCOAT_PG_STATEMENT_TIMEOUT_MS'];
  return Object.freeze({
    poolSize: pool === undefined ? 10 : parseWhole(pool, 'TRENCHCOAT_PG_POOL_SIZE', 1),
    statementTimeoutMs: timeout === undefined ? 30_000 : parseWhole(timeout, 'TRENCHCOAT_PG_STATEMENT_TIMEOUT_MS', 0),
  });
}

/** `TRENCHCOAT_SUBSCRIPTIONS_PER_KEY`, `_MAX`, `TRENCHCOAT_SUBSCRIPTION_INTERVAL_MS`, `_QUEUE`, `TRENCHCOAT_KEY_RECHECK_MS`. */
export function liveLimitsFrom(env: NodeJS.ProcessEnv = process.env): LiveLimits {
  const read = (name: string, fallback: number, min: number) => (env[name] === undefined ? fallback : parseWhole(env[name]!, name, min));
  const d = DEFAULT_LIVE_LIMITS;
  return Object.freeze({
    perKey: read('TRENCHCOAT_SUBSCRIPTIONS_PER_KEY', d.perKey, 0),
    total: read('TRENCHCOAT_SUBSCRIPTIONS_MAX', d.total, 0),
    intervalMs: read('TRENCHCOAT_SUBSCRIPTION_INTERVAL_MS', d.intervalMs, 10),
    queue: read('TRENCHCOAT_SUBSCRIPTION_QUEUE', d.queue, 1),
    recheckMs: read('TRENCHCOAT_KEY_RECHECK_MS', d.recheckMs, 100),
  });
}

export function redisUrlFrom(env: NodeJS.ProcessEnv = process.env): string | null {
  const url = env['REDIS_URL'];
  if (url === undefined || url === '') return null;
  if (!/^rediss?:\/\//i.test(url)) throw new ConfigError(`REDIS_URL must start with redis:// or rediss://; got "${url}".`);
  return url;
}

/** `TRENCHCOAT_GRAPHQL_MAX_DEPTH` (12), `_MAX_ALIASES` (30), `_MAX_TOKENS` (2000), `_MAX_COST` (50 000); each at least 1. */
export function graphqlLimitsFrom(env: NodeJS.ProcessEnv = process.env): GraphQLLimits {
  const read = (name: string, fallback: number) => (env[name] === undefined ? fallback : parseWhole(env[name]!, name, 1));
  const d = DEFAULT_GRAPHQL_LIMITS;
  return Object.freeze({
    maxDepth: read('TRENCHCOAT_GRAPHQL_MAX_DEPTH', d.maxDepth),
    maxAliases: read('TRENCHCOAT_GRAPHQL_MAX_ALIASES', d.maxAliases),
    maxTokens: read('TRENCHCOAT_GRAPHQL_MAX_TOKENS', d.maxTokens),
    maxCost: read('TRENCHCOAT_GRAPHQL_MAX_COST', d.maxCost),
  });
}

export function liveRelayFrom(databaseUrl: string, redisUrl: string | null, env: NodeJS.ProcessEnv = process.env): LiveRelayKind {
  const chosen = env['TRENCHCOAT_LIVE_RELAY'];
  if (chosen === undefined || chosen === '') return redisUrl ? 'redis' : isPostgresUrl(databaseUrl) ? 'postgres' : 'local';
  if (chosen !== 'local' && chosen !== 'postgres' && chosen !== 'redis') {
    throw new ConfigError(`TRENCHCOAT_LIVE_RELAY must be local, postgres or redis; got "${chosen}".`);
  }
  if (chosen === 'redis' && !redisUrl) throw new ConfigError('TRENCHCOAT_LIVE_RELAY=redis needs REDIS_URL.');
  if (chosen === 'postgres' && !isPostgresUrl(databaseUrl)) throw new ConfigError('TRENCHCOAT_LIVE_RELAY=postgres needs a postgres:// database.');
  return chosen;
}

export function redisChannelFrom(env: NodeJS.ProcessEnv = process.env): string {
  const channel = env['TRENCHCOAT_REDIS_CHANNEL'];
  if (channel === undefined) return CHANGE_CHANNEL;
  if (!/^[A-Za-z0-9_.:-]{1,100}$/.test(channel)) {
    throw new ConfigError(`TRENCHCOAT_REDIS_CHANNEL must be 1-100 letters, digits or _.:-; got "${channel}".`);
  }
  return channel;
}

/** `TRENCHCOAT_METRICS_TOKEN`: 16 to 1024 visible ASCII characters; unset or empty turns metrics off. Never echoed. */
export function metricsTokenFrom(env: NodeJS.ProcessEnv = process.env): string | null {
  const token = env['TRENCHCOAT_METRICS_TOKEN'];
  if (token === undefined || token === '') return null;
  if (!/^[\x21-\x7e]{16,1024}$/.test(token)) {
    throw new ConfigError('TRENCHCOAT_METRICS_TOKEN must be 16 to 1024 visible ASCII characters, without spaces (e.g. `openssl rand -hex 32`).');
  }
  return token;
}

export const DEFAULT_HOOK_PREVIEW_CHARS = 100;

/** `TRENCHCOAT_HOOK_PREVIEW_CHARS`: a whole number of characters, 0 allowed (no previews). */
export function hookPreviewCharsFrom(env: NodeJS.ProcessEnv = process.env): number {
  const value = env['TRENCHCOAT_HOOK_PREVIEW_CHARS'];
  if (value === undefined) return DEFAULT_HOOK_PREVIEW_CHARS;
  if (!/^[0-9]{1,9}$/.test(value)) {
    throw new ConfigError(`TRENCHCOAT_HOOK_PREVIEW_CHARS must be a whole number of characters (0 for no previews); got "${value}".`);
  }
  return Number(value);
}

export function databaseUrlFrom(flags: ConfigFlags, env: NodeJS.ProcessEnv = process.env): string {
  const url = flags.db ?? env['DATABASE_URL'] ?? DEFAULT_DATABASE;
  if (url.trim() === '') throw new ConfigError('The database path or URL must not be empty.');
  return url;
}

/** Flags win over the environment, which wins over defaults. */
export function loadConfig(flags: ConfigFlags = {}, env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const port = flags.port ?? env['PORT'];
  const introspection = env['TRENCHCOAT_INTROSPECTION'];
  const bodyLimit = env['TRENCHCOAT_BODY_LIMIT_BYTES'];
  const databaseUrl = databaseUrlFrom(flags, env);
  const redisUrl = redisUrlFrom(env);
  return Object.freeze({
    port: port === undefined ? DEFAULT_PORT : parsePort(port, flags.port !== undefined ? '--port' : 'PORT'),
    host: flags.host ?? env['HOST'] ?? DEFAULT_HOST,
    databaseUrl,
    logLevel: env['LOG_LEVEL'] ?? 'info',
    bodyLimitBytes: bodyLimit === undefined ? 5 * 1024 * 1024 : parseSize(bodyLimit, 'TRENCHCOAT_BODY_LIMIT_BYTES'),
    introspection: introspection === undefined ? true : parseBoolean(introspection, 'TRENCHCOAT_INTROSPECTION'),
    shutdownTimeoutMs: 10_000,
    http: httpLimitsFrom(env),
    hookPreviewChars: hookPreviewCharsFrom(env),
    postgres: postgresOptionsFrom(env),
    live: liveLimitsFrom(env),
    graphqlLimits: graphqlLimitsFrom(env),
    redisUrl,
    liveRelay: liveRelayFrom(databaseUrl, redisUrl, env),
    redisChannel: redisChannelFrom(env),
    metricsToken: metricsTokenFrom(env),
  });
}
