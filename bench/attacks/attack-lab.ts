// What every attack gets: fresh databases seeded through a gateway (with another tenant's data and
// key in each), and `measure`, which runs one variant against a fresh gateway process while
// bench/attacks/observer.ts watches it, and records the row.
import type { AttackRow } from './attack-row.js';
import type { GatewayBuild } from './gateway-build.js';
import { startGatewayProcess, type GatewayProcess } from './gateway-process.js';
import type { ObserverClient } from './observer-client.js';
import { postEvents, type RawEvent } from './post-events.js';
import { scratchDatabase, type DatabasePlace, type ScratchDatabase } from './scratch-database.js';
import { sessionUuid } from './session-uuid.js';
import { createKey, type KeySpec } from './trenchcoat-cli.js';

export interface PreparedDatabase<K extends string> {
  readonly target: string;
  readonly keys: Readonly<Record<K, string>>;
  /** The other tenant's `read:analytics` key (tier unlimited). */
  readonly tenantKey: string;
}

export interface LabOptions {
  readonly build: GatewayBuild;
  readonly place: DatabasePlace;
  readonly observer: ObserverClient;
  readonly rssCapBytes: number;
  readonly log: (message: string) => void;
}

/** What an attack does against a running gateway; resolves to the summary of its own answers. */
export type AttackBody = (gateway: GatewayProcess, signal: AbortSignal) => Promise<string>;

const TENANT_SESSIONS = 20;

function tenantEvents(): RawEvent[] {
  const now = Date.now();
  return Array.from({ length: TENANT_SESSIONS }, (_, i) => {
    const session_id = sessionUuid(i, 'tenant');
    const at = (ms: number) => new Date(now - 3_600_000 * (i + 1) + ms).toISOString();
    return [
      { event_type: 'session_start', session_id, timestamp: at(0) },
      { event_type: 'tool_use', session_id, timestamp: at(1000), data: { tool_name: 'Read' } },
      { event_type: 'session_end', session_id, timestamp: at(60_000) },
    ];
  }).flat();
}

export class AttackLab {
  readonly rows: AttackRow[] = [];
  readonly #scratch: ScratchDatabase[] = [];
  /** The attack whose rows are being recorded. */
  attack = '';

  constructor(readonly options: LabOptions) {}

  get engine(): DatabasePlace['kind'] {
    return this.options.place.kind;
  }

  get column(): string {
    return this.options.build.column;
  }

  /** A fresh database with `keys` created and the tenant's sessions stored, then `seed` run against a gateway on it. */
  async prepare<K extends string>(
    name: string,
    keys: Record<K, KeySpec>,
    seed?: (url: string, keys: Readonly<Record<K, string>>) => Promise<void>,
  ): Promise<PreparedDatabase<K>> {
    const { build, log } = this.options;
    const scratch = await scratchDatabase(this.options.place, `${name}-${build.column}`);
    this.#scratch.push(scratch);
    const tenantKey = await createKey(build.dir, scratch.target, { account: 'tenant', scopes: 'read:analytics', tier: 'unlimited' });
    const tenantWrite = await createKey(build.dir, scratch.target, { account: 'tenant', scopes: 'write:events', tier: 'unlimited' });
    const created = {} as Record<K, string>;
    for (const [k, spec] of Object.entries(keys) as [K, KeySpec][]) created[k] = await createKey(build.dir, scratch.target, spec);
    const gateway = await startGatewayProcess(build.dir, scratch.target);
    const started = performance.now();
    try {
      await postEvents(gateway.url, tenantWrite, tenantEvents());
      await seed?.(gateway.url, created);
    } finally {
      await gateway.stop(30_000);
    }
    log(`  ${name}: seeded in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return { target: scratch.target, keys: created, tenantKey };
  }

  /** Runs `body` against a fresh gateway process on `db` (cut at `deadlineMs`) and records the row. */
  async measure(label: string, db: PreparedDatabase<string>, body: AttackBody, deadlineMs = 120_000): Promise<void> {
    const { build, observer, rssCapBytes, log } = this.options;
    log(`  ${label} …`);
    const gateway = await startGatewayProcess(build.dir, db.target);
    const cut = new AbortController();
    let cutAtMs: number | null = null;
    const started = performance.now();
    await observer.start({ pid: gateway.pid, url: gateway.url, tenantKey: db.tenantKey, rssCapBytes });
    const deadline = setTimeout(() => {
      cutAtMs = performance.now() - started;
      cut.abort();
    }, deadlineMs);
    // A dead gateway answers nothing more: end the attack's waits at once.
    gateway.child.once('exit', () => cut.abort());
    let answer: string;
    try {
      answer = await body(gateway, cut.signal);
    } catch (error) {
      answer = `bench error: ${error instanceof Error ? error.message : String(error)}`;
    }
    clearTimeout(deadline);
    // A second more of watching: does the gateway come back (RSS, /healthz) once the attack is over?
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const observation = await observer.stop();
    const gatewayEnd = gateway.ended();
    await gateway.stop();
    this.rows.push({
      attack: this.attack,
      label,
      column: build.column,
      observation,
      answer,
      gatewayEnd,
      gatewayErrors: gatewayEnd && observation.killedAtRss === null ? gateway.lastErrors() : [],
      cutAtMs,
    });
    const mib = (b: number) => `${Math.round(b / 2 ** 20)} MiB`;
    log(
      `    peak RSS ${mib(Math.max(observation.peakRss, observation.hwm))}, longest /healthz ${Math.round(observation.healthz.longestMs)} ms, ` +
        `tenant ${observation.tenant.requests} requests; ${answer}${gatewayEnd ? `; gateway ended: ${gatewayEnd}` : ''}`,
    );
  }

  /** Records a variant that cannot run here (e.g. a SQLite-only attack on PostgreSQL). */
  skip(label: string, reason: string): void {
    this.rows.push({ attack: this.attack, label, column: this.options.build.column, observation: null, answer: reason, gatewayEnd: null, gatewayErrors: [], cutAtMs: null });
  }

  async dropDatabases(): Promise<void> {
    for (const scratch of this.#scratch.splice(0)) await scratch.drop();
  }
}
