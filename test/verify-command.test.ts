import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Difference } from '../src/verify/difference.js';
import { verifySessions } from '../src/verify/recompute-sessions.js';
import { linesOf, runCli, type CliResult } from './support/cli-run.js';
import { ingestOk } from './support/ingest-support.js';
import { sideQuery } from './support/side-connection.js';
import { TEST_ENGINE } from './support/test-database.js';
import { event, SESSION_A, SESSION_B, startTestGateway, type TestGateway } from './support/test-gateway.js';

// `trenchcoat verify` recomputes every session from its events; exit 0
// when all agree, else 1 with one line per difference (2 when it cannot run at all). The data is
// ingested through the gateway; the damage is done through a connection of our own.

const SESSION_C = '7d444840-9dc0-11d1-b245-5ffdce74fad2';
const SESSION_D = '9b2c2f3e-1111-4222-8333-444455556666';

/** Values at the edges of the per-tool rules: every one must be counted alike by ingestion and by verify. */
function edgeEvents(session: string, prefix: string) {
  const at = (minute: number) => `2024-01-15T10:${String(minute).padStart(2, '0')}:00Z`;
  const result = (minute: number, data: Record<string, unknown>) => event('tool_result', session, at(minute), { event_id: `${prefix}-${minute}`, data });
  return [
    event('session_start', session, at(0)),
    event('tool_use', session, at(1), { data: { tool_name: 'Read' } }),
    event('tool_use', session, at(2), { data: { tool_name: 'Read "quoted" ✓' } }),
    event('tool_use', session, at(3), { data: { tool_name: 42 } }),
    event('tool_use', session, at(4)),
    event('prompt_submit', session, at(5), { data: { tool_name: 'Read' } }),
    result(6, { tool_name: 'Read', duration_ms: 0.0005 }),
    result(7, { tool_name: 'Read', duration_ms: 12.5, is_error: true }),
    result(8, { tool_name: 'Read', duration_ms: 0.49999999999999994, is_error: 'true' }),
    result(9, { tool_name: 'Read', duration_ms: 1e20, is_error: 1 }),
    result(10, { tool_name: 'Read', duration_ms: -1 }),
    result(11, { tool_name: 'Read', duration_ms: '7' }),
    result(12, { tool_name: 'Read', duration_ms: 9007199254740.991 }),
    result(13, { tool_name: 'Read', duration_ms: 9007199254.740991 }),
    result(14, { tool_name: 'Read "quoted" ✓', duration_ms: 2.0004999999999997, is_error: false }),
    result(15, { tool_name: 'Bash' }),
    // Names ingestion does not index (U+0000, an unpaired surrogate) and look-alikes that it does.
    ...['a\u0000b', 'x\ud800y', '\\\u0000', 'lone \udfff', '\\u0000', '\\ud800', '😀'].flatMap((name, i) => [
      event('tool_use', session, at(16), { event_id: `${prefix}-name-use-${i}`, data: { tool_name: name } }),
      result(40 + i, { tool_name: name, duration_ms: 3, is_error: true }),
    ]),
    event('session_end', session, at(20)),
    event('session_start', session, at(25)),
  ];
}

