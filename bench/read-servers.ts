// The servers the read scenarios measure, each in its own process: the gateway, the baseline, and
// the GraphQL peers when graphql-day runs.
import type { BenchArgs } from './args.js';
import type { Dataset } from './dataset.js';
import type { Engine } from './engine.js';
import { BROWSER_GATEWAY_ENV } from './graphql-browser.js';
import { startGateway, startServer, tsxArgs, type ServerProcess } from './processes.js';

export interface ReadServers {
  gateway: ServerProcess;
  baseline: ServerProcess;
  apollo: ServerProcess | null;
  mercurius: ServerProcess | null;
}

export async function startReadServers(args: BenchArgs, dataset: Dataset, engine: Engine): Promise<ReadServers> {
  const gateway = await startGateway(dataset.path, args.gatewayLogLevel, 'gateway', { env: BROWSER_GATEWAY_ENV });
  const started: ServerProcess[] = [gateway];
  try {
    const server = async (name: string, script: string) => {
      const s = await startServer({ name, args: (port) => tsxArgs(script, '--db', dataset.path, '--port', String(port)), readyPath: '/graphql' });
      started.push(s);
      return s;
    };
    const baseline = await server('baseline', engine.baselineScript);
    const peers = args.only.includes('graphql-day');
    const apollo = peers ? await server('apollo', 'bench/peers/apollo.ts') : null;
    const mercurius = peers ? await server('mercurius', 'bench/peers/mercurius.ts') : null;
    return { gateway, baseline, apollo, mercurius };
  } catch (error) {
    await Promise.all(started.map((s) => s.stop()));
    throw error;
  }
}
