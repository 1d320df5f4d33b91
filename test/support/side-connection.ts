import SQLite from 'better-sqlite3';
import pg from 'pg';
import type { TestGateway } from './test-gateway.js';

/**
 * Runs SQL on the gateway's database through a connection of its own (not the gateway's), on
 * whichever engine the run targets: for tests that inspect or sabotage storage from outside.
 */
export async function sideQuery<Row = Record<string, unknown>>(t: TestGateway, text: string): Promise<Row[]> {
  return sideQueryAt<Row>(t.dbPath, text);
}

/** The same, on the database at `target`: a SQLite file or a `postgres://` URL (no gateway needed). */
export async function sideQueryAt<Row = Record<string, unknown>>(target: string, text: string): Promise<Row[]> {
  if (!/^postgres(ql)?:\/\//i.test(target)) {
    const db = new SQLite(target, { fileMustExist: true });
    try {
      const statement = db.prepare(text);
      if (statement.reader) return statement.all() as Row[];
      statement.run();
      return [];
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: target });
  await client.connect();
  try {
    return (await client.query(text)).rows as Row[];
  } finally {
    await client.end();
  }
}
