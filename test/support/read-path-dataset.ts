import { expect } from 'vitest';
import { event, type GraphQLBody, type TestGateway } from './test-gateway.js';

/** The clock every read-path gateway runs on, so inactivity closure is deterministic. */
export const READ_PATH_NOW = Date.parse('2024-03-01T00:00:00Z');

/** A deterministic UUID (version 4 layout) for the n-th fixture session; ids do not sort in n order. */
export function fixtureUuid(n: number): string {
  const head = (Math.imul(n + 1, 2654435761) >>> 0).toString(16).padStart(8, '0');
  return `${head}-0000-4${n.toString(16).padStart(3, '0')}-8000-${(n * 7919).toString(16).padStart(12, '0')}`;
}

export interface FixtureSession {
  id: string;
  startedAt: string;
  endedAt: string | null;
  durationMs: number | null;
  eventCount: number;
  toolInvocations: number;
}

/**
 * A fixed set of sessions in January–February 2024 (relative to READ_PATH_NOW): midnight starts
 * (date-only bounds are inclusive instants), millisecond starts, two sessions sharing an instant
 * (ordered by id), an open one, an inactivity-closed one.
 */
export function readPathEvents(): { events: ReturnType<typeof event>[]; sessions: FixtureSession[] } {
  const events: ReturnType<typeof event>[] = [];
  const sessions: FixtureSession[] = [];
  const iso = (ms: number) => {
    const s = new Date(ms).toISOString();
    return s.endsWith('.000Z') ? `${s.slice(0, -5)}Z` : s;
  };
  const starts: number[] = [];
  for (let n = 0; n < 24; n++) {
    // Spread over 2024-01-10 .. 2024-02-20, some on exact midnights, some with milliseconds.
    const day = Date.parse('2024-01-10T00:00:00Z') + (n * 41 % 42) * 86_400_000;
    const within = n % 4 === 0 ? 0 : ((n * 7_777_777) % 86_400_000) + (n % 3 === 0 ? 123 : 0);
    starts.push(day + within);
  }
  // Two sessions at the very same instant: ordered by id.
  starts.push(starts[5]!);
  starts.push(starts[5]!);
  // A session that started just before "now" and is still open; one closed by inactivity.
  starts.push(READ_PATH_NOW - 3_600_000);
  starts.push(Date.parse('2024-02-25T08:00:00Z'));

  starts.forEach((start, n) => {
    const id = fixtureUuid(n);
    const tools = n % 5;
    events.push(event('session_start', id, iso(start)));
    for (let i = 0; i < tools; i++) {
      events.push(event('tool_use', id, iso(start + (i + 1) * 1000), { data: { tool_name: `Tool${i}` } }));
    }
    let endedAt: number | null = null;
    const isOpen = n === 26;
    const isInactive = n === 27;
    if (isInactive) {
      events.push(event('prompt_submit', id, iso(start + 5000)));
      endedAt = start + 5000;
    } else if (!isOpen) {
      endedAt = start + 60_000 + n * 1_000_003;
      events.push(event('session_end', id, iso(endedAt)));
    }
    const eventCount = 1 + tools + (isOpen ? 0 : 1);
    sessions.push({
      id,
      startedAt: iso(start),
      endedAt: endedAt === null ? null : iso(endedAt),
      durationMs: endedAt === null ? null : endedAt - start,
      eventCount,
      toolInvocations: tools,
    });
  });
  sessions.sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { events, sessions };
}

/** Ingests the fixture through the public REST path and returns the expected sessions, in API order. */
export async function loadReadPathDataset(t: TestGateway, key: string): Promise<FixtureSession[]> {
  const { events, sessions } = readPathEvents();
  const response = await t.post('/api/v1/events', { events }, key);
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({
    data: { accepted: events.length, rejected: 0, duplicates: 0, errors: [] },
  });
  return sessions;
}

export const SESSION_FIELDS = 'id startedAt endedAt durationMs eventCount toolInvocations';

/** The REST session object renamed to GraphQL's field names. */
export function camelSession(rest: Record<string, unknown>): Record<string, unknown> {
  expect(Object.keys(rest).sort()).toEqual(['duration_ms', 'ended_at', 'event_count', 'id', 'started_at', 'tool_invocations']);
  return {
    id: rest['id'],
    startedAt: rest['started_at'],
    endedAt: rest['ended_at'],
    durationMs: rest['duration_ms'],
    eventCount: rest['event_count'],
    toolInvocations: rest['tool_invocations'],
  };
}

/** The single error code of a GraphQL response (asserting there is exactly one error). */
export function onlyErrorCode(body: GraphQLBody): string | undefined {
  expect(body.errors, JSON.stringify(body)).toHaveLength(1);
  return body.errors?.[0]?.extensions?.['code'] as string | undefined;
}
