import { expect } from 'vitest';
import type { Scope } from '../../src/auth/scopes.js';
import { sideQuery } from './side-connection.js';
import type { TestGateway } from './test-gateway.js';

/** The session object, as GET /api/v1/sessions serves it. */
export interface RestSession {
  id: string;
  started_at: string;
  ended_at: string | null;
  duration_ms: number | null;
  event_count: number;
  tool_invocations: number;
}

export interface IngestBody {
  data: {
    accepted: number;
    rejected: number;
    duplicates: number;
    errors: { index: number; field: string; message: string }[];
  };
}

let accountCounter = 0;

/** A slug no other test in this process uses, so each test sees only its own sessions. */
export function freshAccount(prefix = 'ingest'): string {
  accountCounter += 1;
  return `${prefix}-${process.pid}-${accountCounter}`;
}

/**
 * A key for a fresh account (or the given one). Tier `unlimited`, so that a rate limiter never
 * interferes with tests that are about ingestion.
 */
export async function accountKey(
  t: TestGateway,
  options: { account?: string; scopes?: Scope[] } = {},
): Promise<{ account: string; key: string }> {
  const account = options.account ?? freshAccount();
  const key = await t.key({ account, scopes: options.scopes ?? ['read:analytics', 'write:events'], tier: 'unlimited' });
  return { account, key };
}

/** POST /api/v1/events and return status and parsed body. */
export async function ingest(t: TestGateway, key: string, body: unknown): Promise<{ status: number; body: any }> {
  const response = await t.post('/api/v1/events', body, key);
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = text;
  }
  return { status: response.status, body: parsed };
}

/** POST events expecting a 200 with no rejections; returns the `data` object. */
export async function ingestOk(t: TestGateway, key: string, events: unknown[]): Promise<IngestBody['data']> {
  const { status, body } = await ingest(t, key, { events });
  expect(status, JSON.stringify(body)).toBe(200);
  expect((body as IngestBody).data.rejected, JSON.stringify(body)).toBe(0);
  return (body as IngestBody).data;
}

/** Every session of the key's account (GET /api/v1/sessions, paged until done). */
export async function allSessions(t: TestGateway, key: string): Promise<{ total: number; sessions: RestSession[] }> {
  const sessions: RestSession[] = [];
  let total = 0;
  for (let offset = 0; ; offset += 200) {
    const response = await t.get(`/api/v1/sessions?limit=200&offset=${offset}`, key);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { data: { sessions: RestSession[]; total: number } };
    total = body.data.total;
    sessions.push(...body.data.sessions);
    if (body.data.sessions.length === 0 || sessions.length >= total) break;
  }
  return { total, sessions };
}

export async function sessionTotal(t: TestGateway, key: string): Promise<number> {
  const response = await t.get('/api/v1/sessions', key);
  expect(response.status).toBe(200);
  return ((await response.json()) as { data: { total: number } }).data.total;
}

/** The one session with `id`, failing the test when it is absent. */
export async function sessionById(t: TestGateway, key: string, id: string): Promise<RestSession> {
  const { sessions } = await allSessions(t, key);
  const found = sessions.find((s) => s.id === id);
  expect(found, `session ${id} in ${JSON.stringify(sessions)}`).toBeDefined();
  return found!;
}

/** A controllable clock for `startTestGateway({ now })`. */
export function fixedClock(initial: string | number) {
  let current = typeof initial === 'number' ? initial : Date.parse(initial);
  return {
    now: () => current,
    set(value: string | number) {
      current = typeof value === 'number' ? value : Date.parse(value);
    },
  };
}

/** Rows in the gateway's `events` table, read through a connection of its own. */
export async function storedEventRows(t: TestGateway): Promise<number> {
  const [row] = await sideQuery<{ n: number | string }>(t, 'select count(*) as n from events');
  return Number(row?.n);
}
