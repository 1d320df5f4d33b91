import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import SQLite from 'better-sqlite3';
import { apiError } from '../errors/api-error.js';
import type { SqliteWorkerSetup, StatementReply, StatementRequest, StatementRows, WorkerMessage } from './sqlite-worker-messages.js';

// dist/src/db/*.js once built, src/db/*.ts under tsx and the tests: the worker's script is the sibling of the same kind.
const SCRIPT = new URL(`./sqlite-read-worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url);
// Node strips a .ts script's types by default from 22.18 and 23.6; the 22 line before that needs asking.
const EXEC_ARGV = SCRIPT.pathname.endsWith('.ts') && !process.features.typescript ? [...process.execArgv, '--experimental-strip-types'] : undefined;

interface Pending {
  readonly id: number;
  readonly timeoutMs: number;
  readonly resolve: (rows: StatementRows) => void;
  readonly reject: (error: unknown) => void;
  /** Set once the worker is ready: loading it is not the statement's time. */
  timer?: NodeJS.Timeout;
}

/**
 * One worker thread and its connection, running one statement at a time (the driver sees to that). A statement
 * that runs past its time limit fails at once and the thread is told to stop; better-sqlite3 cannot interrupt
 * SQLite, so the thread goes on until the statement ends by itself (`exited` says when) and is never reused.
 */
export class SqliteWorkerThread {
  readonly #worker: Worker;
  /** Resolves once the thread has ended. */
  readonly exited: Promise<void>;
  #pending: Pending | null = null;
  #nextId = 0;
  #ready = false;
  #stopped = false;

  constructor(setup: SqliteWorkerSetup) {
    this.#worker = new Worker(SCRIPT, { workerData: setup, ...(EXEC_ARGV ? { execArgv: EXEC_ARGV } : {}) });
    // Only a statement in flight keeps the process alive (ref'd in run); an idle worker never holds up an exit.
    this.#worker.unref();
    this.#worker.on('message', (message: WorkerMessage) => ('ready' in message ? this.#onReady() : this.#settle(message)));
    this.#worker.on('error', (error) => this.#stop(error));
    this.exited = new Promise((resolve) => {
      this.#worker.once('exit', () => {
        this.#stop(apiError('UNAVAILABLE', 'The database read worker stopped before answering. Try again.'));
        resolve();
      });
    });
  }

  /** False once the thread was stopped or ended: the driver starts another for the next statement. */
  get usable(): boolean {
    return !this.#stopped;
  }

  run(sql: string, parameters: readonly unknown[], timeoutMs: number): Promise<StatementRows> {
    if (this.#stopped || this.#pending) return Promise.reject(new Error('the SQLite read worker is stopped or busy'));
    const request: StatementRequest = { id: ++this.#nextId, sql, parameters };
    return new Promise<StatementRows>((resolve, reject) => {
      this.#pending = { id: request.id, timeoutMs, resolve, reject };
      if (this.#ready) this.#startTimer(this.#pending);
      this.#worker.ref();
      this.#worker.postMessage(request);
    });
  }

  /** True while a statement is in flight. */
  get busy(): boolean {
    return this.#pending !== null;
  }

  /** Fails the statement in flight, if any, with `reason` and ends the thread (see the class comment). */
  stop(reason: unknown = new Error('driver has already been destroyed')): void {
    this.#stop(reason);
  }

  #onReady(): void {
    this.#ready = true;
    if (this.#pending) this.#startTimer(this.#pending);
  }

  #startTimer(pending: Pending): void {
    pending.timer = setTimeout(() => this.#stop(timedOut(pending.timeoutMs)), pending.timeoutMs);
  }

  #settle(reply: StatementReply): void {
    const pending = this.#pending;
    if (!pending || pending.id !== reply.id) return;
    this.#finish(pending);
    if (reply.ok) pending.resolve(reply);
    else pending.reject(reply.code === undefined ? new Error(reply.message) : new SQLite.SqliteError(reply.message, reply.code));
  }

  #stop(reason: unknown): void {
    const pending = this.#pending;
    if (pending) {
      this.#finish(pending);
      pending.reject(reason);
    }
    if (this.#stopped) return;
    this.#stopped = true;
    void this.#worker.terminate();
  }

  #finish(pending: Pending): void {
    clearTimeout(pending.timer);
    this.#pending = null;
    this.#worker.unref();
  }
}

function timedOut(timeoutMs: number) {
  return apiError(
    'UNAVAILABLE',
    `A database read ran longer than ${timeoutMs.toLocaleString('en-US')} ms and was stopped. Ask for less at a time (a shorter range).`,
  );
}
