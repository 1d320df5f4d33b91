// `npm run demo` (trenchcoat demo) as a newcomer runs it: the real CLI in its own process prints where the dashboard,
// GraphiQL and REST are and a key (on stderr, as the banner of a command, not its output), and each printed address answers; Ctrl+C (SIGINT) stops it with exit code 0.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, cliEnv } from './support/cli-run.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

interface Printed {
  dashboard: string;
  graphiql: string;
  key: string;
}

/** Starts `trenchcoat demo` and resolves with what it printed, once it printed its last line. */
function startDemo(args: string[], cwd: string, env: Record<string, string>): Promise<{ child: ChildProcess; printed: Printed; text: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'demo', ...args], { cwd, env: cliEnv({ LOG_LEVEL: 'silent', ...env }), stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`demo did not finish printing in time; it printed: ${text}`));
    }, 90_000);
    child.stdout!.resume();
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      text += chunk;
      if (!text.includes('Ctrl+C stops it.')) return;
      clearTimeout(timer);
      const dashboard = /Dashboard: (http:\/\/\S+)/.exec(text)?.[1];
      const graphiql = /GraphiQL: +(http:\/\/\S+)/.exec(text)?.[1];
      const key = /X-API-Key: (ct_[^"\s]+)"/.exec(text)?.[1];
      if (!dashboard || !graphiql || !key) reject(new Error(`demo printed no dashboard, GraphiQL or key: ${text}`));
      else resolve({ child, printed: { dashboard, graphiql, key }, text });
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`demo exited (${code}) before printing its addresses; it printed: ${text}`));
    });
  });
}

describe('trenchcoat demo', { timeout: 120_000 }, () => {
  let dir: string;
  let database: TestDatabase;
  let demo: Awaited<ReturnType<typeof startDemo>>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'trenchcoat-demo-'));
    database = await createTestDatabase();
    demo = await startDemo(['--port', '0', '--host', '127.0.0.1', '--db', database.url], dir, database.gatewayEnv);
  }, 120_000);
  afterAll(async () => {
    if (demo && demo.child.exitCode === null && demo.child.signalCode === null) demo.child.kill('SIGKILL');
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints the dashboard, and the dashboard page answers there', async () => {
    expect(demo.printed.dashboard).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/dashboard\/$/);
    const page = await fetch(demo.printed.dashboard);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toMatch(/<script[^>]+src="\/dashboard\/[^"]+\.js"/);
  });

  it('prints a key that reads the demo sessions, and GraphiQL on the same origin', async () => {
    expect(new URL(demo.printed.graphiql).origin).toBe(new URL(demo.printed.dashboard).origin);
    const origin = new URL(demo.printed.dashboard).origin;
    const sessions = await fetch(`${origin}/api/v1/sessions?limit=5`, { headers: { 'x-api-key': demo.printed.key } });
    expect(sessions.status).toBe(200);
    const { data } = (await sessions.json()) as { data: { total: number; sessions: unknown[] } };
    expect(data.total).toBe(36);
    expect(data.sessions).toHaveLength(5);
  });

  it('stops on Ctrl+C (SIGINT) with exit code 0', async () => {
    const exited = new Promise<number | null>((resolve) => demo.child.on('exit', (code) => resolve(code)));
    demo.child.kill('SIGINT');
    expect(await exited).toBe(0);
  });
});
