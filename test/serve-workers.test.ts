// `trenchcoat serve --workers N`: one port served by N processes that share what one process would keep to itself
// (rate limits, live changes, revocations), a worker that dies replaced, one signal ending them all.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startServe, type ServeProcess } from './support/cli-run.js';
import { subscribe } from './support/sse-client.js';
import { createTestDatabase, POSTGRES_SOURCE, TEST_ENGINE, type TestDatabase } from './support/test-database.js';
import { event } from './support/test-gateway.js';

const WORKERS = 2;
// PGlite is one backend behind a multiplexer: several processes' pools and LISTEN do not work through it.
const runs = TEST_ENGINE === 'sqlite' || POSTGRES_SOURCE === 'server';
if (!runs) console.log('serve-workers: skipped on PGlite (one backend: several processes cannot share it); set TEST_DATABASE_URL');

interface Answer {
  status: number;
  body: string;
}

/** One request on a connection of its own, so that the cluster deals it to the next worker. */
function call(url: string, path: string, options: { key?: string; method?: string; body?: unknown } = {}): Promise<Answer> {
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, {
      method: options.method ?? 'GET',
      agent: false,
      headers: {
        connection: 'close',
        ...(options.key ? { 'x-api-key': options.key } : {}),
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk)).on('end', () => resolve({ status: res.statusCode!, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

interface LogLine {
  worker?: number;
  route?: string;
  status?: number;
  msg?: string;
}

function logLines(serve: ServeProcess): LogLine[] {
  return serve.lines.flatMap((line) => {
    try {
      return [JSON.parse(line) as LogLine];
    } catch {
      return [];
    }
  });
}

/** The workers that logged a request line for `route` since line `from`. */
function workersAnswering(serve: ServeProcess, route: string, from: number): Set<number> {
  return new Set(logLines({ ...serve, lines: serve.lines.slice(from) }).filter((l) => l.msg === 'request' && l.route === route).map((l) => l.worker!));
}

async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function childPids(pid: number): number[] {
  const out = execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).trim();
  return out === '' ? [] : out.split('\n').map((line) => Number(line.trim()));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe.runIf(runs)(`serve --workers ${WORKERS} (${TEST_ENGINE})`, () => {
  let database: TestDatabase;
  let dir: string;
  let serve: ServeProcess;
  const env = { TRENCHCOAT_KEY_RECHECK_MS: '300', TRENCHCOAT_DASHBOARD: 'off' };

  async function createKey(args: string[]): Promise<{ id: string; key: string }> {
    const created = await runCli(['keys', 'create', '--json', '--db', database.url, ...args], { cwd: dir, env: database.gatewayEnv });
    expect(created.code, created.stderr).toBe(0);
    return JSON.parse(created.stdout) as { id: string; key: string };
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    dir = mkdtempSync(join(tmpdir(), 'trenchcoat-workers-'));
    serve = await startServe(['--port', '0', '--db', database.url, '--workers', String(WORKERS)], { cwd: dir, env: { ...database.gatewayEnv, ...env }, timeoutMs: 90_000 });
    // The first line with an address is a worker's; the primary's comes once all of them listen.
    await waitFor(() => logLines(serve).some((l) => l.msg?.startsWith('gateway listening on')), 60_000, "the primary's line");
  }, 120_000);

  afterAll(async () => {
    if (serve && serve.child.exitCode === null) {
      serve.child.kill('SIGTERM');
      await serve.exited;
    }
    await database?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('logs its address once every worker listens, and deals connections to all of them', async () => {
    const listening = logLines(serve).filter((l) => l.msg?.startsWith('gateway listening on'));
    expect(listening).toHaveLength(1);
    expect(listening[0]!.msg).toContain(`with ${WORKERS} workers`);
    expect(childPids(serve.child.pid!)).toHaveLength(WORKERS);

    const { key } = await createKey(['--account', 'dealt', '--scopes', 'read:analytics', '--tier', 'unlimited']);
    const from = serve.lines.length;
    const answers = await Promise.all(Array.from({ length: 8 }, () => call(serve.url, '/api/v1/sessions', { key })));
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(200));
    await waitFor(() => workersAnswering(serve, '/api/v1/sessions', from).size === WORKERS, 5000, 'request lines from every worker');
  });

  it("counts a key's requests once for the whole gateway: the tier's 60 per minute, not 60 per worker", async () => {
    // A window that ends during the burst would start the count again: begin early in a minute.
    if (Date.now() % 60_000 > 45_000) await new Promise((resolve) => setTimeout(resolve, 60_000 - (Date.now() % 60_000) + 100));
    const { key } = await createKey(['--account', 'limited', '--scopes', 'read:analytics', '--tier', 'standard']);
    const from = serve.lines.length;
    const statuses: number[] = [];
    for (let i = 0; i < 70; i++) statuses.push((await call(serve.url, '/api/v1/sessions', { key })).status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(60);
    expect(statuses.filter((s) => s === 429)).toHaveLength(10);
    expect(statuses.slice(60)).toEqual(Array(10).fill(429));
    await waitFor(() => workersAnswering(serve, '/api/v1/sessions', from).size === WORKERS, 5000, 'request lines from every worker');
  });

  it('delivers to a subscriber on one worker what was ingested through every worker', async () => {
    const { key } = await createKey(['--account', 'live', '--scopes', 'read:analytics,write:events', '--tier', 'unlimited']);
    const stream = await subscribe(serve.url, 'subscription { sessionUpdated { id eventCount } }', { key });
    expect(stream.status).toBe(200);
    const from = serve.lines.length;
    const sessions = Array.from({ length: 6 }, (_, i) => `00000000-0000-4000-8000-00000000000${i}`);
    for (const [i, session] of sessions.entries()) {
      const posted = await call(serve.url, '/api/v1/events', { key, method: 'POST', body: { events: [event('session_start', session, `2026-12-01T08:0${i}:00Z`)] } });
      expect(posted.status, posted.body).toBe(200);
    }
    await waitFor(() => workersAnswering(serve, '/api/v1/events', from).size === WORKERS, 5000, 'ingestion through every worker');
    const seen = new Set<string>();
    while (seen.size < sessions.length) {
      const next = await stream.next(5000);
      expect(next?.event, 'an update for every session').toBe('next');
      seen.add(next!.data.data.sessionUpdated.id);
    }
    expect([...seen].sort()).toEqual(sessions);
    stream.close();
  });

  it('refuses a revoked key on every worker and ends its subscription', async () => {
    const { id, key } = await createKey(['--account', 'revoked', '--scopes', 'read:analytics', '--tier', 'unlimited']);
    const stream = await subscribe(serve.url, 'subscription { sessionUpdated { id } }', { key });
    expect(stream.status).toBe(200);
    const revoked = await runCli(['keys', 'revoke', id, '--db', database.url], { cwd: dir, env: database.gatewayEnv });
    expect(revoked.code, revoked.stderr).toBe(0);
    const from = serve.lines.length;
    const answers = await Promise.all(Array.from({ length: 6 }, () => call(serve.url, '/api/v1/sessions', { key })));
    expect(answers.map((a) => a.status)).toEqual(Array(6).fill(401));
    await waitFor(() => workersAnswering(serve, '/api/v1/sessions', from).size === WORKERS, 5000, 'refusals from every worker');
    const ending = await stream.rest(10_000);
    expect(ending.map((e) => e.event)).toEqual(['next', 'complete']);
    expect(ending[0]!.data.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('replaces a worker that dies, and keeps serving meanwhile', async () => {
    const [victim] = childPids(serve.child.pid!);
    const from = serve.lines.length;
    process.kill(victim!, 'SIGKILL');
    await waitFor(() => logLines({ ...serve, lines: serve.lines.slice(from) }).some((l) => /^worker \d+ listening$/.test(l.msg ?? '')), 30_000, 'a new worker');
    const pids = childPids(serve.child.pid!);
    expect(pids).toHaveLength(WORKERS);
    expect(pids).not.toContain(victim);
    const answers = await Promise.all(Array.from({ length: 6 }, () => call(serve.url, '/healthz')));
    expect(answers.map((a) => a.status)).toEqual(Array(6).fill(200));
  });

  it('ends every worker on SIGTERM and exits 0', async () => {
    const workers = childPids(serve.child.pid!);
    serve.child.kill('SIGTERM');
    expect(await serve.exited).toEqual({ code: 0, signal: null });
    expect(workers.filter(alive)).toEqual([]);
  });
});

describe.runIf(runs)('serve --workers refused or failing', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'trenchcoat-workers-bad-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(['0', '65', 'two', '1.5'])('refuses --workers %j, naming the flag and what it accepts', async (value) => {
    const result = await runCli(['serve', '--port', '0', '--db', join(dir, 'x.db'), '--workers', value], { cwd: dir, timeoutMs: 30_000 });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/--workers|TRENCHCOAT_WORKERS/);
    expect(result.stderr).toContain('from 1 to 64, or auto');
  });

  it('exits non-zero, saying why, when its workers cannot listen', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as AddressInfo;
    try {
      const result = await runCli(['serve', '--port', String(port), '--db', join(dir, 'y.db'), '--workers', '2'], { cwd: dir, timeoutMs: 60_000 });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`cannot listen on 127.0.0.1:${port}`);
      expect(result.stderr).toMatch(/worker \d+ stopped before it listened/);
    } finally {
      taken.close();
    }
  });
});
