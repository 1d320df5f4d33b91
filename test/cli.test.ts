import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';
import { linesOf, runCli, startServe, type CliResult, type ServeProcess } from './support/cli-run.js';

// The `trenchcoat` command, and SIGTERM (docs/api.md#operations-endpoints). Every command runs as a real process:
// `node bin/trenchcoat.js ...`, over SQLite files in a temporary folder.

const KEY = /^ct_live_[a-z0-9]{32}$/;

/** A usage or input error: non-zero exit, exactly one line on stderr, nothing on stdout. */
function expectOneLineError(result: CliResult): void {
  expect(result.code, result.stderr).not.toBe(0);
  expect(result.code).not.toBeNull();
  expect(linesOf(result.stderr), result.stderr).toHaveLength(1);
  expect(result.stderr.trim().length).toBeGreaterThan(0);
  expect(result.stdout).toBe('');
}

describe('trenchcoat CLI', { timeout: 90_000 }, () => {
  let dir: string;
  let dbA: string;
  let dbB: string;
  const created: { id?: string; key: string; account: string; scopes: string[]; tier: string }[] = [];
  let server: ServeProcess | undefined;

  const cli = (args: string[], env?: Record<string, string>) => runCli(args, { cwd: dir, env });

  let databases: TestDatabase[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'trenchcoat-cli-'));
    // Two databases of the run's engine: SQLite files, or PostgreSQL databases (--db takes either).
    databases = [await createTestDatabase(), await createTestDatabase()];
    [dbA, dbB] = databases.map((d) => d.url) as [string, string];
  });
  afterAll(async () => {
    if (server && server.child.exitCode === null && server.child.signalCode === null) {
      server.child.kill('SIGKILL');
      await server.exited;
    }
    for (const database of databases) await database.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keys create prints the key alone on its line on stdout (--db); both scopes default to tier standard', async () => {
    const result = await cli(['keys', 'create', '--account', 'acme', '--scopes', 'read:analytics,write:events', '--name', 'dashboard', '--db', dbA]);
    expect(result.code, result.stderr).toBe(0);
    const keyLines = result.stdout.split('\n').filter((line) => KEY.test(line));
    expect(keyLines).toHaveLength(1);
    expect(linesOf(result.stdout)).toEqual(keyLines);
    const key = keyLines[0]!;
    // Printed once.
    expect(result.stdout.split(key)).toHaveLength(2);
    expect(result.stderr).not.toContain(key);
    created.push({ key, account: 'acme', scopes: ['read:analytics', 'write:events'], tier: 'standard' });
    // The command created (and migrated) the database it was pointed at.
    if (databases[0]!.sqlitePath) expect(existsSync(dbA)).toBe(true);
    else expect((await cli(['keys', 'list', '--db', dbA])).stdout).toContain('account=acme');
  });

  it('keys create --json prints exactly {id, key, account, scopes, tier} (DATABASE_URL); write-only defaults to ingestion', async () => {
    const result = await cli(['keys', 'create', '--account', 'acme', '--scopes', 'write:events', '--json'], { DATABASE_URL: dbA });
    expect(result.code, result.stderr).toBe(0);
    expect(linesOf(result.stdout)).toHaveLength(1);
    const json = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(Object.keys(json).sort()).toEqual(['account', 'id', 'key', 'scopes', 'tier']);
    expect(json).toMatchObject({ account: 'acme', scopes: ['write:events'], tier: 'ingestion' });
    expect(json['key']).toMatch(KEY);
    expect(typeof json['id']).toBe('string');
    expect((json['id'] as string).length).toBeGreaterThan(0);
    expect(result.stderr).not.toContain(json['key'] as string);
    created.push(json as unknown as (typeof created)[number]);
  });

  it('keys create --tier premium; --db wins over DATABASE_URL', async () => {
    const result = await cli(
      ['keys', 'create', '--account', 'other', '--scopes', 'read:analytics', '--tier', 'premium', '--json', '--db', dbA],
      { DATABASE_URL: dbB },
    );
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(Object.keys(json).sort()).toEqual(['account', 'id', 'key', 'scopes', 'tier']);
    expect(json).toMatchObject({ account: 'other', scopes: ['read:analytics'], tier: 'premium' });
    expect(json['key']).toMatch(KEY);
    created.push(json as unknown as (typeof created)[number]);
    expect(existsSync(dbB)).toBe(false);
  });

  it.each([
    ['an unknown scope', ['--account', 'acme', '--scopes', 'read:everything']],
    ['an unknown scope among known ones', ['--account', 'acme', '--scopes', 'read:analytics,admin']],
    ['an unknown tier', ['--account', 'acme', '--scopes', 'read:analytics', '--tier', 'gold']],
    ['no --account', ['--scopes', 'read:analytics']],
  ])('keys create fails with one stderr line for %s', async (_name, args) => {
    expectOneLineError(await cli(['keys', 'create', ...args, '--db', dbA]));
  });

  it('keys list prints one line per key, starting with its id, never the secret; --account filters; --json', async () => {
    const [plain, filtered, json] = await Promise.all([
      cli(['keys', 'list', '--db', dbA]),
      cli(['keys', 'list', '--account', 'other', '--db', dbA]),
      cli(['keys', 'list', '--json', '--db', dbA]),
    ]);
    for (const result of [plain, filtered, json]) {
      expect(result.code, result.stderr).toBe(0);
      for (const k of created) {
        expect(result.stdout).not.toContain(k.key);
        expect(result.stderr).not.toContain(k.key);
        // Not even the secret part on its own.
        expect(result.stdout).not.toContain(k.key.slice('ct_live_'.length));
      }
    }
    const listed = JSON.parse(json.stdout) as Record<string, unknown>[];
    expect(Array.isArray(listed)).toBe(true);
    expect(listed).toHaveLength(3);
    for (const entry of listed) expect(Object.keys(entry)).not.toContain('key');
    const knownIds = created.filter((k) => k.id).map((k) => k.id);
    const ids = listed.map((entry) => entry['id'] as string);
    expect(ids).toEqual(expect.arrayContaining(knownIds));
    const firstId = ids.find((id) => !knownIds.includes(id))!;
    created[0]!.id = firstId;

    const lines = linesOf(plain.stdout);
    expect(lines).toHaveLength(3);
    for (const k of created) {
      const line = lines.find((l) => l.startsWith(k.id!));
      expect(line, k.id).toBeDefined();
      expect(line!.slice(k.id!.length)).toMatch(/^\s/);
      expect(line).toContain(k.account);
      expect(line).toContain(k.tier);
      for (const scope of k.scopes) expect(line).toContain(scope);
    }
    expect(lines.find((l) => l.startsWith(created[0]!.id!))).toContain('dashboard');

    const filteredLines = linesOf(filtered.stdout);
    expect(filteredLines).toHaveLength(1);
    expect(filteredLines[0]!.startsWith(created[2]!.id!)).toBe(true);
  });

  it('serve (flags win over PORT and DATABASE_URL) accepts a created key; keys revoke ID makes it 401 on the next request', async () => {
    server = await startServe(['--port', '0', '--host', '127.0.0.1', '--db', dbA], { cwd: dir, env: { PORT: 'abc', DATABASE_URL: dbB } });
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const key = created[0]!.key;
    const before = await fetch(`${server.url}/api/v1/sessions`, { headers: { 'x-api-key': key } });
    expect(before.status).toBe(200);
    expect(await before.json()).toEqual({ data: { sessions: [], total: 0, limit: 50, offset: 0 } });

    const revoke = await cli(['keys', 'revoke', created[0]!.id!, '--db', dbA]);
    expect(revoke.code, revoke.stderr).toBe(0);
    expect(revoke.stdout + revoke.stderr).not.toContain(key);

    const after = await fetch(`${server.url}/api/v1/sessions`, { headers: { 'x-api-key': key } });
    expect(after.status).toBe(401);
    expect(await after.json()).toEqual({ error: { code: 'UNAUTHORIZED', message: 'Missing or invalid API key.' } });
    // The other keys still work.
    const other = await fetch(`${server.url}/api/v1/sessions`, { headers: { 'x-api-key': created[2]!.key } });
    expect(other.status).toBe(200);
    await other.arrayBuffer();
    // Keys never reach a log line.
    for (const k of created) expect(server.lines.join('\n')).not.toContain(k.key);
    expect(existsSync(dbB)).toBe(false);
  });

  it('SIGTERM on serve: exit code 0, and /healthz stops answering', async () => {
    const running = server!;
    const health = await fetch(`${running.url}/healthz`);
    expect(health.status).toBe(200);
    await health.arrayBuffer();
    running.child.kill('SIGTERM');
    const exit = await running.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    await expect(fetch(`${running.url}/healthz`)).rejects.toThrow();
  });

  it('keys revoke of an unknown id fails with one stderr line', async () => {
    expectOneLineError(await cli(['keys', 'revoke', 'key_doesnotexist', '--db', dbA]));
  });

  it('migrate creates and migrates a fresh database file', async () => {
    const fresh = join(dir, 'fresh', 'nested', 'gateway.db');
    const result = await cli(['migrate', '--db', fresh]);
    expect(result.code, result.stderr).toBe(0);
    expect(existsSync(fresh)).toBe(true);
    const sqlite = new SQLite(fresh, { readonly: true });
    try {
      const tables = (sqlite.prepare("select name from sqlite_master where type = 'table'").all() as { name: string }[]).map((r) => r.name);
      expect(tables).toEqual(expect.arrayContaining(['accounts', 'api_keys', 'events', 'sessions']));
    } finally {
      sqlite.close();
    }
  });

  it('serve --port abc fails with one stderr line', async () => {
    expectOneLineError(await cli(['serve', '--port', 'abc', '--db', join(dir, 'unused.db')]));
  });

  it('every command has --help (exit 0)', async () => {
    const commands = [[], ['serve'], ['migrate'], ['keys'], ['keys', 'create'], ['keys', 'list'], ['keys', 'revoke'], ['demo']];
    // Two at a time: each process loads the whole gateway.
    for (let i = 0; i < commands.length; i += 2) {
      const batch = commands.slice(i, i + 2);
      const results = await Promise.all(batch.map((command) => cli([...command, '--help'])));
      results.forEach((result, j) => {
        const name = ['trenchcoat', ...batch[j]!].join(' ');
        expect(result.code, `${name}: ${result.stderr}`).toBe(0);
        expect(result.stdout, name).toContain(`Usage: ${name}`);
      });
    }
  }, 180_000);
});
