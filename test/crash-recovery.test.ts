import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linesOf, runCli, startServe, type ServeProcess } from './support/cli-run.js';
import { sideQueryAt } from './support/side-connection.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

// docs/api.md#atomicity: a batch is one transaction; when storing it fails (a 5xx) nothing of it is
// stored, so the client may retry. The harshest failure: `trenchcoat serve` is SIGKILLed
// while batches are in flight. Every acknowledged batch must be stored whole, no batch in part, the folded
// rows must agree with the events (`trenchcoat verify`), and redelivering what was not acknowledged must
// complete the data. On PGlite the database lives in this process, so killing the gateway child is a
// crash of the client only; pglite-socket rolls back the transaction of a connection that drops.

const SESSIONS = [
  '0c5c7e57-0000-4000-8000-000000000001',
  '0c5c7e57-0000-4000-8000-000000000002',
  '0c5c7e57-0000-4000-8000-000000000003',
  '0c5c7e57-0000-4000-8000-000000000004',
  '0c5c7e57-0000-4000-8000-000000000005',
];
const TOOLS = ['Read', 'Bash', 'Edit'];
const TYPES = ['session_start', 'session_end', 'tool_use', 'tool_use', 'tool_result', 'tool_result', 'prompt_submit', 'assistant_stop'];
const BATCHES = 48;
const IN_FLIGHT = 6;
/** Acknowledgements before the kill. */
const KILL_AFTER = 8;
const BASE = Date.parse('2024-03-01T08:00:00Z');

interface Event {
  event_type: string;
  session_id: string;
  timestamp: string;
  event_id: string;
  data?: Record<string, unknown>;
}

/** A small seeded generator: the same batches on every run. */
function prng(seed: number) {
  let state = seed >>> 0;
  return (n: number) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let x = state;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return (((x ^ (x >>> 14)) >>> 0) % n);
  };
}

function makeBatches(): Event[][] {
  const pick = prng(20240301);
  const batches: Event[][] = [];
  for (let b = 0; b < BATCHES; b++) {
    const size = 50 + pick(151);
    const batch: Event[] = [];
    for (let i = 0; i < size; i++) {
      const type = TYPES[pick(TYPES.length)]!;
      const tool = TOOLS[pick(TOOLS.length)]!;
      const data =
        type === 'tool_use' ? { tool_name: tool } :
        type === 'tool_result' ? { tool_name: tool, duration_ms: 1 + pick(5000), is_error: pick(5) === 0 } :
        undefined;
      batch.push({
        event_type: type,
        session_id: SESSIONS[pick(SESSIONS.length)]!,
        timestamp: new Date(BASE + pick(6 * 3600) * 1000).toISOString(),
        event_id: `crash-${b}-${i}`,
        ...(data ? { data } : {}),
      });
    }
    batches.push(batch);
  }
  return batches;
}

async function post(url: string, key: string, events: Event[]): Promise<{ status: number; body: any }> {
  const response = await fetch(`${url}/api/v1/events`, {
    method: 'POST',
    headers: { 'x-api-key': key, 'content-type': 'application/json' },
    body: JSON.stringify({ events }),
  });
  return { status: response.status, body: await response.json() };
}

