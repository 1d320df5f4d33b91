import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/** The engine this test run targets: `sqlite` (default) or `postgres` (TEST_ENGINE=postgres). */
export const TEST_ENGINE: 'sqlite' | 'postgres' = process.env['TEST_ENGINE'] === 'postgres' ? 'postgres' : 'sqlite';

/**
 * Where PostgreSQL comes from: the server at TEST_DATABASE_URL when set, else PGlite (PostgreSQL
 * compiled to WebAssembly) in this process, so a laptop without a server still covers the dialect.
 */
export const POSTGRES_SOURCE: 'server' | 'pglite' = process.env['TEST_DATABASE_URL'] ? 'server' : 'pglite';

export interface TestDatabase {
  /** What the gateway is given as DATABASE_URL / --db. */
  readonly url: string;
  /** The SQLite file, for the few tests that inspect it directly; null on PostgreSQL. */
  readonly sqlitePath: string | null;
  /** Settings a gateway on this database needs (PGlite: one pooled connection, changes relayed in-process). */
  readonly gatewayEnv: Record<string, string>;
  drop(): Promise<void>;
}

let counter = 0;

/** A fresh, empty database of the run's engine: a temporary SQLite file, or a new PostgreSQL database. */
export async function createTestDatabase(): Promise<TestDatabase> {
  if (TEST_ENGINE === 'sqlite') return sqliteDatabase();
  return POSTGRES_SOURCE === 'server' ? serverDatabase(process.env['TEST_DATABASE_URL']!) : pgliteDatabase();
}

function sqliteDatabase(): TestDatabase {
  const dir = mkdtempSync(join(tmpdir(), 'trenchcoat-test-'));
  const path = join(dir, 'gateway.db');
  return { url: path, sqlitePath: path, gatewayEnv: {}, drop: async () => rmSync(dir, { recursive: true, force: true }) };
}

async function serverDatabase(server: string): Promise<TestDatabase> {
  const name = `tc_test_${process.pid}_${++counter}_${Math.random().toString(36).slice(2, 8)}`;
  await adminQuery(server, `create database "${name}"`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    sqlitePath: null,
    gatewayEnv: {},
    drop: () => adminQuery(server, `drop database if exists "${name}" with (force)`),
  };
}

async function adminQuery(server: string, text: string): Promise<void> {
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  try {
    await admin.query(text);
  } finally {
    await admin.end();
  }
}

/** A PGlite behind its socket, idle between tests. */
interface PgliteServer {
  readonly url: string;
  /** Empties the database for the next test; the socket server keeps listening. */
  reset(): Promise<void>;
}

// A PGlite takes seconds to start, so each worker keeps the ones it started and hands an emptied one to
// the next test instead of starting another.
const idlePglites: PgliteServer[] = [];

/**
 * An in-memory PGlite behind pglite-socket on an ephemeral localhost port. The gateway, CLI child
 * processes and side connections all reach it through `pg` as they would a server. It is one
 * backend behind a multiplexer: a gateway's concurrent statements must share one connection (else
 * their protocol messages interleave), and NOTIFY does not reach another socket's LISTEN.
 */
async function pgliteDatabase(): Promise<TestDatabase> {
  const server = idlePglites.pop() ?? (await startPglite());
  return {
    url: server.url,
    sqlitePath: null,
    gatewayEnv: { TRENCHCOAT_PG_POOL_SIZE: '1', TRENCHCOAT_LIVE_RELAY: 'local' },
    async drop() {
      await server.reset();
      idlePglites.push(server);
    },
  };
}

async function startPglite(): Promise<PgliteServer> {
  const [{ PGlite }, { PGLiteSocketServer }] = await Promise.all([import('@electric-sql/pglite'), import('@electric-sql/pglite-socket')]);
  const db = await PGlite.create();
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 64 });
  await server.start();
  // Everything a test creates lives in schema public (tables, indexes, the migration log), owned by
  // the one role; dropping the schema leaves the database as PGlite started it.
  const reset = 'reset all; drop schema public cascade; create schema public; grant all on schema public to public;';
  return { url: `postgres://postgres@${server.getServerConn()}/postgres`, reset: async () => void (await db.exec(reset)) };
}
