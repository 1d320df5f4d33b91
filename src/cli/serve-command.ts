import type { Command } from 'commander';
import { flagHelp, loadConfig, type ConfigFlags } from '../config.js';
import type { RunningGateway } from '../gateway.js';

export function stopOnSignals(gateway: RunningGateway): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    gateway.logger.info({ signal }, 'shutting down');
    gateway.close().then(
      () => process.exit(0),
      (error: unknown) => {
        gateway.logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Run the gateway (applies pending migrations first).')
    .option('--port <port>', flagHelp('port', 'port to listen on', '0 picks a free one'))
    .option('--host <host>', flagHelp('host', 'address to bind'))
    .option('--db <path|url>', flagHelp('db', 'SQLite file or postgres:// URL'))
    .addHelpText('after', '\nExamples:\n  $ trenchcoat serve\n  $ trenchcoat serve --port 8080 --host 0.0.0.0 --db /var/lib/trenchcoat/gateway.db')
    .action(async (flags: ConfigFlags) => {
      const config = loadConfig(flags);
      // Loaded on use: the GraphQL stack costs a second of start-up that other commands need not pay.
      const { startGateway } = await import('../gateway.js');
      const gateway = await startGateway(config);
      stopOnSignals(gateway);
      gateway.logger.info({ url: gateway.url }, `gateway listening on ${gateway.url} (GraphiQL at ${gateway.url}/graphql)`);
    });
}
