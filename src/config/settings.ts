import { CHANGE_CHANNEL } from '../live/change-relay.js';
import { anyText, bearerToken, bytes, channelName, characters, databaseLocation, oneOf, onOff, port, redisUrl, whole, type Parser } from './parsers.js';

/** The command-line flags that stand for a setting; a flag wins over its variable. */
export interface ConfigFlags {
  port?: string;
  host?: string;
  db?: string;
}

export interface Setting<T> {
  /** The environment variable; null for a value that is fixed, not configurable. */
  readonly env: string | null;
  readonly flag?: keyof ConfigFlags;
  /** Reads the text and checks it against the bounds. */
  readonly parser: Parser<T>;
  readonly default: T;
  /** How the default reads in the settings table, where the value alone would not say it. */
  readonly shownDefault?: string;
  readonly description: string;
}

export interface SettingGroup {
  readonly [name: string]: Setting<unknown> | SettingGroup;
}

export function isSetting(entry: Setting<unknown> | SettingGroup): entry is Setting<unknown> {
  return 'parser' in entry;
}

function setting<T>(definition: Setting<T>): Setting<T> {
  return Object.freeze(definition);
}

export const LIVE_RELAY_KINDS = ['local', 'postgres', 'redis'] as const;
export type LiveRelayKind = (typeof LIVE_RELAY_KINDS)[number];

/**
 * Every setting of the gateway and its commands, in the order they are read and listed: the only
 * place a default is written. `loadConfig` turns it into a `GatewayConfig` of the same shape, each
 * group becoming an object of its own (`http`, `postgres`, `live`, `graphqlLimits`).
 */
