// Shared by the specs that drive the gateway with real GraphQL and REST clients (test/client-*.test.ts).
import { expect } from 'vitest';
import { ingestAll, uuidFor } from './rest-read-helpers.js';
import { event, type TestGateway } from './test-gateway.js';

/**
 * Seeds `count` sessions through the public REST path, one per minute from 2024-01-01 (session n starts n minutes in;
 * ids ascend with n, so the API's order, startedAt then id, is n order). Returns their ids in that order.
 */
export async function seedSessions(t: TestGateway, key: string, count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, (_, n) => uuidFor(n + 1));
  const start = Date.parse('2024-01-01T00:00:00Z');
  await ingestAll(
    t,
    key,
    ids.map((id, n) => event('session_start', id, new Date(start + n * 60_000).toISOString())),
  );
  return ids;
}

export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly accept: string | null;
  /** The parsed JSON body of a POST, or null (GET, or a body that is not JSON). */
  readonly body: Record<string, any> | null;
  readonly status: number;
}

/**
 * A fetch that records what a client sends and what status it got back, then answers as the real fetch does: a
 * client's link or exchange is given this instead of the global one.
 */
export function recordingFetch(): { fetch: typeof fetch; requests: RecordedRequest[] } {
  const requests: RecordedRequest[] = [];
  const recording = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const text = request.method === 'POST' ? await request.clone().text() : '';
    let body: Record<string, any> | null = null;
    try {
      body = text === '' ? null : (JSON.parse(text) as Record<string, any>);
    } catch {
      body = null;
    }
    const response = await fetch(request);
    requests.push({ method: request.method, url: request.url, accept: request.headers.get('accept'), body, status: response.status });
    return response;
  };
  return { fetch: recording as typeof fetch, requests };
}

/**
 * Resolves once the gateway holds `count` live subscriptions, so that an event ingested next cannot be missed;
 * fails naming the count when that does not happen within `timeoutMs`.
 */
export async function untilSubscribed(t: TestGateway, count = 1, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (t.gateway.feed.size < count && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  expect(t.gateway.feed.size, 'live subscriptions the gateway holds').toBeGreaterThanOrEqual(count);
}
