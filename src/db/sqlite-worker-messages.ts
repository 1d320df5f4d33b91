// What the gateway and its SQLite read worker (sqlite-read-worker.ts) send each other. Types only: the
// worker imports them with `import type`, which leaves nothing to load when it runs as TypeScript.

/** How the worker opens its connection: the gateway's file, read-only, with the gateway's pragmas. */
export interface SqliteWorkerSetup {
  readonly path: string;
  /** busy_timeout: the worker may wait for a lock without holding up the event loop. */
  readonly busyTimeoutMs: number;
  /** cache_size, as SQLite reads the pragma (negative: KiB). */
  readonly cacheSize: number;
}

/** One statement to run. */
export interface StatementRequest {
  readonly id: number;
  readonly sql: string;
  readonly parameters: readonly unknown[];
}

export interface StatementRows {
  readonly id: number;
  readonly ok: true;
  readonly rows: Record<string, unknown>[];
  /** For a statement that is no reader (`begin`, `commit`). */
  readonly changes?: number;
}

/** A failed statement's error, as far as callers look at it (better-sqlite3's SqliteError: message and code). */
export interface StatementFailure {
  readonly id: number;
  readonly ok: false;
  readonly message: string;
  /** SQLITE_BUSY, SQLITE_CANTOPEN…; absent for an error that is not SQLite's. */
  readonly code?: string;
}

export type StatementReply = StatementRows | StatementFailure;

/** Sent once, when the worker has loaded, opened its connection and listens: a statement's time limit counts from then. */
export interface WorkerReady {
  readonly ready: true;
}

export type WorkerMessage = StatementReply | WorkerReady;
