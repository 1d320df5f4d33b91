import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

// CLI specs spawn bin/trenchcoat.js, which runs the compiled dist/: build it from the current sources
// before any spec runs, so no spec exercises stale JavaScript. `tsc -b` is incremental and returns at
// once when dist/ is already up to date.
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSC = createRequire(import.meta.url).resolve('typescript/bin/tsc');

// Vitest runs a global setup once per project (one per engine): build once per run.
const BUILT = Symbol.for('trenchcoat.test.dist-built');

export default async function buildBeforeTests(): Promise<void> {
  const state = globalThis as { [BUILT]?: Promise<void> };
  state[BUILT] ??= new Promise<void>((resolve, reject) => {
    execFile(process.execPath, [TSC, '-b', 'tsconfig.build.json'], { cwd: ROOT }, (error, stdout, stderr) => {
      if (error) reject(new Error(`the build (tsc -b tsconfig.build.json) failed, so the CLI would run stale code:\n${stdout}${stderr}`));
      else resolve();
    });
  });
  await state[BUILT];
}
