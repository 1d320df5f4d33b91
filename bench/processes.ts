// Child processes for the benchmark: the servers under test (each in its own process, so autocannon
// in the parent does not share their event loop), a free port for each, readiness, RSS sampling.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { processTree } from './process-tree.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const TRENCHCOAT_BIN = join(ROOT, 'bin', 'trenchcoat.js');

/** Children still running: killed if this process exits first (an error, Ctrl-C), so no server outlives the run. */
const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function probe(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.setTimeout(2000, () => req.destroy(new Error('timeout')));
    req.end();
  });
}

export interface ServerProcess {
  readonly name: string;
  readonly url: string;
  readonly pid: number;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts `node <args>` with `--port`, waits until `readyPath` answers with any HTTP status.
 * stdout is discarded (the gateway logs every request there, as deployed); stderr is kept for errors.
 */
export async function startServer(options: {
  name: string;
  args: (port: number) => string[];
  readyPath: string;
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
}): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, options.args(port), {
    cwd: ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  live.add(child);
  child.once('exit', () => live.delete(child));
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-8000);
  });
  let exited: string | null = null;
  child.once('exit', (code, signal) => {
    exited = `exited with ${code ?? signal}`;
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  const slow = setTimeout(() => process.stderr.write(`[${options.name}] still starting (pending migrations?)…\n`), 10_000);
  try {
    for (;;) {
      if (exited) throw new Error(`${options.name} ${exited} before it was ready:\n${stderr}`);
      try {
        await probe(url + options.readyPath);
        break;
      } catch {
        if (Date.now() > deadline) {
          child.kill('SIGKILL');
          throw new Error(`${options.name} did not answer on ${url} within the time limit:\n${stderr}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  } finally {
    clearTimeout(slow);
  }
  return {
    name: options.name,
    url,
    pid: child.pid!,
    child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await done;
      clearTimeout(timer);
    },
  };
}

/** `node --import tsx <script> …`, for the bench's own TypeScript servers. */
/** Tracks a child started elsewhere (the insert loop), so that it too ends with this process. */
export function track(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
}

export function tsxArgs(script: string, ...rest: string[]): string[] {
  return ['--import', 'tsx', join(ROOT, script), ...rest];
}

/** The gateway exactly as deployed: `trenchcoat serve`, with `options.args` after its own (`--workers 2`) and `options.env` in its environment. */
export function startGateway(
  db: string, logLevel: string | null, name = 'gateway', options: { args?: string[]; env?: Record<string, string> } = {},
): Promise<ServerProcess> {
  return startServer({
    name,
    args: (port) => [TRENCHCOAT_BIN, 'serve', '--port', String(port), '--host', '127.0.0.1', '--db', db, ...(options.args ?? [])],
    readyPath: '/healthz',
    env: { ...options.env, ...(logLevel === null ? {} : { LOG_LEVEL: logLevel }) },
    // `serve` applies pending migrations first; a new one may backfill a large data set.
    timeoutMs: 30 * 60_000,
  });
}

/**
 * Runs `trenchcoat <args>` to completion; returns stdout (throws with stderr on failure). `root` is the checkout
 * whose bin/ runs (another commit's build, for a side-by-side run), `env` its environment.
 */
export function runCli(args: string[], options: { root?: string; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  const root = options.root ?? ROOT;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'bin', 'trenchcoat.js'), ...args], { cwd: root, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(child);
    child.once('exit', () => live.delete(child));
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`trenchcoat ${args.join(' ')} failed (${code}): ${err}`))));
  });
}

export async function createKey(db: string, account: string, scopes: string): Promise<string> {
  const out = await runCli(['keys', 'create', '--account', account, '--scopes', scopes, '--tier', 'unlimited', '--name', 'bench', '--json', '--db', db]);
  const created = JSON.parse(out.trim().split('\n').pop()!) as { key: string };
  return created.key;
}

/** Resident set size of a process in bytes (VmRSS), and its high-water mark (VmHWM), from /proc. */
export function readRss(pid: number): { rss: number; hwm: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch {
    return null;
  }
}

/**
 * Samples a process's RSS every `intervalMs`; `peak` is the largest VmRSS seen (and VmHWM, if larger). With
 * `tree`, each sample is the sum over the process and every process under it (a cluster's primary and workers),
 * found anew each time; `hwm` is then the sum of their high-water marks, an upper bound.
 */
export class RssSampler {
  peak = 0;
  hwm = 0;
  #windowPeak = 0;
  readonly #timer: NodeJS.Timeout;
  readonly #tree: boolean;

  constructor(readonly pid: number, intervalMs = 100, options: { tree?: boolean } = {}) {
    this.#tree = options.tree ?? false;
    this.#sample();
    this.#timer = setInterval(() => this.#sample(), intervalMs);
    this.#timer.unref();
  }

  #sample(): void {
    const readings = (this.#tree ? processTree(this.pid) : [this.pid]).map(readRss);
    if (!readings[0]) return;
    const rss = readings.reduce((sum, r) => sum + (r?.rss ?? 0), 0);
    this.peak = Math.max(this.peak, rss);
    this.hwm = Math.max(this.hwm, readings.reduce((sum, r) => sum + (r?.hwm ?? 0), 0));
    this.#windowPeak = Math.max(this.#windowPeak, rss);
  }

  /** Starts a new window (e.g. one scenario); returns the previous window's peak. */
  window(): number {
    this.#sample();
    const peak = this.#windowPeak;
    this.#windowPeak = 0;
    return peak;
  }

  stop(): void {
    this.#sample();
    clearInterval(this.#timer);
  }
}

export const MiB = 1024 * 1024;
