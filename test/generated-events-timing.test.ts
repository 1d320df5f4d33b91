// `trenchcoat demo` and `trenchcoat seed` generate sessions over the days before now: no generated event, model
// request or failed request is after now (a session drawn late in the span is moved back whole),
// the latest two sessions are still open and the others ended; subagents run inside their Task call and compactions
// fall between an answer and the next prompt.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeDemoData } from '../src/cli/demo-command.js';
import { demoSessions, type DemoSession } from '../src/demo/demo-events.js';
import { TEST_ENGINE } from './support/test-database.js';
import { startTestGateway, type TestGateway } from './support/test-gateway.js';

const DAY_MS = 86_400_000;

/** Every instant of a session's usage: its requests' and its failed requests'. */
function usageInstants(session: DemoSession): number[] {
  return [...session.usage.modelRequests.map((r) => r.ts), ...session.usage.errors.map((e) => e.ts)];
}

/** Counter points cover an interval between two of the session's events, named by their ids (not by instants, which move with now). */
function expectCounterIntervals(session: DemoSession, what: string): void {
  const position = new Map(session.events.map((e, i) => [e.event_id, i]));
  for (const point of session.usage.metricPoints) {
    const [kind, from, to, ...rest] = point.pointKey.split(':');
    expect({ kind, rest }, what).toEqual({ kind: 'd', rest: [] });
    expect(position.get(from!), `${what}: ${point.pointKey}`).toBeLessThan(position.get(to!)!);
  }
}

/** Tool calls pair up, each subagent starts and stops inside one Task call, each compaction follows an answer. */
function expectWellFormed(session: DemoSession, what: string): void {
  const { events } = session;
  expect(new Set(events.map((e) => e.event_id)).size, what).toBe(events.length);
  const openTools = new Map<string, unknown>();
  let task: string | null = null;
  let agent: unknown = null;
  events.forEach((e, i) => {
    const data = e.data ?? {};
    switch (e.event_type) {
      case 'tool_use':
        expect(openTools.size, what).toBe(0);
        openTools.set(String(data['tool_use_id']), data['tool_name']);
        if (data['tool_name'] === 'Task') task = String(data['tool_use_id']);
        break;
      case 'tool_result':
        expect(openTools.get(String(data['tool_use_id'])), what).toBe(data['tool_name']);
        openTools.delete(String(data['tool_use_id']));
        expect(agent, what).toBeNull();
        task = null;
        break;
      case 'subagent_start':
        expect(task, `${what}: a subagent outside a Task call`).not.toBeNull();
        expect(agent, what).toBeNull();
        agent = data['agent_id'];
        break;
      case 'subagent_stop':
        expect(data['agent_id'], what).toBe(agent);
        agent = null;
        break;
      case 'pre_compact':
        expect(events[i - 1]?.event_type, what).toBe('assistant_stop');
        expect(events[i + 1]?.event_type, what).toBe('prompt_submit');
        break;
    }
  });
  expect(openTools.size, what).toBe(0);
}

// Pure generation, no database: one engine's run is enough.
describe.runIf(TEST_ENGINE === 'sqlite')('generated sessions (seed)', () => {
  it('for any now, count and span: every event at or before now, in order; the last two open, the others ended', () => {
    const nowArb = fc.integer({ min: Date.parse('2000-01-01T00:00:00Z'), max: Date.parse('2090-01-01T00:00:00Z') });
    fc.assert(
      fc.property(nowArb, fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 60 }), (now, count, spanDays) => {
        const sessions = [...demoSessions(now, count, { tag: 'timing', spanDays })];
        expect(sessions).toHaveLength(count);
        sessions.forEach((session, s) => {
          const { events } = session;
          const what = `session ${s} of ${count} over ${spanDays} days`;
          const times = events.map((e) => Date.parse(e.timestamp));
          expect(Math.max(...times), what).toBeLessThanOrEqual(now);
          expect(times).toEqual([...times].sort((a, b) => a - b));
          expect(events[0]!.event_type).toBe('session_start');
          expect(events.every((e) => e.session_id === session.sessionId)).toBe(true);
          const open = s >= count - 2;
          expect(events.some((e) => e.event_type === 'session_end'), what).toBe(!open);
          if (open) expect(Math.max(...times)).toBeGreaterThan(now - DAY_MS);
          // Usage happens while the session runs: after its start, and not after its last event.
          for (const at of usageInstants(session)) {
            expect(at, what).toBeGreaterThan(times[0]!);
            expect(at, what).toBeLessThanOrEqual(times.at(-1)!);
          }
          expectWellFormed(session, what);
          expectCounterIntervals(session, what);
        });
      }),
      { numRuns: 60 },
    );
  });
});

describe('demo data, stored', () => {
  const NOW = Date.parse('2024-06-01T12:00:00Z');
  let t: TestGateway;
  let key: string;
  beforeAll(async () => {
    t = await startTestGateway({ now: () => NOW });
    key = await t.key({ account: 'demo', scopes: ['read:analytics'] });
  });
  afterAll(() => t.close());

  it('holds no event after now, and its latest two sessions are open', async () => {
    expect((await storeDemoData(t.gateway, NOW)).stored).toBeGreaterThan(0);
    const { status, body } = await t.graphql(
      '{ sessions(limit: 50, startDate: "2000-01-01") { total nodes { id startedAt endedAt eventCount events(limit: 500) { timestamp } } } }',
      {},
      key,
    );
    expect(status).toBe(200);
    const nodes = body.data!['sessions'].nodes as { startedAt: string; endedAt: string | null; eventCount: number; events: { timestamp: string }[] }[];
    expect(nodes.length).toBe(body.data!['sessions'].total);
    expect(nodes.length).toBeGreaterThan(2);
    for (const node of nodes) expect(node.events).toHaveLength(node.eventCount);
    const latest = Math.max(...nodes.flatMap((n) => n.events.map((e) => Date.parse(e.timestamp))));
    expect(latest).toBeLessThanOrEqual(NOW);
    expect(nodes.map((n) => n.endedAt === null)).toEqual(nodes.map((_n, i) => i >= nodes.length - 2));
  });
});
