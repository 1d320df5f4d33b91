// A fresh, empty database for one attack on one gateway: a SQLite file in the run's temporary folder,
// or a new database on the PostgreSQL server --db names (created and dropped like bench/pg-admin.ts does).
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { createDatabase, databaseName, dropDatabase, withDatabase } from '../pg-admin.js';

export type DatabasePlace = { readonly kind: 'sqlite'; readonly folder: string } | { readonly kind: 'postgres'; readonly url: string };

export interface ScratchDatabase {
  /** What `--db` gets. */
  readonly target: string;
  drop(): Promise<void>;
}

export async function scratchDatabase(place: DatabasePlace, name: string): Promise<ScratchDatabase> {
  const slug = name.replace(/[^a-z0-9]+/gi, '_').toLowerCase();
  if (place.kind === 'sqlite') {
    const file = join(place.folder, `${slug}.db`);
    const drop = async () => {
      for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
    };
    await drop();
    return { target: file, drop };
  }
  const db = `${databaseName(place.url)}_atk_${slug}`.slice(0, 63);
  await dropDatabase(place.url, db);
  await createDatabase(place.url, db);
  return { target: withDatabase(place.url, db), drop: () => dropDatabase(place.url, db) };
}
