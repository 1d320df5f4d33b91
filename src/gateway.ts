import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KeyStore } from './auth/key-store.js';
import { watchRevocations } from './auth/revocation-feed.js';
import type { GatewayConfig } from './config.js';
import { DEFAULT_DASHBOARD_DIR, loadDashboard, type Dashboard } from './dashboard/dashboard-files.js';
import { migrateToLatest } from './db/migrate.js';
import { openConfiguredDatabase } from './db/open-configured-database.js';
import type { Database } from './db/open-database.js';
import { openPersistedQueryStore } from './graphql/persisted/open-persisted-query-store.js';
import { mergeTrustedDocuments, readTrustedDocuments } from './graphql/persisted/trusted-documents.js';
import type { TrustedDocumentOptions } from './graphql/plugins/use-trusted-documents.js';
import { attachGraphQLWebSocket } from './graphql/ws/graphql-ws-server.js';
import { createGatewayYoga } from './graphql/yoga.js';
import { ClusterCounterStore } from './cluster/cluster-counter-store.js';
import { ClusterRelay } from './cluster/cluster-relay.js';
import { BodyBytesInFlight } from './http/body-bytes-in-flight.js';
import { createRequestListener } from './http/request-listener.js';
import { createStreamGuard } from './http/stream-guard.js';
import { ClientLimiter } from './limits/client-limiter.js';
import { MemoryCounterStore } from './limits/memory-counter-store.js';
import { openCounterStore } from './limits/open-counter-store.js';
import { RateLimiter } from './limits/rate-limiter.js';
import { ChangePublisher } from './live/change-publisher.js';
import type { ChangeRelay } from './live/change-relay.js';
import { openRelay } from './live/open-relay.js';
import { PostgresRelay } from './live/postgres-relay.js';
import { SessionFeed } from './live/session-feed.js';
import { createLogger, type Logger } from './log/logger.js';
import { GatewayMetrics } from './metrics/gateway-metrics.js';
import { OpenedResources } from './opened-resources.js';
import { StartupError } from './startup-error.js';
import { PriceTable } from './usage/price-table.js';
import { NO_INGEST_COUNT, type UseCaseServices } from './use-cases/use-case-context.js';

export interface RunningGateway {
  readonly url: string;
  readonly server: Server;
  readonly database: Database;
  readonly keys: KeyStore;
  readonly logger: Logger;
  /** Live subscriptions held by this process. */
  readonly feed: SessionFeed;
  readonly relay: ChangeRelay;
  /** What this process's use cases reach (live changes, rate limit, metrics): in-process callers (demo) use it too. */
  readonly services: UseCaseServices;
  /** Request-body bytes held by the requests in flight. */
  readonly bodyBytesInFlight: BodyBytesInFlight;
  /** Stops accepting, lets requests in flight finish (up to the shutdown timeout), closes the database. */
  close(): Promise<void>;
}

export interface GatewayOptions {
  logger?: Logger;
  now?: () => number;
  /** This process is one worker of `serve --workers N`: what would stay in its memory goes through the primary. */
  clusterWorker?: boolean;
}

