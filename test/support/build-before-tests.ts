import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

// CLI specs spawn bin/trenchcoat.js, which runs the compiled dist/, and the dashboard's specs load
// dist/dashboard: build both from the current sources before any spec runs, so no spec exercises stale
// code. `tsc -b` is incremental and returns at once when dist/ is already up to date; the dashboard's
// esbuild build takes well under a second.
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSC = createRequire(import.meta.url).resolve('typescript/bin/tsc');

// Vitest runs a global setup once per project (one per engine): build once per run.
const BUILT = Symbol.for('trenchcoat.test.dist-built');

function run(what: string, args: string[]): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    execFile(process.execPath, args, { cwd: ROOT, env: { ...process.env, TRENCHCOAT_QUIET_BUILD: '1' } }, (error, stdout, stderr) => {
      if (error) reject(new Error(`the build (${what}) failed, so specs would run stale code:\n${stdout}${stderr}`));
      else resolve();
    });
  });
}

export default async function buildBeforeTests(): Promise<void> {
  const state = globalThis as { [BUILT]?: Promise<void> };
  state[BUILT] ??= run('tsc -b tsconfig.build.json', [TSC, '-b', 'tsconfig.build.json']).then(() => run('node dashboard/build.mjs', ['dashboard/build.mjs']));
  await state[BUILT];
}
