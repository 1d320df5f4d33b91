import { CHANGE_CHANNEL } from '../live/change-relay.js';
import { anyText, bearerToken, bytes, channelName, characters, corsOrigins, databaseLocation, filePath, oneOf, onOff, port, redisUrl, whole, workerCount, type Parser } from './parsers.js';

/** The command-line flags that stand for a setting; a flag wins over its variable. */
export interface ConfigFlags {
  port?: string;
  host?: string;
  db?: string;
  workers?: string;
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
  workers: setting({
    env: 'TRENCHCOAT_WORKERS', flag: 'workers', parser: workerCount, default: 1,
    description: 'Processes serving the one port (`serve` only): above 1, a primary process starts them and shares rate limits, live changes and revocations between them.',
  }),
  // Read by bin/trenchcoat.js before the process starts again with the caps; here so that a bad value is refused.
  memoryCaps: setting({
    env: 'TRENCHCOAT_MEMORY_CAPS', parser: onOff, default: true,
    description: '`serve` and `demo` start again in the same process (same PID) with `--max-semi-space-size=16` (V8\'s young generation, which Node 24 grows to 128 MiB under load), `--heap-growing-percent=50` (the old generation is collected once it grows by half of what survived, rather than up to fourfold; unless given on the command line) and `MALLOC_ARENA_MAX=2` (unless already set): on 1,000,000 sessions, a peak of about 210 MiB serving reads rather than 320, and about 240 MiB ingesting rather than 350. Skipped when NODE_OPTIONS chooses `--max-semi-space-size` itself, and where Node lacks `process.execve` (Windows). Off: the process starts as asked.',
  }),
  // Keys travel in headers, never cookies: any origin is safe to allow, and credentials are never allowed.
  corsOrigins: setting({
    env: 'TRENCHCOAT_CORS_ORIGINS', parser: corsOrigins, default: '*', shownDefault: '`*` (any origin, without credentials)',
    description: 'The web pages (origins) whose scripts may read answers (CORS); an origin not listed gets no CORS headers.',
  }),
  databaseUrl: setting({ env: 'DATABASE_URL', flag: 'db', parser: databaseLocation, default: './data/trenchcoat.db', description: 'The database every command works on.' }),
  logLevel: setting({
    env: 'LOG_LEVEL', parser: { ...anyText, accepts: 'fatal, error, warn, info, debug, trace or silent' }, default: 'info',
    description: 'JSON logs on stdout from this level up (the logger checks the name when it starts).',
  }),
  bodyLimitBytes: setting({ env: 'TRENCHCOAT_BODY_LIMIT_BYTES', parser: bytes, default: 5 * 1024 * 1024, shownDefault: '`5242880` (5 MiB)', description: 'Largest request body; larger ones get 413.' }),
  // The deepest `data` within its 64 KiB limit nests 32,768 levels (`[[…]]`): with room for the envelope, every
  // event still gets its own verdict (contract §5), and a body of millions of levels stops at its first 32 KiB.
  jsonMaxDepth: setting({
    env: 'TRENCHCOAT_JSON_MAX_DEPTH', parser: whole(1), default: 32_800,
    description: 'Levels of arrays and objects a JSON body may nest, checked before it is parsed (400 past it).',
  }),
  // Parsing and storing a body costs time in proportion to its values: 300,000 of the costliest shape (object
  // members) keep one request's hold on the event loop near 100 ms here, while the largest real hook or transcript
  // line holds about 130, so a full batch of 1,000 such events fits twice over.
  jsonMaxValues: setting({
    env: 'TRENCHCOAT_JSON_MAX_VALUES', parser: whole(1), default: 300_000,
    description: 'Values a JSON body may hold, counted before it is parsed as the marks `{`, `[`, `,` and `:` outside strings (413 past it).',
  }),
  anonymous: {
    bodyLimitBytes: setting({
      env: 'TRENCHCOAT_ANONYMOUS_BODY_LIMIT_BYTES', parser: bytes, default: 64 * 1024, shownDefault: '`65536` (64 KiB)',
      description: 'Largest body of a request without a valid key (GraphiQL and its introspection send about 2 KB); larger ones get 413, unread.',
    }),
    jsonMaxDepth: setting({
      env: 'TRENCHCOAT_ANONYMOUS_JSON_MAX_DEPTH', parser: whole(1), default: 64,
      description: 'Levels of arrays and objects the JSON body of a request without a valid key may nest (400 past it).',
    }),
    jsonMaxValues: setting({
      env: 'TRENCHCOAT_ANONYMOUS_JSON_MAX_VALUES', parser: whole(1), default: 10_000,
      description: 'Values the JSON body of a request without a valid key may hold, counted as for keyed requests (413 past it).',
    }),
    requestsPerMinute: setting({
      env: 'TRENCHCOAT_ANONYMOUS_REQUESTS_PER_MINUTE', parser: whole(1), default: 120,
      description: 'Requests per minute one client address (IPv6: its /64) may make without a valid key: GraphQL, refused keys, the API description and its page, the dashboard page and its files; 429 past it. Counted per process, or in Redis when set. /healthz and /readyz are not counted.',
    }),
  },
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
    maxConnections: setting({ env: 'TRENCHCOAT_MAX_CONNECTIONS', parser: whole(1), default: 1024, description: 'Open connections; a connection past it is closed as soon as it is accepted.' }),
    bodyBytesInFlight: setting({
      env: 'TRENCHCOAT_BODY_BYTES_IN_FLIGHT', parser: bytes, default: 64 * 1024 * 1024, shownDefault: '`67108864` (64 MiB)',
      description: 'Request-body bytes all requests in flight may hold (a declared Content-Length counts at once); a request that would pass it gets 503 with Retry-After, unread.',
    }),
    trustedProxies: setting({
      env: 'TRENCHCOAT_TRUSTED_PROXIES', parser: whole(0), default: 0,
      description: 'Reverse proxies in front that each append to X-Forwarded-For: the address the outermost one saw is the client the limits without a key count (0: the connection\'s address).',
    }),
  },
  // Decoding an export costs time per record (about 0.1 ms here): 2 MiB of protobuf holds ~3,000 records, the event
  // loop's share of ~100–200 ms, and three times Claude Code's largest export (512 records, ~600 KiB as JSON).
  otlpBodyLimitBytes: setting({
    env: 'TRENCHCOAT_OTLP_BODY_LIMIT_BYTES', parser: bytes, default: 2 * 1024 * 1024, shownDefault: '`2097152` (2 MiB)',
    description: 'Largest OTLP export (POST /v1/logs, /v1/metrics), as sent and once decompressed; larger ones get 413.',
  }),
  pricesFile: setting({
    env: 'TRENCHCOAT_PRICES_FILE', parser: filePath, default: null, shownDefault: 'none (the bundled list prices)',
    description: 'A JSON file of model prices (USD per million tokens) that replaces or adds to the bundled list, for the cost of model requests; read at start.',
  }),
  hookPreviewChars: setting({
    env: 'TRENCHCOAT_HOOK_PREVIEW_CHARS', parser: characters, default: 100,
    description: 'Characters (code points) of prompt text, tool input and tool output a hook event or import keeps.',
  }),
  postgres: {
    poolSize: setting({ env: 'TRENCHCOAT_PG_POOL_SIZE', parser: whole(1), default: 10, description: "PostgreSQL only: connections per process. From 2 on, half of them (rounded down) run the request path's named statements, each with one generic plan; the others everything else, planned for its values." }),
    statementTimeoutMs: setting({ env: 'TRENCHCOAT_PG_STATEMENT_TIMEOUT_MS', parser: whole(0, ' (0 = none)'), default: 30_000, description: 'PostgreSQL only: the server-side statement_timeout.' }),
    namedStatements: setting({
      env: 'TRENCHCOAT_PG_NAMED_STATEMENTS', parser: onOff, default: true,
      description: "PostgreSQL only: the request path's queries as named prepared statements, planned once per connection. Off behind a pooler that gives each transaction another server connection without carrying prepared statements (PgBouncer's transaction mode before 1.21).",
    }),
    keyCache: setting({
      env: 'TRENCHCOAT_PG_KEY_CACHE', parser: onOff, default: true,
      description: 'PostgreSQL only, with its live relay: keys a process checked lately are answered from memory (up to 10,000 keys, 60 s each at most) while its LISTEN connection is up and hears its own NOTIFY. `trenchcoat keys revoke` (its transaction sends a NOTIFY) or a lost connection empties it; a revocation written by hand in SQL counts within 60 s. Off: every request reads its key.',
    }),
  },
  sqlite: {
    busyDeadlineMs: setting({
      env: 'TRENCHCOAT_SQLITE_BUSY_DEADLINE_MS', parser: whole(0), default: 5000,
      description: 'SQLite only: how long a write waits (without blocking other requests) while another process holds the write lock; 503 after.',
    }),
    // Readers under WAL wait only in rare, short moments (another connection recovering the WAL index or
    // resetting the WAL); SQLite waits for them synchronously, so this stays well under the event loop's budget.
    readBusyTimeoutMs: setting({ env: null, parser: whole(0), default: 50, description: 'SQLite only: how long a read may wait, blocking, for a lock.' }),
    // Long reads (analytics) run in a worker thread (db/sqlite-worker-driver.ts), one at a time: these bound it.
    workerStatementTimeoutMs: setting({
      env: null, parser: whole(1), default: 10_000,
      description: 'SQLite only: how long a read in the worker thread may run; 503 after, and the worker is replaced.',
    }),
    workerQueue: setting({ env: null, parser: whole(0), default: 64, description: 'SQLite only: reads that may wait for the worker thread; 503 with Retry-After past it.' }),
  },
  lastUsedFlushMs: setting({
    env: 'TRENCHCOAT_LAST_USED_FLUSH_MS', parser: whole(100), default: 60_000,
    description: "How often the keys' last use is written (requests never write it; `keys list` shows it up to this late).",
  }),
  live: {
    perKey: setting({ env: 'TRENCHCOAT_SUBSCRIPTIONS_PER_KEY', parser: whole(0), default: 10, description: 'Open live subscriptions one key may hold.' }),
    total: setting({ env: 'TRENCHCOAT_SUBSCRIPTIONS_MAX', parser: whole(0), default: 1000, description: 'Open live subscriptions in one process.' }),
    intervalMs: setting({ env: 'TRENCHCOAT_SUBSCRIPTION_INTERVAL_MS', parser: whole(10), default: 250, description: 'Shortest time between two updates of one session (a burst is coalesced into one).' }),
    queue: setting({ env: 'TRENCHCOAT_SUBSCRIPTION_QUEUE', parser: whole(1), default: 100, description: 'Sessions with unread updates a subscriber may lag behind before its stream is ended.' }),
    recheckMs: setting({ env: 'TRENCHCOAT_KEY_RECHECK_MS', parser: whole(100), default: 5000, description: "How often open subscriptions' keys are checked for revocation by another process." }),
    streamBufferBytes: setting({
      env: 'TRENCHCOAT_STREAM_BUFFER_BYTES', parser: bytes, default: 1024 * 1024, shownDefault: '`1048576` (1 MiB)',
      description: 'Bytes a live stream may hold written but not yet taken by the client; past it the stream is cut and its connection closed.',
    }),
    streamWriteTimeoutMs: setting({
      env: 'TRENCHCOAT_STREAM_WRITE_TIMEOUT_MS', parser: whole(100), default: 10_000,
      description: 'How long a live stream may wait for the client to take any of its unsent bytes before it is cut and its connection closed.',
    }),
  },
  graphqlLimits: {
    maxDepth: setting({ env: 'TRENCHCOAT_GRAPHQL_MAX_DEPTH', parser: whole(1), default: 12, description: 'Fields nested in the deepest path of a GraphQL operation, through fragments.' }),
    maxAliases: setting({ env: 'TRENCHCOAT_GRAPHQL_MAX_ALIASES', parser: whole(1), default: 30, description: 'Aliased fields in an operation, a fragment counted each time it is spread.' }),
    maxTokens: setting({ env: 'TRENCHCOAT_GRAPHQL_MAX_TOKENS', parser: whole(1), default: 2000, description: 'Lexical tokens in a GraphQL document; the parser stops at the limit.' }),
    maxCost: setting({ env: 'TRENCHCOAT_GRAPHQL_MAX_COST', parser: whole(1), default: 50_000, description: "An operation's weight, list fields weighed by the size they ask for." }),
    // Measured (a 2-core machine): a 31 MiB answer costs +170 MiB RSS and 0.3-0.8 s of blocked event loop,
    // 16 MiB +120 MiB and 0.26-0.42 s, 8 MiB +37 MiB and 0.07-0.14 s (/healthz within 250 ms).
    maxResponseBytes: setting({
      env: 'TRENCHCOAT_GRAPHQL_MAX_RESPONSE_BYTES', parser: bytes, default: 8 * 1024 * 1024, shownDefault: '`8388608` (8 MiB)',
      description: "A GraphQL answer's (or live message's) estimated size, checked before the rows are read; larger ones get 422 RESPONSE_TOO_LARGE.",
    }),
    maxRows: setting({
      env: 'TRENCHCOAT_GRAPHQL_MAX_ROWS', parser: whole(1), default: 1_000_000,
      description: 'Rows one GraphQL request (or live message) may read, counted before each read (analytics: the sessions in range); more get 422 TOO_MANY_ROWS.',
    }),
    keyBytesInFlight: setting({
      env: 'TRENCHCOAT_GRAPHQL_KEY_BYTES_IN_FLIGHT', parser: bytes, default: 16 * 1024 * 1024, shownDefault: '`16777216` (16 MiB)',
      description: "Estimated bytes of one key's GraphQL answers being built at once; an answer that would pass it gets 429 with Retry-After.",
    }),
    bytesInFlight: setting({
      env: 'TRENCHCOAT_GRAPHQL_BYTES_IN_FLIGHT', parser: bytes, default: 64 * 1024 * 1024, shownDefault: '`67108864` (64 MiB)',
      description: 'Estimated bytes of all GraphQL answers being built at once in the process; an answer that would pass it gets 503 with Retry-After.',
    }),
  },
  // Worst case held: 1,000 documents of 32 KiB, 32 MiB (in each process's memory, or in the shared store).
  persisted: {
    maxDocuments: setting({
      env: 'TRENCHCOAT_PERSISTED_QUERIES_MAX', parser: whole(0, ' (0 = none stored)'), default: 1000,
      description: 'Documents kept for automatic persisted queries (in Redis or PostgreSQL when configured, else in memory); past it the oldest go (in memory: the least recently used).',
    }),
    maxDocumentBytes: setting({
      env: 'TRENCHCOAT_PERSISTED_QUERY_MAX_BYTES', parser: bytes, default: 32 * 1024, shownDefault: '`32768` (32 KiB)',
      description: 'Largest document kept for automatic persisted queries; a larger one still runs, sent whole each time.',
    }),
    ttlSeconds: setting({
      env: 'TRENCHCOAT_PERSISTED_QUERIES_TTL_SECONDS', parser: whole(1), default: 86_400, shownDefault: '`86400` (1 day)',
      description: 'How long a persisted query is kept after it was stored; then the client sends it whole once more.',
    }),
    trustedDocuments: setting({
      env: 'TRENCHCOAT_TRUSTED_DOCUMENTS', parser: filePath, default: null, shownDefault: 'none',
      description: 'A JSON manifest `{ "<id>": "<document>" }` (GraphQL Codegen\'s `persistedDocuments`) of documents clients may run by id; read at start.',
    }),
    trustedOnly: setting({
      env: 'TRENCHCOAT_TRUSTED_DOCUMENTS_ONLY', parser: onOff, default: false,
      description: 'Requests with a key may run only trusted documents, the manifest\'s and the dashboard\'s (400 `UNTRUSTED_DOCUMENT` otherwise); requests without a key are not held to it.',
    }),
  },
  redisUrl: setting({ env: 'REDIS_URL', parser: redisUrl, default: null, shownDefault: 'none', description: 'Redis for relaying live changes and sharing rate limits and persisted queries between processes.' }),
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
  dashboard: {
    enabled: setting({
      env: 'TRENCHCOAT_DASHBOARD', parser: onOff, default: true,
      description: 'Serves the dashboard at /dashboard/ (`/` redirects there) and trusts its documents (see TRENCHCOAT_TRUSTED_DOCUMENTS); off: those paths answer 404.',
    }),
    dir: setting({
      env: 'TRENCHCOAT_DASHBOARD_DIR', parser: { ...filePath, accepts: 'a folder path' }, default: null, shownDefault: '`dist/dashboard` in the package (`npm run build` writes it)',
      description: "The dashboard's build (index.html, assets/, trusted-documents.json), read once at start, at most 8 MiB; a folder without it serves 404 naming the fix.",
    }),
  },
} as const satisfies SettingGroup;

/** The values a table describes: each setting becomes its value, each group an object of values. */
export type SettingValues<G> = { readonly [K in keyof G]: G[K] extends Setting<infer T> ? T : SettingValues<G[K]> };
