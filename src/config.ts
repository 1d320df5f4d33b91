import type { PostgresOptions } from './db/open-database.js';

export const DEFAULT_DATABASE = './data/trenchcoat.db';
export const DEFAULT_PORT = 4000;
export const DEFAULT_HOST = '127.0.0.1';

export interface GatewayConfig {
  readonly port: number;
  readonly host: string;
  /** A SQLite file path or a `postgres://` URL. */
  readonly databaseUrl: string;
  readonly logLevel: string;
  readonly bodyLimitBytes: number;
  /** GraphQL introspection for callers without a key (GraphiQL needs it). */
  readonly introspection: boolean;
  readonly shutdownTimeoutMs: number;
  /** Characters (code points) of prompt text, tool input and tool output a hook event keeps; 0 keeps none. */
  readonly hookPreviewChars: number;
  /** PostgreSQL only: connections per process and the server-side statement timeout (0 = none). TLS: `sslmode` in the URL. */
  readonly postgres: PostgresOptions;
}

export interface ConfigFlags {
  port?: string;
  host?: string;
  db?: string;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function parsePort(value: string, source: string): number {
  if (!/^[0-9]{1,5}$/.test(value) || Number(value) > 65535) {
    throw new ConfigError(`${source} must be an integer from 0 to 65535; got "${value}".`);
  }
  return Number(value);
}

function parseBoolean(value: string, source: string): boolean {
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)$/i.test(value)) return false;
  throw new ConfigError(`${source} must be true or false; got "${value}".`);
}

function parseSize(value: string, source: string): number {
  if (!/^[0-9]+$/.test(value) || Number(value) < 1) throw new ConfigError(`${source} must be a positive number of bytes; got "${value}".`);
  return Number(value);
}

function parseWhole(value: string, source: string, min: number): number {
  if (!/^[0-9]{1,9}$/.test(value) || Number(value) < min) {
    throw new ConfigError(`${source} must be a whole number of at least ${min}; got "${value}".`);
  }
  return Number(value);
}

/** `TRENCHCOAT_PG_POOL_SIZE` (default 10) and `TRENCHCOAT_PG_STATEMENT_TIMEOUT_MS` (default 30 000, 0 = none). */
export function postgresOptionsFrom(env: NodeJS.ProcessEnv = process.env): PostgresOptions {
  const pool = env['TRENCHCOAT_PG_POOL_SIZE'];
  const timeout = env['TRENCHCOAT_PG_STATEMENT_TIMEOUT_MS'];
  return Object.freeze({
    poolSize: pool === undefined ? 10 : parseWhole(pool, 'TRENCHCOAT_PG_POOL_SIZE', 1),
    statementTimeoutMs: timeout === undefined ? 30_000 : parseWhole(timeout, 'TRENCHCOAT_PG_STATEMENT_TIMEOUT_MS', 0),
  });
}

export const DEFAULT_HOOK_PREVIEW_CHARS = 100;

/** `TRENCHCOAT_HOOK_PREVIEW_CHARS`: a whole number of characters, 0 allowed (no previews). */
export function hookPreviewCharsFrom(env: NodeJS.ProcessEnv = process.env): number {
  const value = env['TRENCHCOAT_HOOK_PREVIEW_CHARS'];
  if (value === undefined) return DEFAULT_HOOK_PREVIEW_CHARS;
  if (!/^[0-9]{1,9}$/.test(value)) {
    throw new ConfigError(`TRENCHCOAT_HOOK_PREVIEW_CHARS must be a whole number of characters (0 for no previews); got "${value}".`);
  }
  return Number(value);
}

export function databaseUrlFrom(flags: ConfigFlags, env: NodeJS.ProcessEnv = process.env): string {
  const url = flags.db ?? env['DATABASE_URL'] ?? DEFAULT_DATABASE;
  if (url.trim() === '') throw new ConfigError('The database path or URL must not be empty.');
  return url;
}

/** Flags win over the environment, which wins over defaults. */
export function loadConfig(flags: ConfigFlags = {}, env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const port = flags.port ?? env['PORT'];
  const introspection = env['TRENCHCOAT_INTROSPECTION'];
  const bodyLimit = env['TRENCHCOAT_BODY_LIMIT_BYTES'];
  return Object.freeze({
    port: port === undefined ? DEFAULT_PORT : parsePort(port, flags.port !== undefined ? '--port' : 'PORT'),
    host: flags.host ?? env['HOST'] ?? DEFAULT_HOST,
    databaseUrl: databaseUrlFrom(flags, env),
    logLevel: env['LOG_LEVEL'] ?? 'info',
    bodyLimitBytes: bodyLimit === undefined ? 5 * 1024 * 1024 : parseSize(bodyLimit, 'TRENCHCOAT_BODY_LIMIT_BYTES'),
    introspection: introspection === undefined ? true : parseBoolean(introspection, 'TRENCHCOAT_INTROSPECTION'),
    shutdownTimeoutMs: 10_000,
    hookPreviewChars: hookPreviewCharsFrom(env),
    postgres: postgresOptionsFrom(env),
  });
}