describe('trenchcoat verify', { timeout: 120_000 }, () => {
  let t: TestGateway;
  let dir: string;
  const cli = (args: string[]) => runCli(['verify', ...args, '--db', t.dbPath], { cwd: dir, timeoutMs: 90_000 });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'trenchcoat-verify-'));
    t = await startTestGateway();
    const a = await t.key({ account: 'verify-a', tier: 'unlimited' });
    const b = await t.key({ account: 'verify-b', tier: 'unlimited' });
    await ingestOk(t, a, [...edgeEvents(SESSION_A, 'a'), event('tool_use', SESSION_B, '2024-01-16T00:00:00Z', { data: { tool_name: 'Edit' } })]);
    await ingestOk(t, b, edgeEvents(SESSION_A, 'b'));
  });
  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a clean database: exit 0, a summary line, nothing else; --json is {sessions_checked, differences: []}', async () => {
    const text = await cli([]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stderr).toBe('');
    expect(linesOf(text.stdout)).toEqual(['Checked 3 sessions in 2 accounts: no differences.']);

    const json = await cli(['--json']);
    expect(json.code, json.stderr).toBe(0);
    expect(linesOf(json.stdout)).toHaveLength(1);
    const report = JSON.parse(json.stdout) as Record<string, unknown>;
    expect(Object.keys(report).sort()).toEqual(['differences', 'sessions_checked']);
    expect(report).toEqual({ sessions_checked: 3, differences: [] });

    // The edge names reached the counters as ingestion indexes them: only text both engines store faithfully.
    const names = await sideQuery<{ tool_name: string }>(t,
      `select tool_name from session_tools where account_id = (select id from accounts where slug = 'verify-b')`);
    expect(names.map((n) => n.tool_name).sort()).toEqual(['Bash', 'Read', 'Read "quoted" ✓', '\\u0000', '\\ud800', '😀'].sort());

    const one = await cli(['--account', 'verify-b', '--json']);
    expect(one.code, one.stderr).toBe(0);
    expect(JSON.parse(one.stdout)).toEqual({ sessions_checked: 1, differences: [] });
  });

  it('a tampered event_count: exit 1, one line naming the account, session and field, and the summary', async () => {
    const where = `account_id = (select id from accounts where slug = 'verify-a') and id = '${SESSION_A}'`;
    const [row] = await sideQuery<{ event_count: number | string }>(t, `select event_count from sessions where ${where}`);
    const count = Number(row!.event_count);
    await sideQuery(t, `update sessions set event_count = event_count + 5 where ${where}`);
    let text: CliResult;
    let json: CliResult;
    try {
      [text, json] = [await cli([]), await cli(['--json'])];
    } finally {
      await sideQuery(t, `update sessions set event_count = event_count - 5 where ${where}`);
    }
    expect(text.code, text.stderr).toBe(1);
    expect(linesOf(text.stdout)).toEqual([
      `verify-a  session ${SESSION_A}  sessions.event_count: stored ${count + 5}, recomputed ${count}`,
      'Checked 3 sessions in 2 accounts: 1 difference.',
    ]);
    expect(json.code, json.stderr).toBe(1);
    expect(JSON.parse(json.stdout)).toEqual({
      sessions_checked: 3,
      differences: [
        { account: 'verify-a', table: 'sessions', session_id: SESSION_A, tool_name: null, day: null, hour: null, field: 'event_count', stored: count + 5, recomputed: count },
      ],
    });
    expect((await cli([])).code).toBe(0);
  });

  it('every kind of damage is reported, whatever the chunk size: rows missing or extra, counters, instants, per-day counts, per-hour sums', async () => {
    const key = await t.key({ account: 'verify-damage', tier: 'unlimited' });
    await ingestOk(t, key, [
      ...edgeEvents(SESSION_A, 'd'),
      event('tool_use', SESSION_B, '2024-02-01T09:00:00Z', { data: { tool_name: 'Read' } }),
      event('session_end', SESSION_B, '2024-02-01T10:00:00Z'),
      event('session_start', SESSION_C, '2024-03-01T09:00:00Z'),
      event('tool_use', SESSION_C, '2024-03-01T09:01:00Z', { data: { tool_name: 'Bash' } }),
    ]);
    const account = `(select id from accounts where slug = 'verify-damage')`;
    const [stored] = await sideQuery<{ event_count: number | string }>(t, `select event_count from sessions where account_id = ${account} and id = '${SESSION_A}'`);
    const [tool] = await sideQuery<{ errors: number | string }>(t, `select errors from session_tools where account_id = ${account} and session_id = '${SESSION_B}' and tool_name = 'Read'`);
    await sideQuery(t, `delete from sessions where account_id = ${account} and id = '${SESSION_A}'`);
    await sideQuery(t, `update session_tools set errors = errors + 2 where account_id = ${account} and session_id = '${SESSION_B}' and tool_name = 'Read'`);
    await sideQuery(t, `update sessions set max_end_at = null where account_id = ${account} and id = '${SESSION_B}'`);
    await sideQuery(t, `delete from events where account_id = ${account} and session_id = '${SESSION_C}'`);
    await sideQuery(t, `insert into session_tools (account_id, session_id, tool_name, invocations, results, errors, duration_sum_us, duration_count)
      values (${account}, '${SESSION_D}', 'Grep', 1, 0, 0, 0, 0)`);
    const hourOfB = Date.parse('2024-02-01T09:00:00Z') / 3_600_000;
    await sideQuery(t, `update tool_hours set errors = errors + 3 where account_id = ${account} and hour = ${hourOfB} and tool_name = 'Read'`);

    const row = (session_id: string, field: string, storedValue: Difference['stored'], recomputed: Difference['recomputed'], tool_name: string | null = null): Difference => ({
      account: 'verify-damage', table: tool_name === null ? 'sessions' : 'session_tools', session_id, tool_name, day: null, hour: null, field, stored: storedValue, recomputed,
    });
    const expected: Difference[] = [
      row(SESSION_A, 'row', 'absent', 'present'),
      row(SESSION_B, 'max_end_at', null, Date.parse('2024-02-01T10:00:00Z')),
      row(SESSION_B, 'errors', Number(tool!.errors) + 2, Number(tool!.errors), 'Read'),
      row(SESSION_C, 'row', 'present', 'absent'),
      row(SESSION_C, 'row', 'present', 'absent', 'Bash'),
      row(SESSION_D, 'row', 'present', 'absent', 'Grep'),
      { account: 'verify-damage', table: 'session_days', session_id: null, tool_name: null, day: '2024-03-01', hour: null, field: 'sessions', stored: 1, recomputed: 0 },
      // C's events are gone, so its hour keeps a Bash invocation no session accounts for; B's hour was tampered with.
      { account: 'verify-damage', table: 'tool_hours', session_id: null, tool_name: 'Bash', day: null, hour: '2024-03-01T09:00Z', field: 'invocations', stored: 1, recomputed: 0 },
      { account: 'verify-damage', table: 'tool_hours', session_id: null, tool_name: 'Read', day: null, hour: '2024-02-01T09:00Z', field: 'errors', stored: 3, recomputed: 0 },
    ];
    const byKey = (d: Difference) => JSON.stringify([d.table, d.session_id, d.tool_name, d.day, d.hour, d.field]);
    const sorted = (list: Difference[]) => [...list].sort((x, y) => byKey(x).localeCompare(byKey(y)));

    const json = await cli(['--account', 'verify-damage', '--json']);
    expect(json.code, json.stderr).toBe(1);
    const report = JSON.parse(json.stdout) as { sessions_checked: number; differences: Difference[] };
    expect(report.sessions_checked).toBe(4);
    expect(sorted(report.differences)).toEqual(sorted(expected));
    expect(Number(stored!.event_count)).toBeGreaterThan(0);

    const text = await cli(['--account', 'verify-damage']);
    expect(text.code).toBe(1);
    const lines = linesOf(text.stdout);
    expect(lines).toHaveLength(expected.length + 1);
    expect(lines).toContain(`verify-damage  session ${SESSION_B}  sessions.max_end_at: stored none, recomputed 2024-02-01T10:00:00Z`);
    expect(lines).toContain(`verify-damage  session ${SESSION_B} tool "Read"  session_tools.errors: stored ${Number(tool!.errors) + 2}, recomputed ${Number(tool!.errors)}`);
    expect(lines).toContain(`verify-damage  session ${SESSION_A}  sessions.row: stored absent, recomputed present`);
    expect(lines).toContain('verify-damage  day 2024-03-01  session_days.sessions: stored 1, recomputed 0');
    expect(lines).toContain('verify-damage  hour 2024-02-01T09:00Z tool "Read"  tool_hours.errors: stored 3, recomputed 0');
    expect(lines.at(-1)).toBe(`Checked 4 sessions in 1 account: ${expected.length} differences.`);

    // Chunks of one and two sessions page through the same ids as one chunk of a thousand.
    const [owner] = await sideQuery<{ id: number | string }>(t, `select id from accounts where slug = 'verify-damage'`);
    for (const chunkSize of [1, 2, 1000]) {
      const found: Difference[] = [];
      const summary = await verifySessions(t.gateway.database, { accountId: Number(owner!.id), chunkSize, onDifference: (d) => found.push(d) });
      expect(summary, `chunk ${chunkSize}`).toEqual({ accounts_checked: 1, sessions_checked: 4, differences: expected.length });
      expect(sorted(found), `chunk ${chunkSize}`).toEqual(sorted(expected));
    }

    // The other accounts are untouched.
    expect((await cli(['--account', 'verify-a'])).code).toBe(0);
  });

  it.each([
    ['a malformed --account', ['--account', 'Not A Slug']],
    ['an unknown account', ['--account', 'nobody-here']],
    ['an unknown option', ['--frobnicate']],
  ])('%s: exit 2 with one line on stderr and nothing on stdout', async (_name, args) => {
    const result = await cli(args);
    expect(result.code, result.stderr).toBe(2);
    expect(linesOf(result.stderr)).toHaveLength(1);
    expect(result.stdout).toBe('');
  });

  it.runIf(TEST_ENGINE === 'sqlite')('a SQLite path with no database: exit 2, and no file is created', async () => {
    const missing = join(dir, 'no-such.db');
    const result = await runCli(['verify', '--db', missing], { cwd: dir });
    expect(result.code).toBe(2);
    expect(linesOf(result.stderr)).toEqual([`trenchcoat: No database at ${missing}.`]);
    expect(existsSync(missing)).toBe(false);
  });

  it('--help explains the exit codes and gives an example', async () => {
    const result = await runCli(['verify', '--help'], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Exit 0 when all');
    expect(result.stdout).toMatch(/\$ trenchcoat verify --db /);
  });
});
