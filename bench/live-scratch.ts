// The live bench's scratch database (a SQLite file, or a PostgreSQL database made through the server's
// postgres database) and its keys: one account, one write key, K read keys.
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { removeDb } from './dataset-file.js';
import { createDatabase, databaseName, dropDatabase, isPostgresUrl, redactUrl } from './pg-admin.js';
import { createKey, ROOT } from './processes.js';

export const LIVE_ACCOUNT = 'bench-live';
const SCRATCH_DIR = join(ROOT, 'bench', '.data', 'scratch');
/** `keys create` runs at once (the first one alone: it migrates the new database). */
const KEY_CONCURRENCY = 4;

export class ScratchRefused extends Error {}

export interface Scratch {
  /** --db of the gateway and of `keys create`. */
  readonly db: string;
  readonly label: string;
  readonly engine: 'sqlite' | 'postgres';
  prepare(): Promise<void>;
  clean(): Promise<void>;
}

export function scratchFor(db: string | null): Scratch {
  if (db !== null && isPostgresUrl(db)) {
    const name = databaseName(db);
    return {
      db,
      label: redactUrl(db),
      engine: 'postgres',
      async prepare() {
        await dropDatabase(db, name);
        await createDatabase(db, name);
      },
      clean: () => dropDatabase(db, name),
    };
  }
  const path = resolve(db ?? join(SCRATCH_DIR, 'live-scale.db'));
  return {
    db: path,
    label: path,
    engine: 'sqlite',
    async prepare() {
      if (existsSync(path) && relative(SCRATCH_DIR, path).startsWith('..')) {
        throw new ScratchRefused(`--db ${path} exists outside ${SCRATCH_DIR}: the bench would delete it; name a new file or one in that folder.`);
      }
      mkdirSync(dirname(path), { recursive: true });
      removeDb(path);
    },
    clean: async () => removeDb(path),
  };
}

export interface LiveKeys {
  write: string;
  read: string[];
}

export async function createLiveKeys(db: string, readKeys: number): Promise<LiveKeys> {
  const write = await createKey(db, LIVE_ACCOUNT, 'write:events');
  const read: string[] = new Array(readKeys);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(KEY_CONCURRENCY, readKeys) }, async () => {
      for (let i = next++; i < readKeys; i = next++) read[i] = await createKey(db, LIVE_ACCOUNT, 'read:analytics');
    }),
  );
  return { write, read };
}
