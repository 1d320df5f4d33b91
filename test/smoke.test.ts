import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { event, SESSION_A, startTestGateway, type TestGateway } from './support/test-gateway.js';

describe('gateway smoke', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway();
  });
  afterAll(() => t.close());

  it('ingests over REST and reads back over REST and GraphQL', async () => {
    const key = await t.key();
    const ingest = await t.post('/api/v1/events', {
      events: [
        event('session_start', SESSION_A, '2024-01-15T10:30:00Z'),
        event('tool_use', SESSION_A, '2024-01-15T10:31:00Z', { data: { tool_name: 'Read' } }),
        event('session_end', SESSION_A, '2024-01-15T11:45:23Z'),
      ],
    }, key);
    expect(ingest.status).toBe(200);
    expect(await ingest.json()).toEqual({ data: { accepted: 3, rejected: 0, duplicates: 0, errors: [] } });

    const rest = await t.get('/api/v1/sessions', key);
    expect(await rest.json()).toEqual({
      data: {
        sessions: [{
          id: SESSION_A, started_at: '2024-01-15T10:30:00Z', ended_at: '2024-01-15T11:45:23Z',
          duration_ms: 4523000, event_count: 3, tool_invocations: 1,
        }],
        total: 1, limit: 50, offset: 0,
      },
    });
    const gql = await t.graphql('{ sessions { total nodes { id durationMs } } }', {}, key);
    expect(gql.body).toEqual({ data: { sessions: { total: 1, nodes: [{ id: SESSION_A, durationMs: 4523000 }] } } });
  });
});
