import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KeyStore } from './auth/key-store.js';
import type { GatewayConfig } from './config.js';
import { migrateToLatest } from './db/migrate.js';
import { openDatabase, type Database } from './db/open-database.js';
import { createGatewayYoga } from './graphql/yoga.js';
import { createRequestListener } from './http/request-listener.js';
import { createLogger, type Logger } from './log/logger.js';

export interface RunningGateway {
  readonly url: string;
  readonly server: Server;
  readonly database: Database;
  readonly keys: KeyStore;
  readonly logger: Logger;
  /** Stops accepting, lets requests in flight finish (up to the shutdown timeout), closes the database. */
  close(): Promise<void>;
}

export interface GatewayOptions {
  logger?: Logger;
  now?: () => number;
}

export async function startGateway(config: GatewayConfig, options: GatewayOptions = {}): Promise<RunningGateway> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const now = options.now ?? Date.now;
  const database = openDatabase(config.databaseUrl, config.postgres);
  try {
    await migrateToLatest(database);
  } catch (error) {
    await database.close();
    throw error;
  }
  const keys = new KeyStore(database.db);
  const yoga = createGatewayYoga({ db: database.db, keys, introspection: config.introspection, now });
  const listener = createRequestListener({ database, keys, yoga, logger, bodyLimitBytes: config.bodyLimitBytes, hookPreviewChars: config.hookPreviewChars, now });
  const server = createServer((req, res) => void listener(req, res));

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;

  let closing: Promise<void> | undefined;
  async function close(): Promise<void> {
    closing ??= (async () => {
      const drained = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), config.shutdownTimeoutMs);
      await drained;
      clearTimeout(timer);
      await database.close();
    })();
    return closing;
  }

  return { url: `http://${host}:${port}`, server, database, keys, logger, close };
}