export async function startGateway(config: GatewayConfig, options: GatewayOptions = {}): Promise<RunningGateway> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const now = options.now ?? Date.now;
  // Each step below records what it opens; if a later step throws, the ones opened so far close again.
  const opened = new OpenedResources();
  try {
    const database = opened.push(openConfiguredDatabase(config), (d) => d.close());
    await migrateToLatest(database);
    const onLiveError = (error: unknown) => logger.warn({ err: error }, 'live updates: relay or read failed');
    const clustered = options.clusterWorker === true;
    const relay = opened.push(
      clustered && config.liveRelay === 'local' ? new ClusterRelay() : openRelay({ kind: config.liveRelay, database, databaseUrl: config.databaseUrl, redisUrl: config.redisUrl, redisChannel: config.redisChannel, onError: onLiveError }),
      (r) => r.close(),
    );
    const feed = opened.push(new SessionFeed({ db: database.db, now, limits: config.live, onError: onLiveError }), (f) => f.close());
    const keyCache = relay instanceof PostgresRelay && config.postgres.keyCache ? watchRevocations(relay, onLiveError) : undefined;
    const keys = new KeyStore(database.db, keyCache?.cache);
    // Requests only note a key's use; this writes them, off the request path. A failed flush keeps them for the next.
    const lastUsedTimer = opened.push(
      setInterval(() => {
        keys.flushLastUsed().catch((error) => logger.warn({ err: error }, "keys' last use not written yet; retried at the next flush"));
      }, config.lastUsedFlushMs).unref(),
      clearInterval,
    );
    const changes = new ChangePublisher(relay, onLiveError);
    // Off unless a scrape token is configured: then nothing is counted and /metrics is an unknown path.
    const metrics = config.metricsToken === null ? undefined : new GatewayMetrics({ database, feed });
    // Keys and clients without a key are counted in one store; the key limiter closes it.
    const counters = openCounterStore({
      database, redisUrl: config.redisUrl, redisPrefix: config.redisChannel, clustered,
      onError: (error) => logger.warn({ err: error }, 'rate limit store failed'),
    });
    const limiter = opened.push(new RateLimiter(counters, now, metrics && ((bucket) => metrics.rateLimited(bucket))), (l) => l.close());
    // Requests without a key are the cheapest to send: on PostgreSQL their count stays in this process's memory, so
    // sending them never costs a database write (nor waits on the pool). Redis, built for it, shares it between processes.
    // Workers of one gateway count them together, in their primary's memory.
    const clientCounters = config.redisUrl ? counters : clustered ? new ClusterCounterStore('clients') : new MemoryCounterStore();
    const clients = new ClientLimiter(clientCounters, config.anonymous.requestsPerMinute, now);
    const bodyBytesInFlight = new BodyBytesInFlight(config.http.bodyBytesInFlight);
    try {
      await relay.listen((message) => {
        keyCache?.hear(message);
        feed.receive(message);
      });
    } catch (error) {
      throw StartupError.because(`cannot start the live updates relay (${relay.name})`, error);
    }

    const prices = config.pricesFile === null ? PriceTable.bundled() : readConfiguredPrices(config.pricesFile);
    const services: UseCaseServices = { db: database.db, readsOffLoop: database.readsOffLoop, now, changes, limiter, ingested: metrics ?? NO_INGEST_COUNT, prices };
    const { persisted } = config;
    const persistedQueries = opened.push(
      openPersistedQueryStore({
        database, redisUrl: config.redisUrl, redisPrefix: config.redisChannel, now, clustered,
        bounds: { maxDocuments: persisted.maxDocuments, ttlMs: persisted.ttlSeconds * 1000 },
        onError: (error) => logger.warn({ err: error }, 'persisted queries: store failed'),
      }),
      (s) => s.close(),
    );
    // Off: its paths are unknown and its documents not trusted. Read once, here; a missing build is logged, not fatal.
    const dashboard = config.dashboard.enabled ? await loadDashboard(config.dashboard.dir ?? DEFAULT_DASHBOARD_DIR, logger) : undefined;
    const trustedDocuments = configuredTrustedDocuments(persisted, dashboard, logger);
    const yoga = createGatewayYoga({
      services, introspection: config.introspection, feed, limits: config.graphqlLimits, logger, metrics,
      persistedQueries: { store: persistedQueries, maxDocumentBytes: persisted.maxDocumentBytes },
      trustedDocuments,
    });
    const streams = createStreamGuard({ bufferBytes: config.live.streamBufferBytes, writeTimeoutMs: config.live.streamWriteTimeoutMs, logger, metrics });
    const listener = createRequestListener({
      database, keys, yoga, logger, services, limiter,
      bodyLimitBytes: config.bodyLimitBytes,
      otlpBodyLimitBytes: config.otlpBodyLimitBytes,
      json: { maxDepth: config.jsonMaxDepth, maxValues: config.jsonMaxValues },
      anonymous: {
        bodyLimitBytes: config.anonymous.bodyLimitBytes,
        json: { maxDepth: config.anonymous.jsonMaxDepth, maxValues: config.anonymous.jsonMaxValues },
      },
      bodyBytesInFlight,
      clients,
      trustedProxies: config.http.trustedProxies,
      corsOrigins: config.corsOrigins,
      hookPreviewChars: config.hookPreviewChars,
      metrics: metrics && config.metricsToken !== null ? { registry: metrics, token: config.metricsToken } : undefined,
      streams,
      dashboard,
    });
    const { http } = config;
    const server = opened.push(
      createServer(
        {
          headersTimeout: http.headersTimeoutMs,
          requestTimeout: http.requestTimeoutMs,
          keepAliveTimeout: http.keepAliveTimeoutMs,
          // Node checks the timeouts above on this period (30 s by default): check often enough to honour them.
          connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(http.headersTimeoutMs / 4))),
        },
        (req, res) => void listener(req, res),
      ),
      (s) => new Promise<void>((resolve) => {
        s.close(() => resolve());
        s.closeAllConnections();
      }),
    );
    server.maxRequestsPerSocket = http.maxRequestsPerSocket;
    server.maxConnections = http.maxConnections;
    server.maxHeadersCount = 100;
    // GraphQL over WebSocket on the same port: the handshake's peer counts against maxConnections like any connection.
    const sockets = attachGraphQLWebSocket(server, {
      yoga, keys, limiter, clients, logger, streams,
      trustedProxies: config.http.trustedProxies,
      corsOrigins: config.corsOrigins,
      json: { maxDepth: config.jsonMaxDepth, maxValues: config.jsonMaxValues },
      anonymousJson: { maxDepth: config.anonymous.jsonMaxDepth, maxValues: config.anonymous.jsonMaxValues },
      // connection_init carries the key, as headers do over HTTP: the same time to send it.
      initTimeoutMs: http.headersTimeoutMs,
      anonymousLifetimeMs: http.requestTimeoutMs,
      operationsPerSocket: config.live.perKey + OPERATIONS_BESIDE_SUBSCRIPTIONS,
    });

    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        // Node's default backlog (511) is below the connection ceiling: a burst of connects past it has SYNs dropped,
        // and every client then, /healthz probes included, waits a second for the retransmission. The kernel caps it
        // at net.core.somaxconn.
        server.listen({ port: config.port, host: config.host, backlog: Math.max(511, 2 * http.maxConnections) }, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      throw StartupError.because(`cannot listen on ${config.host}:${config.port}`, error);
    }
    const { port } = server.address() as AddressInfo;
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;

    let closing: Promise<void> | undefined;
    async function close(): Promise<void> {
      closing ??= (async () => {
        // Open streams would hold the server open until the timeout: end them first.
        feed.close();
        sockets.close(config.shutdownTimeoutMs);
        const drained = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const timer = setTimeout(() => server.closeAllConnections(), config.shutdownTimeoutMs);
        await drained;
        clearTimeout(timer);
        clearInterval(lastUsedTimer);
        await keys.flushLastUsed().catch((error) => logger.error({ err: error }, "keys' last use not written at shutdown"));
        await changes.flush();
        await relay.close();
        await limiter.close();
        await persistedQueries.close();
        await database.close();
      })();
      return closing;
    }

    return { url: `http://${host}:${port}`, server, database, keys, logger, feed, relay, services, bodyBytesInFlight, close };
  } catch (error) {
    await opened.closeAll(logger);
    throw error;
  }
}

