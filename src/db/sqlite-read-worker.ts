// The script of a SQLite read worker (sqlite-worker-driver.ts): runs the statements it is sent, one at a time,
// on a read-only connection of its own to the gateway's file, so that a long one holds up this thread, not
// the gateway's event loop. It runs as compiled JavaScript from dist/ and, under tsx and the tests, as this
// TypeScript file itself: Node strips the types, so it may hold only erasable syntax and type-only imports.
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import SQLite from 'better-sqlite3';
import type { SqliteWorkerSetup, StatementReply, StatementRequest, WorkerReady } from './sqlite-worker-messages.js';

// Node does not map a `.js` specifier onto the `.ts` file beside it: the sibling is named with this file's own extension.
const sibling = (name: string) => new URL(`./${name}${extname(fileURLToPath(import.meta.url))}`, import.meta.url).href;
const { StatementCache } = (await import(sibling('statement-cache'))) as typeof import('./statement-cache.js');
const { ObjectRowStatement } = (await import(sibling('object-row-statement'))) as typeof import('./object-row-statement.js');

const setup = workerData as SqliteWorkerSetup;
let statements: InstanceType<typeof StatementCache> | null = null;

function open(): InstanceType<typeof StatementCache> {
  const connection = new SQLite(setup.path, { readonly: true, fileMustExist: true });
  try {
    connection.pragma(`busy_timeout = ${Math.trunc(setup.busyTimeoutMs)}`);
    connection.pragma(`cache_size = ${Math.trunc(setup.cacheSize)}`);
  } catch (error) {
    connection.close();
    throw error;
  }
  return new StatementCache(connection, ObjectRowStatement.wrap);
}

function run(request: StatementRequest): StatementReply {
  try {
    statements ??= open();
    const statement = statements.prepare(request.sql);
    if (statement.reader) return { id: request.id, ok: true, rows: statement.all(request.parameters) as Record<string, unknown>[] };
    return { id: request.id, ok: true, rows: [], changes: Number(statement.run(request.parameters).changes) };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return {
      id: request.id,
      ok: false,
      message: error instanceof Error ? error.message : String(error),
      ...(typeof code === 'string' ? { code } : {}),
    };
  }
}

try {
  statements = open();
} catch {
  // Tried again for each statement: one that cannot open the file fails with SQLite's code (SQLITE_CANTOPEN…).
}
parentPort!.on('message', (request: StatementRequest) => parentPort!.postMessage(run(request)));
parentPort!.postMessage({ ready: true } satisfies WorkerReady);
