// `trenchcoat demo` and `trenchcoat seed` generate sessions over the days before now: no generated event is after now
// (a session drawn late in the span is moved back whole), the latest two sessions are still open and the others ended.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeDemoData } from '../src/cli/demo-command.js';
import { demoSessions } from '../src/demo/demo-events.js';
import { startTestGateway, type TestGateway } from './support/test-gateway.js';

const DAY_MS = 86_400_000;

describe('generated sessions (seed)', () => {
  it('for any now, count and span: every event at or before now, in order; the last two open, the others ended', () => {
    const nowArb = fc.integer({ min: Date.parse('2000-01-01T00:00:00Z'), max: Date.parse('2090-01-01T00:00:00Z') });
    fc.assert(
      fc.property(nowArb, fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 60 }), (now, count, spanDays) => {
        const sessions = [...demoSessions(now, count, { tag: 'timing', spanDays })];
        expect(sessions).toHaveLength(count);
        sessions.forEach((events, s) => {
          const times = events.map((e) => Date.parse(e.timestamp));
          expect(Math.max(...times), `session ${s} of ${count} over ${spanDays} days`).toBeLessThanOrEqual(now);
          expect(times).toEqual([...times].sort((a, b) => a - b));
          expect(events[0]!.event_type).toBe('session_start');
          const open = s >= count - 2;
          expect(events.some((e) => e.event_type === 'session_end'), `session ${s} of ${count}`).toBe(!open);
          if (open) expect(Math.max(...times)).toBeGreaterThan(now - DAY_MS);
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
    expect(await storeDemoData(t.gateway, NOW)).toBeGreaterThan(0);
    const { status, body } = await t.graphql(
      '{ sessions(limit: 50, startDate: "2000-01-01") { total nodes { id startedAt endedAt eventCount events(limit: 100) { timestamp } } } }',
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
