// The benchmark's data set: N sessions of ~12 events in account `bench`, started over the 365 days
// before a fixed instant, plus ~5% more sessions spread over four noise accounts. Built through the
// normal ingestion path: a gateway process on the file, 1000-event batches POSTed to /api/v1/events
// with `unlimited`-tier keys, several requests in flight (or, with --build inprocess, the same
// ingestEvents use case called in-process through runGuarded). Cached: on SQLite in a file under
// bench/.data/ (bench/dataset-file.ts), on PostgreSQL in the database --db names (bench/dataset-pg.ts).
import { Agent, request } from 'node:http';
import type { Engine } from './engine.js';
import { createKey, startGateway } from './processes.js';
import { mulberry32, randomUuid, sessionEvents, type RawEvent } from './sessions-gen.js';

export const REFERENCE_MS = Date.parse('2025-01-01T00:00:00Z');
export const SPAN_DAYS = 365;
const SPAN_MS = SPAN_DAYS * 86_400_000;
export const MAIN_ACCOUNT = 'bench';
export const NOISE_ACCOUNTS = ['noise-a', 'noise-b', 'noise-c', 'noise-d'];
export const NOISE_FRACTION = 0.05;
export const BATCH_SIZE = 1000;
const SEED = 20250101;

/** Windows the read scenarios use (date-only bounds: 00:00:00Z, inclusive on the session's start). */
export const DAY_WINDOW = { start: '2024-07-01', end: '2024-07-02' } as const;
export const MONTH_WINDOW = { start: '2024-06-01', end: '2024-07-01' } as const;

/** Bumped whenever the generator changes: a cached data set of another version is rebuilt. */
export const DATASET_VERSION = 1;

export interface DatasetMeta {
  version: number;
  sessions: number;
  noiseSessions: number;
  events: number;
  reference: string;
  /** `read:analytics`, tier unlimited, account `bench`. A local benchmark key, never a real one. */
  readKey: string;
  build: {
    /** `http+inprocess`: `--build auto` started over HTTP and finished in-process (too slow for the budget). */
    method: 'http' | 'inprocess' | 'http+inprocess';
    seconds: number;
    eventsPerSecond: number;
    inflight: number;
    parts: BuildPart[];
    at: string;
  } | null;
}

export interface Dataset {
  /** What the gateway's and the bench servers' --db get: the SQLite file, or the postgres:// URL. */
  path: string;
  /** `path` for logs and reports (a URL without its password). */
  label: string;
  meta: DatasetMeta;
  built: boolean;
}

/** Where a data set lives and how a build becomes it: bench/dataset-file.ts, bench/dataset-pg.ts. */
export interface DatasetLocation {
  /** --db for the gateway and the bench servers. */
  readonly target: string;
  readonly label: string;
  /** Rebuild a data set made by another generator version (the default SQLite file only). */
  readonly rebuildStale: boolean;
  exists(): Promise<boolean>;
  /** The completion marker: null for a data set built elsewhere. */
  readManifest(): Promise<DatasetMeta | null>;
  writeManifest(meta: DatasetMeta): Promise<void>;
  /** Makes an empty place for a build; returns its --db. */
  startBuild(): Promise<string>;
  /** The finished build becomes the data set (replacing any previous one), with `meta` as its manifest. */
  finishBuild(meta: DatasetMeta): Promise<void>;
}

export interface DatasetBatch {
  /** 0: the main account; 1…: noise accounts. */
  account: number;
  events: RawEvent[];
  sessionsDone: number;
}

/** Sessions in start order (as telemetry arrives), each account's events cut into 1000-event batches. */
export function* datasetBatches(sessions: number): Generator<DatasetBatch> {
  const noise = Math.round(sessions * NOISE_FRACTION);
  const total = sessions + noise;
  const random = mulberry32(SEED);
  const starts = new Float64Array(total);
  for (let i = 0; i < total; i++) starts[i] = REFERENCE_MS - 1 - Math.floor(random() * SPAN_MS);
  const order = new Uint32Array(total);
  for (let i = 0; i < total; i++) order[i] = i;
  order.sort((a, b) => starts[a]! - starts[b]!);
  const buffers: RawEvent[][] = [[], ...NOISE_ACCOUNTS.map(() => [])];
  let done = 0;
  for (const index of order) {
    const account = index < sessions ? 0 : 1 + (index % NOISE_ACCOUNTS.length);
    const buffer = buffers[account]!;
    for (const e of sessionEvents(random, randomUuid(random), starts[index]!)) buffer.push(e);
    done++;
    while (buffer.length >= BATCH_SIZE) yield { account, events: buffer.splice(0, BATCH_SIZE), sessionsDone: done };
  }
  for (let account = 0; account < buffers.length; account++) {
    const buffer = buffers[account]!;
    if (buffer.length > 0) yield { account, events: buffer.splice(0), sessionsDone: done };
  }
}

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  return m > 0 ? `${m}m${String(s).padStart(2, '0')}s` : `${s}s`;
}

