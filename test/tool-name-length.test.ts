// A tool name is counted (per session, in analytics, in Session.tools) under its first 200 characters (code points),
// the length hook events and imports keep of it: a client may send a name of up to the 64 KiB `data` allows, and the
// counters stay small keys. The event's `data` keeps the name whole, and `trenchcoat verify` counts the same way.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifySessions } from '../src/verify/recompute-sessions.js';
import type { Difference } from '../src/verify/difference.js';
import { uuidFor } from './support/rest-read-helpers.js';
import { event, startTestGateway, type TestGateway } from './support/test-gateway.js';

const NOW = Date.parse('2024-02-01T00:00:00Z');
const COUNTED_CHARS = 200;

let t: TestGateway;
let sessionNumber = 0;

beforeAll(async () => {
  t = await startTestGateway({ now: () => NOW });
});
afterAll(() => t.close());

/** An account of its own per test, so that analytics see only that test's tools. */
async function freshAccount(): Promise<string> {
  return t.key({ account: `tools-${++sessionNumber}` });
}

function firstCodePoints(text: string, n: number): string {
  return [...text].slice(0, n).join('');
}

async function ingest(key: string, sessionId: string, names: readonly string[]): Promise<void> {
  const events = [event('session_start', sessionId, '2024-01-15T10:00:00Z')];
  names.forEach((name, i) => {
    const at = new Date(Date.parse('2024-01-15T10:01:00Z') + i * 1000).toISOString();
    events.push(event('tool_use', sessionId, at, { data: { tool_name: name, tool_use_id: `toolu_${i}` } }));
    events.push(event('tool_result', sessionId, at, { data: { tool_name: name, tool_use_id: `toolu_${i}`, duration_ms: 10, is_error: i % 2 === 0 } }));
  });
  const response = await t.post('/api/v1/events', { events }, key);
  const text = await response.text();
  expect(response.status, text.slice(0, 300)).toBe(200);
  expect(JSON.parse(text).data).toMatchObject({ accepted: events.length, rejected: 0 });
}

async function countedTools(key: string, sessionId: string) {
  const tools = (await (await t.get('/api/v1/analytics/tools?start_date=2024-01-01&limit=50', key)).json()) as {
    data: { tools: { name: string; invocation_count: number; error_rate: number }[] };
  };
  const overview = (await (await t.get('/api/v1/analytics/overview?start_date=2024-01-01', key)).json()) as {
    data: { top_tools: { name: string; invocation_count: number }[] };
  };
  const { body } = await t.graphql(`{ session(id: "${sessionId}") { tools { name count } events(limit: 500) { type data } } }`, {}, key);
  return { tools: tools.data.tools, topTools: overview.data.top_tools, session: body.data!['session'] };
}

async function expectVerifyAgrees(): Promise<void> {
  const found: Difference[] = [];
  await verifySessions(t.gateway.database, { onDifference: (d) => found.push(d) });
  expect(found).toEqual([]);
}

describe('tool names longer than 200 characters', () => {
  it('a 60,000-character name is stored whole in data and counted under its first 200 characters', async () => {
    const key = await freshAccount();
    const sessionId = uuidFor(1);
    const huge = `Tool${'x'.repeat(60_000)}`;
    await ingest(key, sessionId, [huge]);
    const counted = huge.slice(0, COUNTED_CHARS);
    const { tools, topTools, session } = await countedTools(key, sessionId);
    expect(tools.map((tool) => [tool.name, tool.invocation_count])).toEqual([[counted, 1]]);
    expect(topTools).toEqual([{ name: counted, invocation_count: 1 }]);
    expect(session.tools).toEqual([{ name: counted, count: 1 }]);
    const stored = session.events.filter((e: { type: string }) => e.type === 'tool_use');
    expect(stored.map((e: { data: { tool_name: string } }) => e.data.tool_name)).toEqual([huge]);
    await expectVerifyAgrees();
  });

  it('a long name that does not compress is stored too (as a counter key, PostgreSQL refused it with a 500)', async () => {
    const key = await freshAccount();
    const sessionId = uuidFor(4);
    let seed = 7;
    const letters = Array.from({ length: 20_000 }, () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return String.fromCharCode(33 + (seed % 94));
    });
    const name = letters.join('');
    await ingest(key, sessionId, [name]);
    const { session } = await countedTools(key, sessionId);
    expect(session.tools).toEqual([{ name: name.slice(0, COUNTED_CHARS), count: 1 }]);
    await expectVerifyAgrees();
  });

  it('names that differ only after 200 characters are one tool; a name of exactly 200 is kept whole', async () => {
    const key = await freshAccount();
    const sessionId = uuidFor(2);
    const stem = 'M'.repeat(COUNTED_CHARS);
    await ingest(key, sessionId, [`${stem}-one`, `${stem}-two`, stem, 'Read']);
    const { tools, session } = await countedTools(key, sessionId);
    expect(tools.map((tool) => [tool.name, tool.invocation_count, tool.error_rate])).toEqual([[stem, 3, 2 / 3], ['Read', 1, 0]]);
    expect(session.tools).toEqual([{ name: stem, count: 3 }, { name: 'Read', count: 1 }]);
    await expectVerifyAgrees();
  });

  it('characters are code points: a name of emoji is cut between characters, never inside one', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom('a', 'é', '😀', '𝔘', '中', 'e\u0301'), { minLength: 190, maxLength: 260 }).map((parts) => parts.join('')),
        async (name) => {
          const key = await freshAccount();
          const sessionId = uuidFor(3);
          await ingest(key, sessionId, [name]);
          const { session } = await countedTools(key, sessionId);
          expect(session.tools).toEqual([{ name: firstCodePoints(name, COUNTED_CHARS), count: 1 }]);
          expect(session.tools[0].name).not.toMatch(/[\ud800-\udbff]$/);
        },
      ),
      { numRuns: 8 },
    );
    await expectVerifyAgrees();
  });
});
