// Database-level PostgreSQL chores for the benchmark (written for it, independent of src/): which
// database a URL names, and creating, dropping, renaming and copying databases through an admin
// connection to the same server (its `postgres` database, else `template1`).
import pg from 'pg';

export function isPostgresUrl(value: string): boolean {
  return /^postgres(ql)?:\/\//i.test(value);
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,54}$/;

/** The database a postgres:// URL names. Plain identifiers only, short enough for the bench's suffixes. */
export function databaseName(url: string): string {
  const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
  if (!NAME.test(name)) {
    throw new Error(`the PostgreSQL URL must name a database of letters, digits and _ (at most 55), e.g. …/tc_bench_100k; got "${name}"`);
  }
  return name;
}

/** The same server and credentials, another database. */
export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** The URL without its password, for logs and reports. */
export function redactUrl(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  return client;
}

/** Runs `work` on a connection to the server's `postgres` database (else `template1`). */
export async function withAdmin<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  let client: pg.Client;
  try {
    client = await connect(withDatabase(url, 'postgres'));
  } catch (first) {
    try {
      client = await connect(withDatabase(url, 'template1'));
    } catch {
      throw first;
    }
  }
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Runs `work` on a connection to the database the URL names. */
export async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = await connect(url);
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export function databaseExists(url: string, name: string): Promise<boolean> {
  return withAdmin(url, async (c) => (await c.query('select 1 from pg_database where datname = $1', [name])).rowCount === 1);
}

/** A new, empty database (from template0, which nobody can be connected to). */
export function createDatabase(url: string, name: string): Promise<void> {
  return withAdmin(url, async (c) => {
    await c.query(`create database ${quote(name)} template template0`);
  });
}

/** Drops a database of the bench's own, ending any session still connected to it. */
export function dropDatabase(url: string, name: string): Promise<void> {
  return withAdmin(url, async (c) => {
    await c.query(`drop database if exists ${quote(name)} with (force)`);
  });
}

export function renameDatabase(url: string, from: string, to: string): Promise<void> {
  return withAdmin(url, async (c) => {
    await c.query(`alter database ${quote(from)} rename to ${quote(to)}`);
  });
}

/**
 * A new database `to` with the tables, sequences and indexes of `from` (no rows, no triggers, no
 * functions): a template copy, then emptied. Nobody may be connected to `from` meanwhile.
 */
export async function copySchemaDatabase(url: string, from: string, to: string): Promise<void> {
  await withAdmin(url, async (c) => {
    await c.query(`drop database if exists ${quote(to)} with (force)`);
    await c.query(`create database ${quote(to)} template ${quote(from)}`);
  });
  await withClient(withDatabase(url, to), async (c) => {
    const triggers = await c.query<{ tgname: string; relname: string }>(
      `select t.tgname, r.relname from pg_trigger t join pg_class r on r.oid = t.tgrelid
       where not t.tgisinternal and r.relnamespace = 'public'::regnamespace`,
    );
    for (const t of triggers.rows) await c.query(`drop trigger ${quote(t.tgname)} on ${quote(t.relname)}`);
    const functions = await c.query<{ sig: string }>(`select oid::regprocedure::text as sig from pg_proc where pronamespace = 'public'::regnamespace`);
    for (const f of functions.rows) await c.query(`drop function ${f.sig}`);
    const tables = await c.query<{ relname: string }>(`select relname from pg_class where relkind = 'r' and relnamespace = 'public'::regnamespace`);
    if (tables.rows.length > 0) await c.query(`truncate ${tables.rows.map((t) => quote(t.relname)).join(', ')} restart identity`);
  });
}

/** `PostgreSQL 15.4 (Debian 15.4-1)`: select version() up to " on <platform>". */
export function serverVersion(url: string): Promise<string> {
  return withAdmin(url, async (c) => {
    const v = (await c.query<{ v: string }>('select version() as v')).rows[0]!.v;
    const on = v.indexOf(' on ');
    return on > 0 ? v.slice(0, on) : v;
  });
}
