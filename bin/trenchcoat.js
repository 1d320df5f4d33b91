#!/usr/bin/env node
// Runs the compiled CLI in dist/ (`npm run build`; `npm ci` builds it through the "prepare" script), so no
// process loads a TypeScript transpiler. dist/ has source maps: NODE_OPTIONS=--enable-source-maps for .ts stacks.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('trenchcoat: dist/ has no compiled CLI: run `npm run build` first.\n');
  process.exit(1);
}

// A server's memory: Node 24 lets V8's young generation grow to 128 MiB under load, V8 lets the old generation
// grow to several times what survived its last full collection before collecting again (objects of requests in
// flight are promoted, then die there: ingesting, 39 MiB survived and the next full collection came at 165 MiB),
// and glibc keeps
// a malloc arena per thread; all must be chosen before the process starts. So `serve` and `demo` start once
// more in the same process (same PID, process.execve) with them capped, unless NODE_OPTIONS already says how
// large the young generation may be, or TRENCHCOAT_MEMORY_CAPS is off. README.md, "Memory", has the figures.
const SERVER_COMMANDS = new Set(['serve', 'demo']);
const YOUNG_GENERATION = '--max-semi-space-size';
// The old generation may grow by half of what survived (V8's own factor is up to 4x; --heap-growing-percent on
// the command line wins).
const OLD_GENERATION_GROWTH = '--heap-growing-percent';
// What the setting's parser reads as off (src/config/parsers.ts, onOff); any other value is checked there once started.
const OFF = /^(0|false|no|off)$/i;
const chosen = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].some((a) => a.startsWith(YOUNG_GENERATION));
if (SERVER_COMMANDS.has(process.argv[2]) && !chosen && !OFF.test(process.env.TRENCHCOAT_MEMORY_CAPS ?? '') && typeof process.execve === 'function') {
  const growth = process.execArgv.some((a) => a.startsWith(OLD_GENERATION_GROWTH)) ? [] : [`${OLD_GENERATION_GROWTH}=50`];
  const args = [`${YOUNG_GENERATION}=16`, ...growth, ...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)];
  process.execve(process.execPath, [process.execPath, ...args], { MALLOC_ARENA_MAX: '2', ...process.env });
}

await import(main.href);
