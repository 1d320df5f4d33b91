import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The package's `bin`, run the way `npx trenchcoat` runs it. */
export const CLI = fileURLToPath(new URL('../../bin/trenchcoat.js', import.meta.url));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The environment a command runs with: ours minus the gateway's own variables, plus `env`. */
export function cliEnv(env: Record<string, string> = {}): NodeJS.ProcessEnv {
  const base = { ...process.env };
  for (const name of ['DATABASE_URL', 'PORT', 'HOST', 'LOG_LEVEL', 'TRENCHCOAT_INTROSPECTION', 'TRENCHCOAT_BODY_LIMIT_BYTES']) {
    delete base[name];
  }
  return { ...base, LOG_LEVEL: 'silent', ...env };
}

/** Runs `node bin/trenchcoat.js ...args` to completion in `cwd`. */
export function runCli(args: string[], options: { cwd: string; env?: Record<string, string>; timeoutMs?: number }): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd, env: cliEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`trenchcoat ${args.join(' ')} did not finish in time; stderr: ${stderr}`));
    }, options.timeoutMs ?? 60_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

export interface ServeProcess {
  readonly child: ChildProcess;
  readonly url: string;
  /** Every stdout line so far. */
  readonly lines: string[];
  /** Resolves with the exit code and signal once the process ends. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `serve` (with `nodeArgs` for node itself, before the CLI) and waits for the JSON log line that carries its URL. */
export function startServe(
  args: string[],
  options: { cwd: string; env?: Record<string, string>; timeoutMs?: number; nodeArgs?: string[] },
): Promise<ServeProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), CLI, 'serve', ...args], {
      cwd: options.cwd,
      env: cliEnv({ LOG_LEVEL: 'info', ...options.env }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    let pending = '';
    let stderr = '';
    let resolved = false;
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => {
      child.on('exit', (code, signal) => done({ code, signal }));
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`serve did not log its URL in time; stdout: ${lines.join('\n')}; stderr: ${stderr}`));
    }, options.timeoutMs ?? 60_000);
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      let newline: number;
      while ((newline = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        lines.push(line);
        if (resolved) continue;
        try {
          const record = JSON.parse(line) as { url?: unknown };
          if (typeof record.url === 'string') {
            resolved = true;
            clearTimeout(timer);
            resolve({ child, url: record.url, lines, exited });
          }
        } catch {
          // Not JSON: ignore.
        }
      }
    });
    void exited.then(({ code, signal }) => {
      if (resolved) return;
      clearTimeout(timer);
      reject(new Error(`serve exited (${code ?? signal}) before logging its URL; stderr: ${stderr}`));
    });
  });
}

/** The non-empty lines of a stream's text. */
export function linesOf(text: string): string[] {
  return text.split('\n').filter((line) => line.trim() !== '');
}