describe('a gateway killed mid-ingestion (SIGKILL) loses no acknowledged batch and stores none in part', { timeout: 180_000 }, () => {
  let dir: string;
  let database: TestDatabase;
  let server: ServeProcess | undefined;
  const batches = makeBatches();
  const cli = (args: string[]) => runCli(args, { cwd: dir, env: database.gatewayEnv, timeoutMs: 90_000 });
  const serve = () => startServe(['--port', '0', '--host', '127.0.0.1', '--db', database.url], { cwd: dir, env: database.gatewayEnv, timeoutMs: 90_000 });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'trenchcoat-crash-'));
    database = await createTestDatabase();
  });
  afterAll(async () => {
    if (server && server.child.exitCode === null && server.child.signalCode === null) {
      server.child.kill('SIGKILL');
      await server.exited;
    }
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The stored event ids of the crash account, read through a connection of our own. */
  async function storedIds(): Promise<Set<string>> {
    const rows = await sideQueryAt<{ event_id: string }>(database.url, 'select event_id from events');
    return new Set(rows.map((r) => r.event_id));
  }

  async function verifyClean(): Promise<number> {
    const text = await cli(['verify', '--db', database.url]);
    expect(text.code, text.stdout + text.stderr).toBe(0);
    expect(linesOf(text.stdout).at(-1)).toMatch(/^Checked \d+ sessions? in 1 account: no differences\.$/);
    const json = await cli(['verify', '--json', '--db', database.url]);
    expect(json.code, json.stderr).toBe(0);
    const report = JSON.parse(json.stdout) as { sessions_checked: number; differences: unknown[] };
    expect(report.differences).toEqual([]);
    return report.sessions_checked;
  }

  it('acknowledged batches are whole, none is partial, verify is clean, and redelivery completes the data', async () => {
    const created = await cli(['keys', 'create', '--account', 'crash', '--scopes', 'write:events,read:analytics', '--tier', 'unlimited', '--json', '--db', database.url]);
    expect(created.code, created.stderr).toBe(0);
    const key = (JSON.parse(created.stdout) as { key: string }).key;

    server = await serve();
    const first = server;
    const acknowledged = new Set<number>();
    let next = 0;
    let inFlight = 0;
    let inFlightAtKill = -1;
    let killed = false;
    const worker = async () => {
      while (!killed && next < batches.length) {
        const index = next++;
        inFlight += 1;
        try {
          const { status, body } = await post(first.url, key, batches[index]!);
          if (status === 200) {
            expect(body.data).toEqual({ accepted: batches[index]!.length, rejected: 0, duplicates: 0, errors: [] });
            acknowledged.add(index);
          }
        } catch {
          // Connection reset or a truncated answer: not acknowledged.
        } finally {
          inFlight -= 1;
        }
        if (!killed && acknowledged.size >= KILL_AFTER) {
          killed = true;
          inFlightAtKill = inFlight;
          first.child.kill('SIGKILL');
        }
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
    // The kill landed while other batches were on their way, and some batches were never acknowledged.
    expect(inFlightAtKill).toBeGreaterThan(0);
    expect(acknowledged.size).toBeGreaterThanOrEqual(KILL_AFTER);
    const unacknowledged = batches.map((_, i) => i).filter((i) => !acknowledged.has(i));
    expect(unacknowledged.length).toBeGreaterThan(0);

    // (a) every acknowledged batch is stored whole; (b) every batch is stored whole or not at all.
    const ids = await storedIds();
    const storedCount = batches.map((batch) => batch.filter((e) => ids.has(e.event_id)).length);
    for (const i of acknowledged) expect(storedCount[i], `acknowledged batch ${i}`).toBe(batches[i]!.length);
    for (const [i, batch] of batches.entries()) expect([0, batch.length], `batch ${i}: ${storedCount[i]} of ${batch.length} stored`).toContain(storedCount[i]);
    expect(ids.size).toBe(storedCount.reduce((a, b) => a + b, 0));

    // (c) the folded rows agree with the events that survived.
    const sessionsWithEvents = new Set(batches.flat().filter((e) => ids.has(e.event_id)).map((e) => e.session_id));
    expect(await verifyClean()).toBe(sessionsWithEvents.size);

    // (d) a new server on the same database answers, and redelivering the unacknowledged batches completes the data.
    server = await serve();
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    for (const i of unacknowledged) {
      const { status, body } = await post(server.url, key, batches[i]!);
      expect(status, JSON.stringify(body)).toBe(200);
      expect(body.data).toEqual({ accepted: batches[i]!.length, rejected: 0, duplicates: storedCount[i], errors: [] });
    }
    const all = batches.flat();
    expect((await storedIds()).size).toBe(all.length);

    const response = await fetch(`${server.url}/api/v1/sessions?limit=200`, { headers: { 'x-api-key': key } });
    expect(response.status).toBe(200);
    const listed = ((await response.json()) as { data: { sessions: { id: string; started_at: string; event_count: number; tool_invocations: number }[] } }).data.sessions;
    const expected = SESSIONS.map((id) => {
      const events = all.filter((e) => e.session_id === id);
      const starts = events.filter((e) => e.event_type === 'session_start').map((e) => Date.parse(e.timestamp));
      return {
        id,
        started_at: new Date(Math.min(...(starts.length > 0 ? starts : events.map((e) => Date.parse(e.timestamp))))).toISOString().replace('.000Z', 'Z'),
        event_count: events.length,
        tool_invocations: events.filter((e) => e.event_type === 'tool_use').length,
      };
    });
    expect(listed.map(({ id, started_at, event_count, tool_invocations }) => ({ id, started_at, event_count, tool_invocations })).sort((a, b) => a.id.localeCompare(b.id)))
      .toEqual(expected);

    server.child.kill('SIGTERM');
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(await verifyClean()).toBe(SESSIONS.length);
  });
});