function readConfiguredPrices(path: string): PriceTable {
  try {
    return PriceTable.fromFile(path);
  } catch (error) {
    throw StartupError.because(`cannot read the prices file ${path}`, error);
  }
}

function readConfiguredManifest(path: string) {
  try {
    return readTrustedDocuments(path);
  } catch (error) {
    throw StartupError.because(`cannot read the trusted documents manifest ${path}`, error);
  }
}

/**
 * The deployment's manifest (unreadable: a startup error) and the documents the dashboard's build runs by id, so
 * that the dashboard works with no setting, and under TRENCHCOAT_TRUSTED_DOCUMENTS_ONLY too.
 */
function configuredTrustedDocuments(persisted: GatewayConfig['persisted'], dashboard: Dashboard | undefined, logger: Logger): TrustedDocumentOptions | undefined {
  const own = persisted.trustedDocuments === null ? null : readConfiguredManifest(persisted.trustedDocuments);
  const shipped = dashboard?.built ? dashboard.trustedDocuments : null;
  if (own && shipped) {
    const { documents, conflicts } = mergeTrustedDocuments(own, shipped);
    if (conflicts.length > 0) {
      logger.warn({ ids: conflicts.slice(0, 20) }, `${conflicts.length} ids of the dashboard's trusted documents name other documents in TRENCHCOAT_TRUSTED_DOCUMENTS, which wins; the dashboard's queries by those ids will fail`);
    }
    return { documents, only: persisted.trustedOnly };
  }
  const documents = own ?? shipped;
  if (documents) return { documents, only: persisted.trustedOnly };
  if (persisted.trustedOnly) {
    throw new StartupError('TRENCHCOAT_TRUSTED_DOCUMENTS_ONLY=true needs trusted documents: TRENCHCOAT_TRUSTED_DOCUMENTS, or a dashboard build with its trusted-documents.json');
  }
  return undefined;
}

/** Operations a WebSocket may run at once besides as many subscriptions as its key may hold. */
const OPERATIONS_BESIDE_SUBSCRIPTIONS = 4;
