import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config.js';
import { KeyNotFoundError } from '../auth/key-store.js';
import { MigrationError } from '../db/migrate.js';
import { isDatabaseUnavailable } from '../db/database-unavailable.js';
import { InvalidLogLevelError } from '../log/logger.js';
import { StartupError } from '../startup-error.js';
import { registerDemo } from './demo-command.js';
import { registerImport } from './import-command.js';
import { registerKeys } from './keys-command.js';
import { registerMigrate } from './migrate-command.js';
import { registerSeed } from './seed-command.js';
import { registerServe } from './serve-command.js';
import { registerVerify, VERIFY_TROUBLE_EXIT } from './verify-command.js';
import { UsageError } from './usage-error.js';

const EXPECTED = [UsageError, ConfigError, KeyNotFoundError, MigrationError, InvalidLogLevelError, StartupError];

export function buildProgram(): Command {
  const program = new Command('trenchcoat')
    .description('Trenchcoat gateway: Claude Code telemetry in, sessions out over GraphQL and REST.')
    .showSuggestionAfterError()
    .configureHelp({ showGlobalOptions: true })
    .exitOverride();
  registerServe(program);
  registerMigrate(program);
  registerKeys(program);
  registerDemo(program);
  registerImport(program);
  registerSeed(program);
  registerVerify(program);
  program.addHelpText('after', '\nExamples:\n  $ trenchcoat serve\n  $ trenchcoat keys create --account acme --scopes read:analytics,write:events\n  $ trenchcoat keys list --json');
  for (const command of program.commands) command.exitOverride();
  for (const command of program.commands.flatMap((c) => c.commands)) command.exitOverride();
  return program;
}

function describe(error: unknown): string {
  if (EXPECTED.some((type) => error instanceof type)) return (error as Error).message;
  const code = (error as { code?: unknown }).code;
  // SQLite result codes, PostgreSQL SQLSTATEs (28P01 bad password, 3D000 no such database…), unreachable servers.
  if (typeof code === 'string' && (code.startsWith('SQLITE_') || /^[0-9A-Z]{5}$/.test(code))) {
    return `database error: ${(error as Error).message}`;
  }
  if (isDatabaseUnavailable(error)) return `database unreachable: ${(error as Error).message || code}`;
  if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') return (error as Error).message;
  return `unexpected error: ${(error as Error).stack ?? String(error)}`;
}

/** `verify` exits 1 for "differences found", so when it cannot run at all it exits 2 (as diff and cmp do). */
function failureExit(argv: string[], code: number): number {
  return code !== 0 && argv.slice(2).find((arg) => !arg.startsWith('-')) === 'verify' ? VERIFY_TROUBLE_EXIT : code;
}

export async function main(argv: string[]): Promise<void> {
  // `trenchcoat --help | head` closes the pipe early: the reader has what it wanted, not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(process.exitCode ?? 0);
  });
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander already printed its one-line message (or the help).
      process.exitCode = failureExit(argv, error.exitCode);
      return;
    }
    process.stderr.write(`trenchcoat: ${describe(error)}\n`);
    process.exitCode = failureExit(argv, 1);
    exitIfStillRunning();
  }
}

const BACKSTOP_MS = 3000;

/**
 * A backstop, not the way a failed command ends: whatever failed closes what it opened, and the process
 * then ends by itself. Should something still hold it open, this says what and exits anyway.
 */
function exitIfStillRunning(): void {
  setTimeout(() => {
    const open = process.getActiveResourcesInfo();
    process.stderr.write(`trenchcoat: still running ${BACKSTOP_MS / 1000} s after the error (open: ${open.join(', ') || 'unknown'}); exiting\n`);
    process.exit();
  }, BACKSTOP_MS).unref();
}

await main(process.argv);
