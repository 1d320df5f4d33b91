// `trenchcoat seed` (ecosystem issue): generated sessions through the normal ingestion path,
// idempotent per (account, count), a JSON summary for scripts, clear usage errors.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { colourEnabled, styler } from '../src/cli/terminal-style.js';
import { linesOf, runCli } from './support/cli-run.js';
import { sideQueryAt } from './support/side-connection.js';
import { createTestDatabase, TEST_ENGINE, type TestDatabase } from './support/test-database.js';

describe('trenchcoat seed', () => {
  let dir: string;
  let database: TestDatabase;
  const cli = (args: string[]) => runCli([...args, '--db', database.url], { cwd: dir, env: database.gatewayEnv, timeoutMs: 120_000 });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'trenchcoat-seed-'));
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores N sessions and prints one JSON summary with --json', async () => {
    const result = await cli(['seed', '--sessions', '120', '--account', 'seeded', '--days', '10', '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(linesOf(result.stdout)).toHaveLength(1);
    const summary = JSON.parse(result.stdout) as Record<string, number | string>;
    expect(summary).toMatchObject({ account: 'seeded', sessions: 120, duplicates: 0 });
    expect(summary['stored']).toBe(summary['events']);
    // Not a terminal: no progress bar, no escape codes.
    expect(result.stderr).not.toContain('\u001b[');
    const [row] = await sideQueryAt<{ n: number | string; events: number | string }>(
      database.url,
      `select count(*) as n, sum(event_count) as events from sessions where account_id = (select id from accounts where slug = 'seeded')`,
    );
    expect(Number(row!.n)).toBe(120);
    expect(Number(row!.events)).toBe(summary['events']);
  });

  it('stores nothing new when run again with the same count and account', async () => {
    const result = await cli(['seed', '--sessions', '120', '--account', 'seeded', '--days', '10']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Seeded 120 sessions in account "seeded": [\d,]+ events \(0 new, [\d,]+ already stored\)/);
  });

  it('stores no model usage without --usage', async () => {
    const [row] = await sideQueryAt<{ n: number | string }>(
      database.url,
      `select count(*) as n from model_requests where account_id = (select id from accounts where slug = 'seeded')`,
    );
    expect(Number(row!.n)).toBe(0);
  });

  it('with --usage also stores model requests, failed requests and counters, and nothing new the second time', async () => {
    const seed = () => cli(['seed', '--sessions', '60', '--account', 'with-usage', '--days', '10', '--usage', '--json']);
    const counts = async () => {
      const [row] = await sideQueryAt<Record<string, number | string>>(
        database.url,
        `select (select count(*) from model_requests where account_id = a.id) as requests,
                (select count(*) from model_request_errors where account_id = a.id) as errors,
                (select count(*) from session_metrics where account_id = a.id) as points,
                (select count(distinct session_id) from model_requests where account_id = a.id) as sessions
         from accounts a where a.slug = 'with-usage'`,
      );
      return Object.fromEntries(Object.entries(row!).map(([k, v]) => [k, Number(v)]));
    };
    const first = await seed();
    expect(first.code, first.stderr).toBe(0);
    const summary = JSON.parse(first.stdout) as Record<string, number>;
    expect(summary['modelRequests']).toBeGreaterThan(60);
    expect(summary['counterPoints']).toBeGreaterThan(0);
    const stored = await counts();
    expect(stored).toEqual({ requests: summary['modelRequests'], errors: summary['apiErrors'], points: summary['counterPoints'], sessions: 60 });

    const again = await seed();
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ stored: 0, modelRequests: summary['modelRequests'] });
    expect(await counts()).toEqual(stored);
  });

  it.each([
    [['seed', '--sessions', '0'], /--sessions must be a whole number from 1/],
    [['seed', '--sessions', 'lots'], /--sessions must be a whole number/],
    [['seed', '--sessions', '5', '--days', '-1'], /--days must be a whole number/],
    [['seed', '--sessions', '5', '--account', 'Bad Slug!'], /account/i],
    [['seed'], /--sessions/],
  ])('refuses %j with one line on stderr and a non-zero exit', async (args, message) => {
    const result = await cli(args);
    expect(result.code).not.toBe(0);
    expect(linesOf(result.stderr)).toHaveLength(1);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
  });
});

describe('colour', () => {
  const tty = { isTTY: true } as NodeJS.WriteStream;
  const pipe = { isTTY: false } as NodeJS.WriteStream;
  it('is on only for a terminal, and never with NO_COLOR (any value) or TERM=dumb', () => {
    expect(colourEnabled(tty, {})).toBe(true);
    expect(colourEnabled(pipe, {})).toBe(false);
    expect(colourEnabled(tty, { NO_COLOR: '' })).toBe(false);
    expect(colourEnabled(tty, { NO_COLOR: '1' })).toBe(false);
    expect(colourEnabled(tty, { TERM: 'dumb' })).toBe(false);
    expect(styler(false).green('x')).toBe('x');
    expect(styler(true).green('x')).toBe('\u001b[32mx\u001b[39m');
  });
});

// Help text does not depend on the database engine: once, on the SQLite project.
describe.runIf(TEST_ENGINE === 'sqlite')('--help', () => {
  it('every command explains itself with at least one example', async () => {
    const commands = [['serve'], ['migrate'], ['keys', 'create'], ['keys', 'list'], ['keys', 'revoke'], ['demo'], ['import'], ['seed'], ['verify'], []];
    for (const command of commands) {
      const result = await runCli([...command, '--help'], { cwd: process.cwd() });
      expect(result.code, command.join(' ')).toBe(0);
      expect(result.stdout, command.join(' ')).toMatch(/Usage: trenchcoat/);
      expect(result.stdout, command.join(' ')).toMatch(/Examples?:\n\s+\$ /);
    }
  }, 120_000);
});
