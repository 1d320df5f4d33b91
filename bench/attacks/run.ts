// `node --import tsx bench/attacks/run.ts [--gateway DIR] [--baseline DIR] [--only …]`: replays the
// attacks of issue 15 against real gateway processes and prints the report (bench/attacks/attack-table.ts).
// A benchmark, not a test: nothing here runs in npm test. See --help.
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { redactUrl } from '../pg-admin.js';
import { flagsOrExit } from '../flag-reader.js';
import { parseAttackArgs, USAGE } from './attack-args.js';
import { AttackLab } from './attack-lab.js';
import { ATTACKS } from './attack-list.js';
import { attackTable } from './attack-table.js';
import { describeBuild } from './gateway-build.js';
import { ObserverClient } from './observer-client.js';
import type { DatabasePlace } from './scratch-database.js';

const log = (message: string) => process.stderr.write(`${message}\n`);
const load = () => loadavg().map((l) => Math.round(l * 100) / 100);

async function main(): Promise<number> {
  const args = flagsOrExit('attacks', USAGE, parseAttackArgs);
  const builds = args.baseline
    ? [describeBuild('before', args.baseline, args.baselineCommit), describeBuild('after', args.gateway, args.gatewayCommit)]
    : [describeBuild('gateway', args.gateway, args.gatewayCommit)];
  for (const b of builds) if (b.staleNote) log(`attacks: warning: ${b.dir}: ${b.staleNote}`);
  const folder = args.db ? null : mkdtempSync(join(tmpdir(), 'trenchcoat-attacks-'));
  const place: DatabasePlace = args.db ? { kind: 'postgres', url: args.db } : { kind: 'sqlite', folder: folder! };
  const observer = new ObserverClient();
  const labs = builds.map((build) => new AttackLab({ build, place, observer, rssCapBytes: args.rssCapMiB * 2 ** 20, log }));
  const date = new Date();
  const loadStart = load();
  const started = performance.now();
  const attacks = ATTACKS.filter((a) => args.only.includes(a.name));
  try {
    for (const attack of attacks) {
      // Before and after back to back, so that both meet the same load on the machine.
      for (const lab of labs) {
        log(`[${lab.column}] ${attack.name}`);
        lab.attack = attack.name;
        try {
          await attack.run(lab);
        } catch (error) {
          lab.skip(`${attack.name}: could not run`, `bench error: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
          log(`  failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        } finally {
          await lab.dropDatabases();
        }
      }
    }
  } finally {
    observer.close();
    if (folder) rmSync(folder, { recursive: true, force: true });
  }
  const rows = labs.flatMap((lab) => lab.rows);
  const command = ['node --import tsx bench/attacks/run.ts', ...process.argv.slice(2).map((a) => (/^postgres/i.test(a) ? redactUrl(a) : a))].join(' ');
  const report = attackTable(rows, {
    date,
    command,
    builds,
    engine: args.db ? `PostgreSQL at ${redactUrl(args.db)} (a database per attack)` : 'SQLite (a file per attack, in a temporary folder)',
    node: process.version,
    machine: `${cpus().length} × ${cpus()[0]?.model.trim() ?? '?'}`,
    loadStart,
    loadEnd: load(),
    rssCapMiB: args.rssCapMiB,
    attacks,
  });
  process.stdout.write(`\n${report}\n`);
  log(`[attacks] done in ${Math.round((performance.now() - started) / 1000)} s`);
  return 0;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(`attacks: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
