#!/usr/bin/env node
// The CLI is TypeScript run through tsx (a dependency), so `npx trenchcoat` works right after `npm ci`.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