class Progress {
  readonly #started = performance.now();
  #lastPrint = performance.now();
  events = 0;
  constructor(readonly totalSessions: number, readonly label: string) {}

  update(sessionsDone: number, force = false): void {
    const now = performance.now();
    if (!force && now - this.#lastPrint < 3000) return;
    this.#lastPrint = now;
    const seconds = (now - this.#started) / 1000;
    const rate = this.events / seconds;
    const fraction = sessionsDone / this.totalSessions;
    const eta = fraction > 0 ? (seconds / fraction) * (1 - fraction) : Infinity;
    process.stderr.write(
      `[build] ${this.label}: ${sessionsDone.toLocaleString('en-US')}/${this.totalSessions.toLocaleString('en-US')} sessions ` +
        `(${(fraction * 100).toFixed(1)}%), ${this.events.toLocaleString('en-US')} events, ${Math.round(rate).toLocaleString('en-US')} events/s, ` +
        `elapsed ${formatDuration(seconds)}, ETA ${formatDuration(eta)}\n`,
    );
  }

  get seconds(): number {
    return (performance.now() - this.#started) / 1000;
  }
}

interface IngestResponse {
  data?: { accepted: number; rejected: number; duplicates: number; errors: unknown[] };
}

function checkIngest(status: number, text: string, sent: number): void {
  let body: IngestResponse;
  try {
    body = JSON.parse(text) as IngestResponse;
  } catch {
    throw new Error(`ingestion answered ${status} with a non-JSON body: ${text.slice(0, 300)}`);
  }
  const d = body.data;
  if (status !== 200 || !d || d.accepted !== sent || d.rejected !== 0 || d.duplicates !== 0) {
    throw new Error(`ingestion answered ${status}: ${text.slice(0, 500)}`);
  }
}

export function postJson(agent: Agent, url: string, path: string, key: string, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolvePost, reject) => {
    const req = request(
      url + path,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', 'x-api-key': key, 'content-length': Buffer.byteLength(body) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolvePost({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** What one part of the build did. */
export interface BuildPart {
  method: 'http' | 'inprocess';
  events: number;
  seconds: number;
  eventsPerSecond: number;
}

type BatchIterator = Iterator<DatasetBatch, undefined>;

/** Above this projected build time, `--build auto` finishes in-process (the brief's ~15 minutes). */
const HTTP_BUDGET_SECONDS = 15 * 60;

async function ingestOverHttp(
  path: string, batches: BatchIterator, keys: string[], inflight: number, progress: Progress, expectedEvents: number, auto: boolean,
): Promise<{ part: BuildPart; exhausted: boolean }> {
  const gateway = await startGateway(path, 'warn', 'gateway (build)');
  const agent = new Agent({ keepAlive: true, maxSockets: inflight });
  const started = performance.now();
  let events = 0;
  let exhausted = false;
  try {
    const running = new Set<Promise<void>>();
    let failure: unknown = null;
    for (;;) {
      if (failure) break;
      const seconds = (performance.now() - started) / 1000;
      if (auto && seconds >= 45 && events > 0) {
        const projected = progress.seconds + (expectedEvents - progress.events) / (events / seconds);
        if (projected > HTTP_BUDGET_SECONDS) {
          process.stderr.write(
            `[build] over HTTP at ${Math.round(events / seconds).toLocaleString('en-US')} events/s the build would take ` +
              `${formatDuration(projected)} (> ${formatDuration(HTTP_BUDGET_SECONDS)}): finishing in-process (runGuarded(ingestEvents))\n`,
          );
          break;
        }
      }
      const next = batches.next();
      if (next.done) {
        exhausted = true;
        break;
      }
      const batch = next.value;
      const body = JSON.stringify({ events: batch.events });
      const sent = batch.events.length;
      const p: Promise<void> = postJson(agent, gateway.url, '/api/v1/events', keys[batch.account]!, body)
        .then(({ status, text }) => {
          checkIngest(status, text, sent);
          events += sent;
          progress.events += sent;
          progress.update(batch.sessionsDone);
        })
        .catch((error: unknown) => {
          failure ??= error;
        })
        .finally(() => running.delete(p));
      running.add(p);
      if (running.size >= inflight) await Promise.race(running);
    }
    await Promise.all(running);
    if (failure) throw failure;
  } finally {
    agent.destroy();
    await gateway.stop();
  }
  const seconds = (performance.now() - started) / 1000;
  return { part: { method: 'http', events, seconds, eventsPerSecond: Math.round(events / seconds) }, exhausted };
}

async function ingestInProcess(path: string, batches: BatchIterator, keys: string[], progress: Progress): Promise<BuildPart> {
  // The same ingestion code the HTTP route runs: runGuarded(ingestEvents, …) with the key's principal.
  const { openDatabase } = await import('../src/db/open-database.js');
  const { defaultConfig } = await import('../src/config.js');
  const { migrateToLatest } = await import('../src/db/migrate.js');
  const { KeyStore } = await import('../src/auth/key-store.js');
  const { runGuarded } = await import('../src/use-cases/use-case.js');
  const { ingestEvents } = await import('../src/use-cases/ingest-events.js');
  const { createUseCaseContext, localServices } = await import('../src/use-cases/use-case-context.js');
  const database = openDatabase(path, defaultConfig().postgres, defaultConfig().sqlite);
  const started = performance.now();
  let events = 0;
  try {
    await migrateToLatest(database);
    const store = new KeyStore(database.db);
    const principals = await Promise.all(keys.map((k) => store.authenticate(k)));
    for (let next = batches.next(); !next.done; next = batches.next()) {
      const batch = next.value;
      const body = JSON.stringify({ events: batch.events });
      const ctx = createUseCaseContext(localServices(database.db), principals[batch.account]!);
      const result = await runGuarded(ingestEvents, ctx, () => ({ events: (JSON.parse(body) as { events: unknown }).events }));
      if (result.accepted !== batch.events.length || result.rejected !== 0 || result.duplicates !== 0) {
        throw new Error(`in-process ingestion: ${JSON.stringify(result).slice(0, 500)}`);
      }
      events += batch.events.length;
      progress.events += batch.events.length;
      progress.update(batch.sessionsDone);
    }
  } finally {
    await database.close();
  }
  const seconds = (performance.now() - started) / 1000;
  return { method: 'inprocess', events, seconds, eventsPerSecond: Math.round(events / seconds) };
}

async function countMainSessions(path: string, readKey: string): Promise<number> {
  const gateway = await startGateway(path, 'warn', 'gateway (count)');
  try {
    const res = await fetch(`${gateway.url}/api/v1/sessions?limit=1`, { headers: { 'x-api-key': readKey } });
    const body = (await res.json()) as { data?: { total: number } };
    if (res.status !== 200 || !body.data) throw new Error(`counting sessions: ${res.status} ${JSON.stringify(body)}`);
    return body.data.total;
  } finally {
    await gateway.stop();
  }
}

export type BuildMethod = 'auto' | 'http' | 'inprocess';

export async function buildDataset(location: DatasetLocation, sessions: number, method: BuildMethod, inflight: number): Promise<DatasetMeta> {
  const partial = await location.startBuild();
  const noise = Math.round(sessions * NOISE_FRACTION);
  const expectedEvents = Math.round((sessions + noise) * 12.1);
  process.stderr.write(
    `[build] ${location.label}: ${sessions.toLocaleString('en-US')} sessions in "${MAIN_ACCOUNT}" + ${noise.toLocaleString('en-US')} in ` +
      `${NOISE_ACCOUNTS.length} noise accounts, ~${expectedEvents.toLocaleString('en-US')} events, via ` +
      `${method === 'inprocess' ? 'runGuarded(ingestEvents) in-process' : `POST /api/v1/events (${inflight} in flight)`}` +
      `${method === 'auto' ? `, finishing in-process if that would take over ${formatDuration(HTTP_BUDGET_SECONDS)}` : ''}\n`,
  );
  // `keys create` migrates a new database. Every key is `unlimited`, so no rate limit can slow the build.
  const writeKeys = [
    await createKey(partial, MAIN_ACCOUNT, 'write:events'),
    ...(await Promise.all(NOISE_ACCOUNTS.map((a) => createKey(partial, a, 'write:events')))),
  ];
  const readKey = await createKey(partial, MAIN_ACCOUNT, 'read:analytics');
  const progress = new Progress(sessions + noise, method);
  const batches: BatchIterator = datasetBatches(sessions);
  const parts: BuildPart[] = [];
  let exhausted = false;
  if (method !== 'inprocess') {
    const http = await ingestOverHttp(partial, batches, writeKeys, inflight, progress, expectedEvents, method === 'auto');
    parts.push(http.part);
    exhausted = http.exhausted;
  }
  if (!exhausted) parts.push(await ingestInProcess(partial, batches, writeKeys, progress));
  progress.update(sessions + noise, true);
  const seconds = progress.seconds;
  const eventsPerSecond = Math.round(progress.events / seconds);
  const total = await countMainSessions(partial, readKey);
  if (total !== sessions) throw new Error(`the built data set holds ${total} sessions in "${MAIN_ACCOUNT}", expected ${sessions}`);
  const used = parts.filter((p) => p.events > 0).map((p) => p.method).join('+') as 'http' | 'inprocess' | 'http+inprocess';
  const meta: DatasetMeta = {
    version: DATASET_VERSION,
    sessions,
    noiseSessions: noise,
    events: progress.events,
    reference: new Date(REFERENCE_MS).toISOString(),
    readKey,
    build: {
      method: used,
      seconds: Math.round(seconds * 10) / 10,
      eventsPerSecond,
      inflight: parts.some((p) => p.method === 'http') ? inflight : 1,
      parts: parts.map((p) => ({ ...p, seconds: Math.round(p.seconds * 10) / 10 })),
      at: new Date().toISOString(),
    },
  };
  await location.finishBuild(meta);
  process.stderr.write(
    `[build] done: ${progress.events.toLocaleString('en-US')} events in ${formatDuration(seconds)} (${eventsPerSecond.toLocaleString('en-US')} events/s; ` +
      `${parts.map((p) => `${p.method}: ${p.events.toLocaleString('en-US')} events at ${p.eventsPerSecond.toLocaleString('en-US')}/s`).join(', ')})\n`,
  );
  return meta;
}

/** The data set for `sessions` (or at `dbPath`: a SQLite file or a postgres:// URL), built if missing. */
export async function ensureDataset(options: {
  engine: Engine;
  sessions: number;
  dbPath: string | null;
  method: BuildMethod;
  inflight: number;
}): Promise<Dataset> {
  const location = options.engine.dataset(options.sessions, options.dbPath);
  const found = { path: location.target, label: location.label };
  const build = async () => ({ ...found, meta: await buildDataset(location, options.sessions, options.method, options.inflight), built: true });
  if (!(await location.exists())) return build();
  const stored = await location.readManifest();
  if (stored) {
    if (location.rebuildStale && (stored.version !== DATASET_VERSION || stored.sessions !== options.sessions)) {
      process.stderr.write(`[data] ${location.label} was built by another version of the generator: rebuilding\n`);
      return build();
    }
    if (stored.sessions !== options.sessions) {
      process.stderr.write(`[data] note: ${location.label} holds ${stored.sessions.toLocaleString('en-US')} sessions, not the --sessions ${options.sessions.toLocaleString('en-US')}\n`);
    }
    process.stderr.write(`[data] reusing ${location.label} (${stored.sessions.toLocaleString('en-US')} sessions, ${stored.events.toLocaleString('en-US')} events)\n`);
    return { ...found, meta: stored, built: false };
  }
  // A data set built elsewhere: a fresh read key for account `bench`, and its session count.
  const readKey = await createKey(location.target, MAIN_ACCOUNT, 'read:analytics');
  const sessions = await countMainSessions(location.target, readKey);
  if (sessions === 0) throw new Error(`${location.label} has no sessions in account "${MAIN_ACCOUNT}"`);
  const meta: DatasetMeta = {
    version: DATASET_VERSION, sessions, noiseSessions: 0, events: 0, reference: new Date(REFERENCE_MS).toISOString(), readKey, build: null,
  };
  await location.writeManifest(meta);
  process.stderr.write(`[data] using ${location.label} (${sessions.toLocaleString('en-US')} sessions in "${MAIN_ACCOUNT}")\n`);
  return { ...found, meta, built: false };
}
