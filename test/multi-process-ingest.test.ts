// Several gateway processes on one database (PostgreSQL in production; the same file on SQLite):
// events of the same sessions, posted to both processes at once, in shuffled overlapping batches
// with repeats, must fold into exactly the sessions a recomputation from the stored events gives,
// and exactly the sessions of the generated events. No update may be lost to a race.
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { formatUtc } from '../src/time/iso-time.js';
import { startServe, type ServeProcess } from './support/cli-run.js';
import { sideQuery } from './support/side-connection.js';
import { describeNeeding } from './support/requirements.js';
import { TEST_ENGINE } from './support/test-database.js';
import { startTestGateway, type TestGateway } from './support/test-gateway.js';

const NOW = Date.parse('2025-01-01T00:00:00Z');
const TYPES = ['session_start', 'session_end', 'tool_use', 'tool_result', 'prompt_submit', 'assistant_stop'] as const;

function uuid(n: number): string {
  return `0000000${n % 10}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

// PGlite is one backend behind a connection multiplexer: it cannot stand in for a server shared by
// processes (their interleaved extended-protocol messages stall it). Runs on SQLite and a real server.
describeNeeding(TEST_ENGINE === 'postgres' ? ['postgres'] : [], 'two gateway processes ingesting the same sessions at once', () => {
  let t: TestGateway;
  let processes: ServeProcess[];
  let key: string;

  beforeAll(async () => {
    // The in-process gateway owns the database (and migrates it); two more processes share it.
    t = await startTestGateway({ now: () => NOW });
    key = await t.key({ account: 'hammer', tier: 'unlimited' });
    processes = await Promise.all(
      [0, 1].map(() => startServe(['--port', '0', '--db', t.dbPath], { cwd: process.cwd(), timeoutMs: 90_000 })),
    );
  }, 120_000);
  afterAll(async () => {
    for (const p of processes ?? []) p.child.kill('SIGTERM');
    await Promise.all((processes ?? []).map((p) => p.exited));
    await t?.close();
  });

  it('folds every event exactly once, whatever process and batch carried it', async () => {
    const random = fc.sample(fc.integer({ min: 0, max: 2 ** 31 - 1 }), { numRuns: 4000, seed: 7 });
    let r = 0;
    const next = (n: number) => random[r++ % random.length]! % n;
    const events: Record<string, unknown>[] = [];
    for (let n = 0; n < 2400; n++) {
      const session = uuid(next(40));
      const type = TYPES[next(TYPES.length)]!;
      const at = Date.parse('2024-06-01T00:00:00Z') + next(5 * 86_400_000);
      events.push({
        event_type: type,
        session_id: session,
        timestamp: new Date(at).toISOString(),
        ...(n % 3 === 0 ? { event_id: `e-${n}` } : {}),
        ...(type === 'tool_use' || type === 'tool_result' ? { data: { tool_name: `T${next(4)}` } } : {}),
      });
    }
    // Batches of 1–150 events, a fifth of them resent in other batches, alternating processes.
    const deliveries = [...events, ...events.filter((_, i) => i % 5 === 0)];
    for (let i = deliveries.length - 1; i > 0; i--) {
      const j = next(i + 1);
      [deliveries[i], deliveries[j]] = [deliveries[j]!, deliveries[i]!];
    }
    const batches: Record<string, unknown>[][] = [];
    for (let i = 0; i < deliveries.length; ) {
      const size = 1 + next(150);
      batches.push(deliveries.slice(i, i + size));
      i += size;
    }
    const responses = await Promise.all(
      batches.map(async (batch, i) => {
        const url = processes[i % 2]!.url;
        const response = await fetch(`${url}/api/v1/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': key },
          body: JSON.stringify({ events: batch }),
        });
        return { status: response.status, body: (await response.json()) as { data: { accepted: number; rejected: number } } };
      }),
    );
    for (const r of responses) {
      expect(r.status).toBe(200);
      expect(r.body.data.rejected).toBe(0);
    }

    // What the stored events say, recomputed from scratch through a connection of the test's own.
    const stored = await sideQuery<{ session_id: string; n: number | string; tools: number | string; first: number | string; first_start: number | string | null; last: number | string }>(
      t,
      `select session_id, count(*) as n, sum(case when event_type = 'tool_use' then 1 else 0 end) as tools,
              min(ts) as first, min(case when event_type = 'session_start' then ts end) as first_start, max(ts) as last
       from events group by session_id order by session_id`,
    );
    // What the generated events say, with duplicates removed as the gateway does (docs/api.md#idempotence).
    const unique = new Map<string, { session: string; type: string; at: number }>();
    for (const e of events) {
      const identity = e['event_id'] ? `id:${e['event_id']}` : `${e['event_type']}|${e['timestamp']}|${JSON.stringify(e['data'] ?? {})}`;
      unique.set(`${e['session_id']}|${identity}`, { session: e['session_id'] as string, type: e['event_type'] as string, at: Date.parse(e['timestamp'] as string) });
    }
    const expected = new Map<string, { n: number; tools: number; started: number }>();
    for (const e of unique.values()) {
      const s = expected.get(e.session) ?? { n: 0, tools: 0, started: Number.POSITIVE_INFINITY };
      s.n += 1;
      if (e.type === 'tool_use') s.tools += 1;
      expected.set(e.session, s);
    }
    for (const [session, s] of expected) {
      const starts = [...unique.values()].filter((e) => e.session === session && e.type === 'session_start').map((e) => e.at);
      const all = [...unique.values()].filter((e) => e.session === session).map((e) => e.at);
      s.started = starts.length > 0 ? Math.min(...starts) : Math.min(...all);
    }
    expect(stored.map((row) => [row.session_id, Number(row.n), Number(row.tools)])).toEqual(
      [...expected.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([id, s]) => [id, s.n, s.tools]),
    );

    const listed = (await (await fetch(`${processes[0]!.url}/api/v1/sessions?limit=200`, { headers: { 'x-api-key': key } })).json()) as {
      data: { total: number; sessions: { id: string; started_at: string; event_count: number; tool_invocations: number }[] };
    };
    expect(listed.data.total).toBe(expected.size);
    const byId = new Map(stored.map((row) => [row.session_id, row]));
    for (const session of listed.data.sessions) {
      const row = byId.get(session.id)!;
      const started = row.first_start === null ? Number(row.first) : Number(row.first_start);
      expect(session).toMatchObject({
        event_count: Number(row.n),
        tool_invocations: Number(row.tools),
        started_at: formatUtc(started),
      });
      expect(started).toBe(expected.get(session.id)!.started);
    }
    // The per-day counts the triggers keep agree with the sessions themselves.
    const days = await sideQuery<{ total: number | string }>(t, 'select sum(sessions) as total from session_days');
    expect(Number(days[0]!.total)).toBe(expected.size);
  }, 120_000);
});
