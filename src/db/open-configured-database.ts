import type { GatewayConfig } from '../config.js';
import { StartupError } from '../startup-error.js';
import { isPostgresUrl, openDatabase, type Database } from './open-database.js';

/** SQLite opens its file here, so a directory or a file that is no database fails now, naming the path. */
export function openConfiguredDatabase(config: Pick<GatewayConfig, 'databaseUrl' | 'postgres' | 'sqlite'>): Database {
  try {
    return openDatabase(config.databaseUrl, config.postgres, config.sqlite);
  } catch (error) {
    // A postgres:// URL may carry a password: only a SQLite path is repeated.
    const which = isPostgresUrl(config.databaseUrl) ? 'the PostgreSQL database' : `the SQLite database ${config.databaseUrl}`;
    throw StartupError.because(`cannot open ${which}`, error);
  }
}
