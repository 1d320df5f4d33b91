// urql (@urql/core 6, no framework binding) against the gateway (issue 16, item 9): queries as it sends them by
// default (GET within the URL limit, its broad Accept header), a mutation over POST, errors as CombinedError, and a
// subscription through its fetch exchange over SSE (fetchSubscriptions).
import { cacheExchange, Client, fetchExchange, gql } from '@urql/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordingFetch, seedSessions, untilSubscribed } from './support/client-support.js';
import { ingestAll } from './support/rest-read-helpers.js';
import { event, startTestGateway, type TestGateway } from './support/test-gateway.js';

const NEWEST = gql`
  query Newest($limit: Int!) {
    sessions(limit: $limit, orderBy: STARTED_AT_DESC) {
      total
      nodes {
        id
        eventCount
      }
    }
  }
`;

const INGEST = gql`
  mutation Ingest($events: [EventInput!]!) {
    ingestEvents(events: $events) {
      accepted
      rejected
    }
  }
`;

const WATCH = gql`
  subscription Watch($id: ID) {
    sessionUpdated(sessionId: $id) {
      id
      eventCount
      toolInvocations
    }
  }
`;

interface Newest {
  sessions: { total: number; nodes: { id: string; eventCount: number }[] };
}

describe('urql', () => {
  let t: TestGateway;
  let key: string;
  let ids: string[];

  beforeAll(async () => {
    t = await startTestGateway();
    key = await t.key({ account: 'urql' });
    ids = await seedSessions(t, key, 12);
  });
  afterAll(() => t?.close());

  /** A client with urql's defaults (document cache, fetch exchange), the key in a header, subscriptions over fetch. */
  function urql(apiKey: string | null = key) {
    const recorder = recordingFetch();
    const client = new Client({
      url: `${t.url}/graphql`,
      exchanges: [cacheExchange, fetchExchange],
      fetch: recorder.fetch,
      fetchOptions: { headers: apiKey === null ? {} : { 'X-API-Key': apiKey } },
      fetchSubscriptions: true,
    });
    return { client, requests: recorder.requests };
  }

  it('runs a query sent as GET with urql’s Accept header', async () => {
    const { client, requests } = urql();
    const result = await client.query<Newest>(NEWEST, { limit: 3 }).toPromise();
    expect(result.error).toBeUndefined();
    expect(result.data?.sessions.total).toBe(12);
    expect(result.data?.sessions.nodes.map((node) => node.id)).toEqual(ids.slice(-3).reverse());
    expect(requests.map((request) => [request.method, request.status])).toEqual([['GET', 200]]);
    // It accepts streams too; a query still gets one JSON answer.
    expect(requests[0]!.accept).toContain('text/event-stream');
  });

  it('runs a mutation over POST, and a network-only query then sees what it stored', async () => {
    const writer = await t.key({ account: 'urql-writer' });
    const { client, requests } = urql(writer);
    const sessionId = 'a7e1c2d3-4b5a-4c6d-8e7f-901234567890';
    const before = await client.query<Newest>(NEWEST, { limit: 5 }).toPromise();
    expect(before.data?.sessions.total).toBe(0);
    const ingested = await client
      .mutation(INGEST, { events: [{ eventType: 'session_start', sessionId, timestamp: '2024-04-01T08:00:00Z' }] })
      .toPromise();
    expect(ingested.error).toBeUndefined();
    expect(ingested.data).toEqual({ ingestEvents: { accepted: 1, rejected: 0, __typename: 'IngestEventsPayload' } });
    const after = await client.query<Newest>(NEWEST, { limit: 5 }, { requestPolicy: 'network-only' }).toPromise();
    expect(after.data?.sessions.nodes).toEqual([{ id: sessionId, eventCount: 1, __typename: 'Session' }]);
    expect(requests.map((request) => request.method)).toEqual(['GET', 'POST', 'GET']);
  });

  it('hands a field error over as a CombinedError with its code', async () => {
    const { client } = urql();
    const result = await client.query<Newest>(NEWEST, { limit: 0 }).toPromise();
    expect(result.data?.sessions ?? null).toBeNull();
    expect(result.error?.graphQLErrors.map((error) => error.extensions['code'])).toEqual(['VALIDATION_ERROR']);
  });

  it('hands a missing key over as a CombinedError: UNAUTHENTICATED', async () => {
    const { client } = urql(null);
    const result = await client.query<Newest>(NEWEST, { limit: 1 }).toPromise();
    expect(result.error?.graphQLErrors.map((error) => error.extensions['code'])).toEqual(['UNAUTHENTICATED']);
  });

  it('receives sessionUpdated over SSE through the fetch exchange when an event is ingested over REST', async () => {
    const { client, requests } = urql();
    const id = ids[0]!;
    const results: { error?: unknown; data?: any }[] = [];
    let counted: () => void = () => undefined;
    const toolCounted = new Promise<void>((resolve) => (counted = resolve));
    const subscription = client.subscription(WATCH, { id }).subscribe((result) => {
      results.push(result);
      if (result.error || result.data?.sessionUpdated?.toolInvocations === 1) counted();
    });
    try {
      await untilSubscribed(t);
      await ingestAll(t, key, [event('tool_use', id, '2024-01-01T00:00:30Z', { data: { tool_name: 'Grep' } })]);
      await toolCounted;
      expect(results.map((result) => result.error)).toEqual(results.map(() => undefined));
      expect(results.at(-1)?.data?.sessionUpdated).toMatchObject({ id, eventCount: 2, toolInvocations: 1 });
      expect(requests.map((request) => [request.method, request.status])).toEqual([['POST', 200]]);
    } finally {
      subscription.unsubscribe();
    }
  });
});
