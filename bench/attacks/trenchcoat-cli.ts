// `trenchcoat keys create … --json` of the gateway under test (its own bin/, its own dist/).
import { runCli } from '../processes.js';
import { gatewayEnvironment } from './gateway-process.js';

export type Tier = 'standard' | 'premium' | 'ingestion' | 'unlimited';

export interface KeySpec {
  readonly account: string;
  readonly scopes: string;
  /** null: the tier `keys create` gives by default. */
  readonly tier: Tier | null;
}

export async function createKey(dir: string, db: string, spec: KeySpec): Promise<string> {
  const tier = spec.tier ? ['--tier', spec.tier] : [];
  const out = await runCli(['keys', 'create', '--account', spec.account, '--scopes', spec.scopes, ...tier, '--name', 'attack-bench', '--json', '--db', db], { root: dir, env: gatewayEnvironment() });
  return (JSON.parse(out.trim().split('\n').pop()!) as { key: string }).key;
}