export const SETTINGS = {
  port: setting({ env: 'PORT', flag: 'port', parser: port, default: 4000, description: 'Port to listen on.' }),
  host: setting({ env: 'HOST', flag: 'host', parser: anyText, default: '127.0.0.1', description: 'Address to bind.' }),
  databaseUrl: setting({ env: 'DATABASE_URL', flag: 'db', parser: databaseLocation, default: './data/trenchcoat.db', description: 'The database every command works on.' }),
  logLevel: setting({
    env: 'LOG_LEVEL', parser: { ...anyText, accepts: 'fatal, error, warn, info, debug, trace or silent' }, default: 'info',
    description: 'JSON logs on stdout from this level up (the logger checks the name when it starts).',
  }),
  bodyLimitBytes: setting({ env: 'TRENCHCOAT_BODY_LIMIT_BYTES', parser: bytes, default: 5 * 1024 * 1024, shownDefault: '`5242880` (5 MiB)', description: 'Largest request body; larger ones get 413.' }),
  introspection: setting({ env: 'TRENCHCOAT_INTROSPECTION', parser: onOff, default: true, description: 'GraphQL introspection for callers without a key (GraphiQL needs it).' }),
  shutdownTimeoutMs: setting({ env: null, parser: whole(1), default: 10_000, description: 'Time requests in flight get to finish at shutdown before their connections are closed.' }),
  http: {
    headersTimeoutMs: setting({ env: 'TRENCHCOAT_HEADERS_TIMEOUT_MS', parser: whole(100), default: 10_000, description: "Time to receive a request's headers (408 after)." }),
    requestTimeoutMs: setting({
      env: 'TRENCHCOAT_REQUEST_TIMEOUT_MS', parser: whole(100, ' and at least TRENCHCOAT_HEADERS_TIMEOUT_MS'), default: 30_000,
      description: 'Time to receive a whole request, body included (408 after); streams being answered are not cut.',
    }),
    keepAliveTimeoutMs: setting({ env: 'TRENCHCOAT_KEEP_ALIVE_TIMEOUT_MS', parser: whole(100), default: 5_000, description: 'An idle kept-alive connection is closed after this.' }),
    // No limit by default: at the limit Node answers 503 to every request a client has already sent on
    // that connection (pipelining clients, load tools), which is a failure a healthy client cannot avoid.
    maxRequestsPerSocket: setting({ env: 'TRENCHCOAT_MAX_REQUESTS_PER_SOCKET', parser: whole(0, ' (0 = no limit)'), default: 0, description: 'Requests one connection may carry before it is closed; requests already sent past it get 503.' }),
  },
  hookPreviewChars: setting({
    env: 'TRENCHCOAT_HOOK_PREVIEW_CHARS', parser: characters, default: 100,
    description: 'Characters (code points) of prompt text, tool input and tool output a hook event or import keeps.',
  }),
  postgres: {
    poolSize: setting({ env: 'TRENCHCOAT_PG_POOL_SIZE', parser: whole(1), default: 10, description: 'PostgreSQL only: connections per process.' }),
    statementTimeoutMs: setting({ env: 'TRENCHCOAT_PG_STATEMENT_TIMEOUT_MS', parser: whole(0, ' (0 = none)'), default: 30_000, description: 'PostgreSQL only: the server-side statement_timeout.' }),
  },
  live: {
    perKey: setting({ env: 'TRENCHCOAT_SUBSCRIPTIONS_PER_KEY', parser: whole(0), default: 10, description: 'Open live subscriptions one key may hold.' }),
    total: setting({ env: 'TRENCHCOAT_SUBSCRIPTIONS_MAX', parser: whole(0), default: 1000, description: 'Open live subscriptions in one process.' }),
    intervalMs: setting({ env: 'TRENCHCOAT_SUBSCRIPTION_INTERVAL_MS', parser: whole(10), default: 250, description: 'Shortest time between two updates of one session (a burst is coalesced into one).' }),
    queue: setting({ env: 'TRENCHCOAT_SUBSCRIPTION_QUEUE', parser: whole(1), default: 100, description: 'Sessions with unread updates a subscriber may lag behind before its stream is ended.' }),
    recheckMs: setting({ env: 'TRENCHCOAT_KEY_RECHECK_MS', parser: whole(100), default: 5000, description: "How often open subscriptions' keys are checked for revocation by another process." }),
  },
  graphqlLimits: {
    maxDepth: setting({ env: 'TRENCHCOAT_GRAPHQL_MAX_DEPTH', parser: whole(1), default: 12, description: 'Fields nested in the deepest path of a GraphQL operation, through fragments.' }),
    maxAliases: setting({ env: 'TRENCHCOAT_GRAPHQL_MAX_ALIASES', parser: whole(1), default: 30, description: 'Aliased fields in an operation, a fragment counted each time it is spread.' }),
    maxTokens: setting({ env: 'TRENCHCOAT_GRAPHQL_MAX_TOKENS', parser: whole(1), default: 2000, description: 'Lexical tokens in a GraphQL document; the parser stops at the limit.' }),
    maxCost: setting({ env: 'TRENCHCOAT_GRAPHQL_MAX_COST', parser: whole(1), default: 50_000, description: "An operation's weight, list fields weighed by the size they ask for." }),
  },
  redisUrl: setting({ env: 'REDIS_URL', parser: redisUrl, default: null, shownDefault: 'none', description: 'Redis for relaying live changes and sharing rate limits between processes.' }),
  liveRelay: setting({
    env: 'TRENCHCOAT_LIVE_RELAY', parser: oneOf(LIVE_RELAY_KINDS), default: null,
    shownDefault: 'redis with REDIS_URL, else postgres on a postgres:// database, else local',
    description: 'How live changes reach the other processes.',
  }),
  redisChannel: setting({
    env: 'TRENCHCOAT_REDIS_CHANNEL', parser: channelName, default: CHANGE_CHANNEL,
    description: 'Redis channel and key prefix: deployments sharing one Redis each need their own.',
  }),
  metricsToken: setting({
    env: 'TRENCHCOAT_METRICS_TOKEN', parser: bearerToken, default: null, shownDefault: 'none (/metrics not served)',
    description: 'The bearer token `GET /metrics` needs (e.g. `openssl rand -hex 32`).',
  }),
} as const satisfies SettingGroup;

/** The values a table describes: each setting becomes its value, each group an object of values. */
export type SettingValues<G> = { readonly [K in keyof G]: G[K] extends Setting<infer T> ? T : SettingValues<G[K]> };
