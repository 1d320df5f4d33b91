// A gateway process exactly as deployed: `node DIR/bin/trenchcoat.js serve --port 0`, its default
// settings (the bench's own environment is not passed on), its URL read from the "listening" log line.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { track } from '../processes.js';

export interface GatewayProcess {
  readonly url: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** How it ended (`exit 134`, `SIGKILL`), or null while it runs. */
  ended(): string | null;
  /** Its last error-level log lines and stderr, for a crash's cause. */
  lastErrors(): string[];
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/** The environment a deployed gateway would see: none of the bench's settings. */
export function gatewayEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (/^(TRENCHCOAT_|TEST_)/.test(name) || ['DATABASE_URL', 'PORT', 'HOST', 'LOG_LEVEL', 'REDIS_URL', 'NODE_OPTIONS'].includes(name)) continue;
    env[name] = value;
  }
  return env;
}

export function startGatewayProcess(dir: string, db: string, timeoutMs = 120_000): Promise<GatewayProcess> {
  const child = spawn(process.execPath, [join(dir, 'bin', 'trenchcoat.js'), 'serve', '--port', '0', '--host', '127.0.0.1', '--db', db], {
    cwd: dir,
    env: gatewayEnvironment(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  track(child);
  let end: string | null = null;
  const errors: string[] = [];
  const remember = (line: string) => {
    errors.push(line.slice(0, 500));
    if (errors.length > 10) errors.shift();
  };
  child.once('exit', (code, signal) => (end = signal ?? `exit ${code}`));
  child.stderr!.setEncoding('utf8');
  createInterface({ input: child.stderr! }).on('line', remember);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`gateway in ${dir} did not start within ${timeoutMs} ms:\n${errors.join('\n')}`));
    }, timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      reject(new Error(`gateway in ${dir} ended (${end}) before listening:\n${errors.join('\n')}`));
    });
    // Every request logs a line: read them all (a full pipe would stall the gateway), keep the errors.
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (!line.startsWith('{')) return;
      let entry: { level?: number; url?: string; msg?: string };
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        return;
      }
      if ((entry.level ?? 0) >= 50) remember(line);
      if (entry.url && entry.msg?.startsWith('gateway listening')) {
        clearTimeout(timer);
        // (The promise is settled: the 'exit' rejection above no longer does anything.)
        resolve({
          url: entry.url,
          pid: child.pid!,
          child,
          ended: () => end,
          lastErrors: () => [...errors],
          async stop(graceMs = 5000) {
            if (end !== null) return;
            const done = new Promise<void>((r) => child.once('exit', () => r()));
            child.kill('SIGTERM');
            const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
            await done;
            clearTimeout(kill);
          },
        });
      }
    });
  });
}
