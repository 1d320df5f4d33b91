import cluster, { type Worker } from 'node:cluster';
import type { GatewayConfig } from '../config.js';
import { migrateToLatest } from '../db/migrate.js';
import { openConfiguredDatabase } from '../db/open-configured-database.js';
import type { Logger } from '../log/logger.js';
import { StartupError } from '../startup-error.js';
import { isClusterMessage, type ClusterMessage } from './cluster-message.js';
import { CounterHost } from './counter-host.js';

export interface RunningCluster {
  readonly url: string;
  /** Ends every worker (each lets its requests in flight finish), then resolves. */
  close(): Promise<void>;
}

/** A worker that dies this soon after it started waits longer before the next one, up to MAX_RESTART_DELAY_MS. */
const QUICK_DEATH_MS = 10_000;
const FIRST_RESTART_DELAY_MS = 500;
const MAX_RESTART_DELAY_MS = 30_000;
/** Past the workers' own shutdown timeout: what a worker still holds by then, it is killed with. */
const KILL_GRACE_MS = 5_000;

/**
 * The primary of `serve --workers N`: applies migrations once, starts N workers on the one port (the kernel's
 * connections dealt round-robin by Node's cluster), relays their change messages to one another, keeps the
 * rate-limit counters they share, and replaces a worker that dies. It serves no request itself.
 */
export async function startClusterPrimary(config: GatewayConfig, logger: Logger): Promise<RunningCluster> {
  const database = openConfiguredDatabase(config);
  try {
    await migrateToLatest(database);
  } finally {
    await database.close();
  }

  const counters = new CounterHost();
  const listening = new Set<Worker>();
  const startedAt = new WeakMap<Worker, number>();
  let url: string | null = null;
  let stopping = false;
  let restartDelay = FIRST_RESTART_DELAY_MS;
  let started: { resolve: (url: string) => void; reject: (error: Error) => void } | null = null;

  function onMessage(worker: Worker, message: unknown): void {
    if (!isClusterMessage(message)) return;
    switch (message.tc) {
      case 'relay':
        for (const other of Object.values(cluster.workers ?? {})) if (other?.isConnected()) other.send(message);
        return;
      case 'count':
        counters.run(message.call).then((total) => {
          if (worker.isConnected()) worker.send({ tc: 'counted', seq: message.seq, total } satisfies ClusterMessage);
        });
        return;
      case 'listening':
        listening.add(worker);
        url ??= message.url;
        if (started && listening.size === config.workers) started.resolve(message.url);
        return;
      default:
        return;
    }
  }

  function fork(): Worker {
    const worker = cluster.fork();
    startedAt.set(worker, Date.now());
    worker.on('message', (message: unknown) => onMessage(worker, message));
    return worker;
  }

  cluster.on('exit', (worker, code, signal) => {
    const wasListening = listening.delete(worker);
    if (stopping) return;
    if (!wasListening) {
      // It never listened: its own message (stderr) says why, and the next one would fail the same way.
      started?.reject(new StartupError(`worker ${worker.id} stopped before it listened (${signal ?? `exit code ${code}`})`));
      void stopAll();
      return;
    }
    const lived = Date.now() - (startedAt.get(worker) ?? 0);
    restartDelay = lived < QUICK_DEATH_MS ? Math.min(MAX_RESTART_DELAY_MS, restartDelay * 2) : FIRST_RESTART_DELAY_MS;
    logger.error({ worker: worker.id, code, signal, restartInMs: restartDelay }, `worker ${worker.id} died; starting another`);
    setTimeout(() => {
      if (!stopping) fork();
    }, restartDelay).unref();
  });

  let stoppingAll: Promise<void> | undefined;
  function stopAll(): Promise<void> {
    stopping = true;
    stoppingAll ??= new Promise<void>((resolve) => {
      const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && !w.isDead());
      if (workers.length === 0) return resolve();
      let left = workers.length;
      const killer = setTimeout(() => {
        for (const w of workers) if (!w.isDead()) w.process.kill('SIGKILL');
      }, config.shutdownTimeoutMs + KILL_GRACE_MS);
      for (const w of workers) {
        w.once('exit', () => {
          if (--left === 0) {
            clearTimeout(killer);
            resolve();
          }
        });
        w.process.kill('SIGTERM');
      }
    });
    return stoppingAll;
  }

  const ready = new Promise<string>((resolve, reject) => {
    started = { resolve, reject };
  });
  for (let i = 0; i < config.workers; i++) fork();
  try {
    url = await ready;
  } catch (error) {
    await stopAll();
    throw error;
  } finally {
    started = null;
  }
  return { url, close: stopAll };
}
