// Where a SQLite data set lives: a file (default bench/.data/sessions-N.db), its manifest beside it
// (`<file>.bench.json`, written once the build is complete), built as `<file>.partial` and renamed.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { DatasetLocation, DatasetMeta } from './dataset.js';
import { ROOT } from './processes.js';

export function defaultDatasetPath(sessions: number): string {
  return join(ROOT, 'bench', '.data', `sessions-${sessions}.db`);
}

export function removeDb(path: string): void {
  for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
}

export function fileLocation(sessions: number, dbPath: string | null): DatasetLocation {
  const path = resolve(dbPath ?? defaultDatasetPath(sessions));
  const partial = `${path}.partial`;
  const metaPath = `${path}.bench.json`;
  const writeManifest = async (meta: DatasetMeta) => writeFileSync(metaPath, `${JSON.stringify(meta, null, 2)}\n`);
  return {
    target: path,
    label: path,
    rebuildStale: dbPath === null,
    exists: async () => existsSync(path),
    readManifest: async () => (existsSync(metaPath) ? (JSON.parse(readFileSync(metaPath, 'utf8')) as DatasetMeta) : null),
    writeManifest,
    async startBuild() {
      mkdirSync(dirname(path), { recursive: true });
      removeDb(partial);
      return partial;
    },
    async finishBuild(meta) {
      removeDb(path);
      for (const suffix of ['-wal', '-shm']) if (existsSync(partial + suffix)) renameSync(partial + suffix, path + suffix);
      renameSync(partial, path);
      await writeManifest(meta);
    },
  };
}
