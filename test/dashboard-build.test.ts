// The dashboard's build and its generated files (issue 18): the typed operations and the trusted-documents
// manifest are what `npm run dashboard:codegen` writes from schema.graphql, the build the gateway serves names
// only its own hashed assets, and its JavaScript stays within the budget. The global setup built dist/dashboard.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildSchema, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { GENERATED_FILE, generate, MANIFEST_FILE } from '../dashboard/codegen.js';
import { TEST_ENGINE } from './support/test-database.js';

const ROOT = join(import.meta.dirname, '..');
const BUILD = join(ROOT, 'dist', 'dashboard');
const JS_BUDGET_BYTES = 150 * 1024;

describe.runIf(TEST_ENGINE === 'sqlite')('the dashboard build', () => {
  it('commits exactly what codegen writes from schema.graphql (run `npm run dashboard:codegen` after changing either)', async () => {
    const files = await generate();
    expect(readFileSync(GENERATED_FILE, 'utf8')).toBe(files.typescript);
    expect(readFileSync(MANIFEST_FILE, 'utf8')).toBe(files.manifest);
  });

  it('registers each document under the sha256 of its text, and each validates against the schema', async () => {
    const { createHash } = await import('node:crypto');
    const schema = buildSchema(readFileSync(join(ROOT, 'schema.graphql'), 'utf8'));
    const manifest = JSON.parse(readFileSync(MANIFEST_FILE, 'utf8')) as Record<string, string>;
    expect(Object.keys(manifest).length).toBeGreaterThanOrEqual(5);
    for (const [id, text] of Object.entries(manifest)) {
      expect(createHash('sha256').update(text).digest('hex')).toBe(id);
      expect(validate(schema, parse(text))).toEqual([]);
    }
    expect(JSON.parse(readFileSync(join(BUILD, 'trusted-documents.json'), 'utf8'))).toEqual(manifest);
  });

  it('names only its own content-hashed assets, by absolute path under /dashboard/assets', () => {
    const page = readFileSync(join(BUILD, 'index.html'), 'utf8');
    const referenced = [...page.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    const assets = readdirSync(join(BUILD, 'assets'));
    expect(referenced.length).toBe(3);
    for (const url of referenced) {
      expect(url).toMatch(/^\/dashboard\/assets\/[a-z]+-[A-Z0-9]{8}\.(js|css|svg)$/);
      expect(assets).toContain(url.slice('/dashboard/assets/'.length));
    }
    // No inline script or style: the page's CSP allows neither.
    expect(page).not.toMatch(/<script(?![^>]*\bsrc=)/);
    expect(page).not.toMatch(/<style|\sstyle=/);
  });

  it(`keeps all its JavaScript within ${JS_BUDGET_BYTES / 1024} KiB gzipped, and fetches nothing from another host`, () => {
    const scripts = readdirSync(join(BUILD, 'assets')).filter((name) => name.endsWith('.js'));
    expect(scripts.length).toBeGreaterThan(0);
    let total = 0;
    for (const name of scripts) {
      const code = readFileSync(join(BUILD, 'assets', name));
      total += gzipSync(code, { level: 9 }).length;
      // Only XML namespace names, which are identifiers, not addresses the page fetches.
      const urls = [...code.toString('utf8').matchAll(/https?:\/\/[^"'`\s)]+/g)].map((m) => m[0]);
      expect(urls.filter((url) => !url.startsWith('http://www.w3.org/'))).toEqual([]);
    }
    expect(total).toBeLessThanOrEqual(JS_BUDGET_BYTES);
  });
});
