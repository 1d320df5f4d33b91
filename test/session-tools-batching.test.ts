// No N+1 behind Session.tools and Session.events: a page of sessions asking for them runs the
// same, bounded number of SQL statements whatever the page size. Statements are counted on the
// running gateway's database (Database.onStatement).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './support/test-gateway.js';

const NOW = Date.parse('2024-06-01T00:00:00Z');
const SESSIONS = 200;
const TOOLS = ['Bash', 'Edit', 'Read'];

let t: TestGateway;
let key: string;

const idFor = (i: number) => `f0000000-0000-4000-8000-${String(i).padStart(12, '0')}`;

beforeAll(async () => {
  t = await startTestGateway({ now: () => NOW });
  key = await t.key({ account: 'batching', scopes: ['read:analytics', 'write:events'], tier: 'unlimited' });
  // Session i: a start, then tool k used (i + k) % 3 + 1 times.
  const events: unknown[] = [];
  for (let i = 0; i < SESSIONS; i++) {
    const start = Date.parse('2024-05-01T00:00:00Z') + i * 60_000;
    events.push({ event_type: 'session_start', session_id: idFor(i), timestamp: new Date(start).toISOString() });
    TOOLS.forEach((tool, k) => {
      for (let n = 0; n < ((i + k) % 3) + 1; n++) {
        events.push({
          event_type: 'tool_use', session_id: idFor(i),
          timestamp: new Date(start + 1000 * (k * 3 + n + 1)).toISOString(), data: { tool_name: tool },
        });
      }
    });
  }
  for (let i = 0; i < events.length; i += 1000) {
    const response = await t.post('/api/v1/events', { events: events.slice(i, i + 1000) }, key);
    expect(response.status).toBe(200);
  }
  // The key's first use writes last_used_at; later requests do not. Measure after it.
  await t.graphql('{ sessions(limit: 1) { total } }', {}, key);
});
afterAll(() => t.close());

/** Runs a query and returns its body and the SQL statements it ran. */
async function measured(query: string) {
  const statements: string[] = [];
  // The live-update relay's NOTIFY (PostgreSQL) may land in the window; it is not the query's work.
  const stop = t.gateway.database.onStatement((sql) => {
    if (!/pg_notify/.test(sql)) statements.push(sql);
  });
  try {
    const { body } = await t.graphql(query, {}, key);
    expect(body.errors).toBeUndefined();
    return { body, statements };
  } finally {
    stop();
  }
}

const page = (limit: number, fields: string) => `{ sessions(limit: ${limit}) { nodes { id ${fields} } } }`;

function expectedTools(i: number) {
  return TOOLS.map((name, k) => ({ name, count: ((i + k) % 3) + 1 }))
    .sort((x, y) => y.count - x.count || (x.name < y.name ? -1 : 1));
}

describe('Session.tools and Session.events batching', () => {
  it('answers a page of 200 sessions asking for tools with one statement for all their tools', async () => {
    const plain = await measured(page(SESSIONS, ''));
    const withTools = await measured(page(SESSIONS, 'tools { name count }'));
    const nodes = withTools.body.data?.['sessions'].nodes as { id: string; tools: unknown }[];
    expect(nodes).toHaveLength(SESSIONS);
    nodes.forEach((node, i) => {
      expect(node.id).toBe(idFor(i));
      expect(node.tools).toEqual(expectedTools(i));
    });
    expect(withTools.statements.filter((s) => /session_tools/.test(s))).toHaveLength(1);
    expect(withTools.statements.length).toBe(plain.statements.length + 1);
  });

  it('runs the same number of statements for 50 and 200 sessions, with tools and events', async () => {
    const fields = 'tools { name count } events(limit: 3) { type timestamp } edges: events(limit: 2, offset: 1) { type }';
    const small = await measured(page(50, fields));
    const large = await measured(page(SESSIONS, fields));
    const plain = await measured(page(SESSIONS, ''));
    expect(large.body.data?.['sessions'].nodes).toHaveLength(SESSIONS);
    expect(small.statements.length).toBe(large.statements.length);
    // One statement for the tools, one per distinct (limit, offset) of events.
    expect(large.statements.length).toBe(plain.statements.length + 3);
    expect(large.statements.length).toBeLessThanOrEqual(8);
    const node = large.body.data?.['sessions'].nodes[7];
    expect(node.events.map((x: { type: string }) => x.type)).toEqual(['session_start', 'tool_use', 'tool_use']);
    expect(node.edges).toHaveLength(2);
  });

  it('fetches the tools of a session asked for twice (nodes and edges) once', async () => {
    const { body, statements } = await measured(
      `{ sessions(limit: ${SESSIONS}) { nodes { tools { name } } edges { node { tools { name count } } } } }`,
    );
    expect(statements.filter((s) => /session_tools/.test(s))).toHaveLength(1);
    expect(body.data?.['sessions'].edges[5].node.tools).toEqual(expectedTools(5));
  });
});
