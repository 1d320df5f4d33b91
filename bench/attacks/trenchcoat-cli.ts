// `trenchcoat keys create … --json` of the gateway under test (its own bin/, its own dist/).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { track } from '../processes.js';
import { gatewayEnvironment } from './gateway-process.js';

export type Tier = 'standard' | 'premium' | 'ingestion' | 'unlimited';

export interface KeySpec {
  readonly account: string;
  readonly scopes: string;
  /** null: the tier `keys create` gives by default. */
  readonly tier: Tier | null;
}

function runTrenchcoat(dir: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(dir, 'bin', 'trenchcoat.js'), ...args], {
      cwd: dir,
      env: gatewayEnvironment(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    track(child);
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`trenchcoat ${args[0]} ${args[1] ?? ''} failed (${code}): ${err}`))));
  });
}

export async function createKey(dir: string, db: string, spec: KeySpec): Promise<string> {
  const tier = spec.tier ? ['--tier', spec.tier] : [];
  const out = await runTrenchcoat(dir, ['keys', 'create', '--account', spec.account, '--scopes', spec.scopes, ...tier, '--name', 'attack-bench', '--json', '--db', db]);
  return (JSON.parse(out.trim().split('\n').pop()!) as { key: string }).key;
}
