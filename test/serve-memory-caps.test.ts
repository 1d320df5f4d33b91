import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, startServe, type ServeProcess } from './support/cli-run.js';
import { TEST_ENGINE } from './support/test-database.js';

// `serve` starts again in its own process with V8's young generation and glibc's malloc arenas capped
// (bin/trenchcoat.js): read from /proc, what the running server was started with. Linux only, as /proc is.

function startedWith(pid: number): { argv: string[]; env: Map<string, string> } {
  const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  const env = new Map(readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean).map((kv) => {
    const at = kv.indexOf('=');
    return [kv.slice(0, at), kv.slice(at + 1)] as [string, string];
  }));
  return { argv, env };
}

// SQLite files whatever the run's engine: the spec runs once, with the SQLite project.
describe.skipIf(process.platform !== 'linux' || TEST_ENGINE !== 'sqlite')('serve caps its own memory', { timeout: 60_000 }, () => {
  let dir: string;
  const servers: ServeProcess[] = [];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'trenchcoat-caps-'));
  });
  afterAll(async () => {
    for (const s of servers) {
      if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
      await s.exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  const serve = async (name: string, env: Record<string, string> = {}, nodeArgs: string[] = []) => {
    const server = await startServe(['--port', '0', '--host', '127.0.0.1', '--db', join(dir, `${name}.db`)], { cwd: dir, env, nodeArgs });
    servers.push(server);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    return startedWith(server.child.pid!);
  };

  it('by default: the same process, now with --max-semi-space-size=16, --heap-growing-percent=50 and MALLOC_ARENA_MAX=2', async () => {
    const { argv, env } = await serve('default');
    expect(argv.slice(1, 5)).toEqual(['--max-semi-space-size=16', '--heap-growing-percent=50', CLI, 'serve']);
    expect(env.get('MALLOC_ARENA_MAX')).toBe(process.env['MALLOC_ARENA_MAX'] ?? '2');
  });

  it("the old generation's growth given on the command line wins, and is passed on once", async () => {
    const { argv } = await serve('growth', {}, ['--heap-growing-percent=80']);
    expect(argv.slice(1, 5)).toEqual(['--max-semi-space-size=16', '--heap-growing-percent=80', CLI, 'serve']);
  });

  it("the caller's MALLOC_ARENA_MAX wins", async () => {
    const { env } = await serve('arenas', { MALLOC_ARENA_MAX: '4' });
    expect(env.get('MALLOC_ARENA_MAX')).toBe('4');
  });

  it('a young generation chosen in NODE_OPTIONS is left as chosen, and TRENCHCOAT_MEMORY_CAPS=FALSE (off) starts as asked', async () => {
    const chosen = await serve('chosen', { NODE_OPTIONS: '--max-semi-space-size=32' });
    expect(chosen.argv.some((a) => a.startsWith('--max-semi-space-size'))).toBe(false);
    expect(chosen.env.get('NODE_OPTIONS')).toBe('--max-semi-space-size=32');
    const off = await serve('off', { TRENCHCOAT_MEMORY_CAPS: 'FALSE' });
    expect(off.argv.some((a) => a.startsWith('--max-semi-space-size'))).toBe(false);
    expect(off.argv.some((a) => a.startsWith('--heap-growing-percent'))).toBe(false);
  });
});
