// Where a PostgreSQL data set lives: the database the --db URL names (e.g. tc_bench_100k), created
// if missing. Built in `<name>_partial`, which gets the manifest (table bench_manifest, one row of
// JSON) once complete and is then renamed to `<name>`: a database of that name holding the manifest
// is a finished data set. An empty database of that name is replaced by the build; one with tables
// but no manifest is used as found (built elsewhere).
import type { DatasetLocation, DatasetMeta } from './dataset.js';
import {
  databaseExists, databaseName, createDatabase, dropDatabase, redactUrl, renameDatabase, withClient, withDatabase,
} from './pg-admin.js';

async function tables(url: string): Promise<string[]> {
  return withClient(url, async (c) =>
    (await c.query<{ relname: string }>(`select relname from pg_class where relkind = 'r' and relnamespace = 'public'::regnamespace`)).rows.map((r) => r.relname));
}

async function writeManifestTo(url: string, meta: DatasetMeta): Promise<void> {
  await withClient(url, async (c) => {
    await c.query('create table if not exists bench_manifest (id integer primary key check (id = 1), meta text not null)');
    await c.query('insert into bench_manifest (id, meta) values (1, $1) on conflict (id) do update set meta = excluded.meta', [JSON.stringify(meta)]);
  });
}

export function postgresLocation(url: string): DatasetLocation {
  const name = databaseName(url);
  const partialName = `${name}_partial`;
  const partial = withDatabase(url, partialName);
  return {
    target: url,
    label: redactUrl(url),
    rebuildStale: false,
    async exists() {
      if (!(await databaseExists(url, name))) return false;
      const found = await tables(url);
      if (found.length === 0) return false;
      if (!found.includes('sessions')) {
        throw new Error(`database "${name}" holds tables (${found.slice(0, 5).join(', ')}) but no sessions: not a trenchcoat data set; pick another name`);
      }
      return true;
    },
    async readManifest() {
      if (!(await tables(url)).includes('bench_manifest')) return null;
      return withClient(url, async (c) => {
        const row = (await c.query<{ meta: string }>('select meta from bench_manifest where id = 1')).rows[0];
        return row ? (JSON.parse(row.meta) as DatasetMeta) : null;
      });
    },
    writeManifest: (meta) => writeManifestTo(url, meta),
    async startBuild() {
      await dropDatabase(url, partialName);
      await createDatabase(url, partialName);
      return partial;
    },
    async finishBuild(meta) {
      // Statistics and the visibility map, as autovacuum leaves a database that has been running a while: a server
      // measured right after a bulk build would otherwise share the machine with autovacuum, or plan without statistics.
      await withClient(partial, (c) => c.query('vacuum (analyze)'));
      await writeManifestTo(partial, meta);
      // Only reached when `name` is missing or empty (see exists()).
      await dropDatabase(url, name);
      await renameDatabase(url, partialName, name);
    },
  };
}
