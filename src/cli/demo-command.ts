import type { Command } from 'commander';
import { flagHelp, loadConfig, type ConfigFlags } from '../config.js';
import { demoSessions } from '../demo/demo-events.js';
import { storeDemoSessions, type DemoStoreSummary } from '../demo/store-demo-sessions.js';
import { importPrincipal } from '../import/import-transcripts.js';
import { createUseCaseContext } from '../use-cases/use-case-context.js';
import type { RunningGateway } from '../gateway.js';
import { stopOnSignals } from './serve-command.js';

export const DEMO_ACCOUNT = 'demo';
export const DEMO_SESSIONS = 36;

/**
 * Stores the demo sessions in the demo account through the same ingestion use cases and services as
 * POST /api/v1/events (their events) and the OTLP export (their model requests, failed requests and counters):
 * they count in the gateway's metrics and reach its live subscribers. Written as the account's local writer, not
 * through a key. `stored` is how many events were new.
 */
export async function storeDemoData(gateway: Pick<RunningGateway, 'keys' | 'services'>, now = Date.now()): Promise<DemoStoreSummary> {
  const ctx = createUseCaseContext(gateway.services, importPrincipal(await gateway.keys.ensureAccount(DEMO_ACCOUNT), DEMO_ACCOUNT));
  return storeDemoSessions(ctx, demoSessions(now, DEMO_SESSIONS), { withUsage: true });
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('Start the gateway with a demo account, a fresh key and demo sessions to look at.')
    .option('--port <port>', flagHelp('port', 'port to listen on'))
    .option('--host <host>', flagHelp('host', 'address to bind'))
    .option('--db <path|url>', flagHelp('db', 'SQLite file or postgres:// URL'))
    .addHelpText('after', '\nExample:\n  $ npm run demo')
    .action(async (flags: ConfigFlags) => {
      const config = loadConfig(flags);
      const { startGateway } = await import('../gateway.js');
      const gateway = await startGateway(config);
      stopOnSignals(gateway, gateway.logger);
      const created = await gateway.keys.create({ account: DEMO_ACCOUNT, scopes: ['read:analytics', 'write:events'], name: 'demo' });
      const demo = await storeDemoData(gateway);
      const lines = [
        '',
        `  Trenchcoat gateway is running at ${gateway.url}`,
        `  Demo data: ${demo.stored} new events; ${demo.sessions} sessions with ${demo.modelRequests} model requests (account "demo"; re-running adds nothing new).`,
        '',
        `  Your demo API key (shown once; ${created.id}):`,
        `    ${created.key}`,
        '',
        ...(config.dashboard.enabled ? [`  Dashboard: ${gateway.url}/dashboard/   (paste the key above)`] : []),
        `  GraphiQL:  ${gateway.url}/graphql   (Headers tab: {"X-API-Key": "<the key above>"})`,
        `  REST:      curl -H "X-API-Key: ${created.key}" "${gateway.url}/api/v1/sessions?limit=5"`,
        '',
        '  Ctrl+C stops it.',
        '',
      ];
      process.stderr.write(`${lines.join('\n')}\n`);
    });
}
