// `npm run bench`: builds (or reuses) the data set, measures the gateway against the baseline and the
// GraphQL peers, prints the report. Benchmarks are not tests: nothing here runs in `npm test`.
// See `npm run bench -- --help`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs, USAGE } from './args.js';
import { ensureDataset } from './dataset.js';
import { engineFor } from './engine.js';
import { flagsOrExit } from './flag-reader.js';
import { measure, VerificationError } from './measure.js';
import { environment, jsonResults, markdown, writeReadme } from './report.js';

async function main(): Promise<number> {
  const args = flagsOrExit('bench', USAGE, parseArgs);
  const command = ['npm run bench', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' ');
  const started = performance.now();
  const engine = engineFor(args.db);
  const needsData = args.only.some((s) => s !== 'ingest');
  const dataset = needsData
    ? await ensureDataset({ engine, sessions: args.sessions, dbPath: args.db, method: args.build, inflight: args.buildInflight })
    : null;
  const env = await environment(engine);
  const date = new Date();
  let result;
  try {
    result = await measure(args, dataset, engine);
  } catch (error) {
    if (error instanceof VerificationError) {
      process.stderr.write(`\nbench: verification failed, nothing measured.\n${error.message}\n`);
      return 1;
    }
    throw error;
  }
  const report = markdown(args, command, dataset, result, env, date);
  process.stdout.write(`\n${report}\n`);
  if (args.json) {
    const path = resolve(args.json);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, `${JSON.stringify(jsonResults(args, command, dataset, result, env, date), null, 2)}\n`);
    process.stderr.write(`[bench] results written to ${path}\n`);
  }
  if (args.writeReadme) {
    writeReadme(report, engine);
    process.stderr.write(`[bench] README.md updated (## Performance, the ${engine.label} block)\n`);
  }
  process.stderr.write(`[bench] done in ${Math.round((performance.now() - started) / 1000)} s\n`);
  return 0;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
