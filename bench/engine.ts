// The database engine a run measures, chosen by --db: a SQLite file (the default) or a postgres://
// URL. Everything engine-specific the runner needs is here: where the data set lives, the baseline's
// scripts, the ingestion scenario's scratch databases, the server version, the README block.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { copySchema } from './baseline-insert.js';
import type { DatasetLocation } from './dataset.js';
import { fileLocation, removeDb } from './dataset-file.js';
import { postgresLocation } from './dataset-pg.js';
import {
  copySchemaDatabase, createDatabase, databaseName, dropDatabase, isPostgresUrl, redactUrl, serverVersion, withDatabase,
} from './pg-admin.js';
import { ROOT } from './processes.js';

/** The ingestion scenario's two scratch databases: the gateway's and the insert loop's. */
export interface IngestScratch {
  /** --db of the gateway and of the loop. */
  gateway: string;
  loop: string;
  label: string;
  /** Removes leftovers; makes the gateway's database exist (empty) where it must. */
  prepare(): Promise<void>;
  /** The loop's database, with the tables and indexes of the (migrated, idle) gateway database. */
  copySchema(): Promise<void>;
  clean(): Promise<void>;
}

export interface Engine {
  name: 'sqlite' | 'postgres';
  /** SQLite, PostgreSQL. */
  label: string;
  /** The baseline's database library, for the report. */
  library: string;
  baselineScript: string;
  insertScript: string;
  dataset(sessions: number, db: string | null): DatasetLocation;
  ingestScratch(): IngestScratch;
  /** `SQLite 3.46.1`, `PostgreSQL 15.4 (Debian 15.4-1)`. */
  version(): Promise<string>;
  /** Markers of this engine's block in README.md. */
  readme: { start: string; end: string };
}

const sqlite: Engine = {
  name: 'sqlite',
  label: 'SQLite',
  library: 'better-sqlite3',
  baselineScript: 'bench/baseline-server.ts',
  insertScript: 'bench/baseline-insert.ts',
  dataset: fileLocation,
  ingestScratch() {
    const dir = join(ROOT, 'bench', '.data', 'scratch');
    const gateway = join(dir, 'ingest-gateway.db');
    const loop = join(dir, 'ingest-loop.db');
    const clean = async () => {
      removeDb(gateway);
      removeDb(loop);
    };
    return {
      gateway,
      loop,
      label: dir,
      async prepare() {
        mkdirSync(dir, { recursive: true });
        await clean();
      },
      copySchema: async () => copySchema(gateway, loop),
      clean,
    };
  },
  async version() {
    const db = new Database(':memory:');
    const v = (db.prepare('select sqlite_version() as v').get() as { v: string }).v;
    db.close();
    return `SQLite ${v}`;
  },
  readme: { start: '<!-- bench:start -->', end: '<!-- bench:end -->' },
};

function postgres(url: string): Engine {
  const base = databaseName(url);
  return {
    name: 'postgres',
    label: 'PostgreSQL',
    library: 'pg',
    baselineScript: 'bench/baseline-server-pg.ts',
    insertScript: 'bench/baseline-insert-pg.ts',
    dataset: () => postgresLocation(url),
    ingestScratch() {
      const gatewayName = `${base}_ingest_gateway`;
      const loopName = `${base}_ingest_loop`;
      const clean = async () => {
        await dropDatabase(url, gatewayName);
        await dropDatabase(url, loopName);
      };
      return {
        gateway: withDatabase(url, gatewayName),
        loop: withDatabase(url, loopName),
        label: `${redactUrl(withDatabase(url, gatewayName))}, …/${loopName}`,
        async prepare() {
          await clean();
          await createDatabase(url, gatewayName);
        },
        copySchema: () => copySchemaDatabase(url, gatewayName, loopName),
        clean,
      };
    },
    version: () => serverVersion(url),
    readme: { start: '<!-- bench-postgres:start -->', end: '<!-- bench-postgres:end -->' },
  };
}

export function engineFor(db: string | null): Engine {
  return db !== null && isPostgresUrl(db) ? postgres(db) : sqlite;
}
