import cluster from 'node:cluster';
import type { Command } from 'commander';
import { flagHelp, loadConfig, type ConfigFlags, type GatewayConfig } from '../config.js';
import { createLogger, type Logger } from '../log/logger.js';
import { sendToPrimary } from '../cluster/send-to-primary.js';

interface Closable {
  close(): Promise<void>;
}

export function stopOnSignals(gateway: Closable, logger: Logger): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    gateway.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  // A worker whose primary is gone (killed) would serve on alone, unsupervised: it stops too.
  if (cluster.isWorker) process.on('disconnect', () => stop('primary gone'));
}

async function serveAlone(config: GatewayConfig): Promise<void> {
  // Loaded on use: the GraphQL stack costs a second of start-up that other commands need not pay.
  const { startGateway } = await import('../gateway.js');
  const gateway = await startGateway(config);
  stopOnSignals(gateway, gateway.logger);
  gateway.logger.info({ url: gateway.url }, `gateway listening on ${gateway.url} (GraphiQL at ${gateway.url}/graphql)`);
}

async function serveAsWorker(config: GatewayConfig): Promise<void> {
  const { startGateway } = await import('../gateway.js');
  const id = cluster.worker?.id;
  const gateway = await startGateway(config, { logger: createLogger(config.logLevel).child({ worker: id }), clusterWorker: true });
  stopOnSignals(gateway, gateway.logger);
  gateway.logger.info({ url: gateway.url }, `worker ${id} listening`);
  await sendToPrimary({ tc: 'listening', url: gateway.url });
}

async function servePrimary(config: GatewayConfig): Promise<void> {
  const logger = createLogger(config.logLevel);
  const { startClusterPrimary } = await import('../cluster/cluster-primary.js');
  const running = await startClusterPrimary(config, logger);
  stopOnSignals(running, logger);
  logger.info({ url: running.url, workers: config.workers }, `gateway listening on ${running.url} with ${config.workers} workers (GraphiQL at ${running.url}/graphql)`);
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Run the gateway (applies pending migrations first).')
    .option('--port <port>', flagHelp('port', 'port to listen on', '0 picks a free one'))
    .option('--host <host>', flagHelp('host', 'address to bind'))
    .option('--db <path|url>', flagHelp('db', 'SQLite file or postgres:// URL'))
    .option('--workers <n>', flagHelp('workers', 'processes serving the port', '`auto`: one per core'))
    .addHelpText(
      'after',
      '\nExamples:\n  $ trenchcoat serve\n  $ trenchcoat serve --port 8080 --host 0.0.0.0 --db /var/lib/trenchcoat/gateway.db\n  $ trenchcoat serve --workers auto',
    )
    .action(async (flags: ConfigFlags) => {
      const config = loadConfig(flags);
      if (cluster.isWorker) await serveAsWorker(config);
      else if (config.workers > 1) await servePrimary(config);
      else await serveAlone(config);
    });
}
