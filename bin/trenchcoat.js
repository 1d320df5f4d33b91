#!/usr/bin/env node
// Runs the compiled CLI in dist/ (`npm run build`; `npm ci` builds it through the "prepare" script), so no
// process loads a TypeScript transpiler. dist/ has source maps: NODE_OPTIONS=--enable-source-maps for .ts stacks.
import { existsSync } from 'node:fs';

const main = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('trenchcoat: dist/ has no compiled CLI: run `npm run build` first.\n');
  process.exit(1);
}
await import(main.href);
