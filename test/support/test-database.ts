import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/** The engine this test run targets: `sqlite` (default) or `postgres` (TEST_ENGINE=postgres). */
export const TEST_ENGINE: 'sqlite' | 'postgres' = process.env['TEST_ENGINE'] === 'postgres' ? 'postgres' : 'sqlite';

export interface TestDatabase {
  /** What the gateway is given as DATABASE_URL / --db. */
  readonly url: string;
  /** The SQLite file, for the few tests that inspect it directly; null on PostgreSQL. */
  readonly sqlitePath: string | null;
  drop(): Promise<void>;
}

let counter = 0;

/** A fresh, empty database of the run's engine: a temporary SQLite file, or a new PostgreSQL database. */
export async function createTestDatabase(): Promise<TestDatabase> {
  if (TEST_ENGINE === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'trenchcoat-test-'));
    const path = join(dir, 'gateway.db');
    return { url: path, sqlitePath: path, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const server = process.env['TEST_DATABASE_URL'];
  if (!server) throw new Error('TEST_ENGINE=postgres needs TEST_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/test)');
  const name = `tc_test_${process.pid}_${++counter}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  try {
    await admin.query(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    sqlitePath: null,
    async drop() {
      const client = new pg.Client({ connectionString: server });
      await client.connect();
      try {
        await client.query(`drop database if exists "${name}" with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}
