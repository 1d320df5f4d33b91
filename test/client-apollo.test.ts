// Apollo Client 4 (core, no React) against the gateway (issue 16, item 9): relayStylePagination() on Query.sessions
// walks every page with fetchMore, and the persisted-query link's protocol (APQ) round trip works. What the client
// sends is observed through a fetch that records each request.
import { createHash } from 'node:crypto';
import { ApolloClient, ApolloLink, gql, HttpLink, InMemoryCache, type TypedDocumentNode } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { relayStylePagination } from '@apollo/client/utilities';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { recordingFetch, seedSessions, untilSubscribed, type RecordedRequest } from './support/client-support.js';
import { ingestAll, uuidFor } from './support/rest-read-helpers.js';
import { event, startTestGateway, type TestGateway } from './support/test-gateway.js';

const SEEDED = 95;
const PAGE_SIZE = 20;

interface SessionsPage {
  sessions: {
    total: number;
    edges: { cursor: string; node: { id: string; startedAt: string } }[];
    pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  };
}

const SESSIONS_PAGE: TypedDocumentNode<SessionsPage, { first: number; after?: string | null; orderBy?: string }> = gql`
  query SessionsPage($first: Int!, $after: String, $orderBy: SessionOrder) {
    sessions(first: $first, after: $after, orderBy: $orderBy) {
      total
      edges {
        cursor
        node {
          id
          startedAt
        }
      }
      pageInfo {
        hasNextPage
        hasPreviousPage
        startCursor
        endCursor
      }
    }
  }
`;

interface Recent {
  sessions: { total: number; nodes: { id: string }[] };
}

/** The newest sessions; a distinct operation name makes a document the gateway has not stored yet. */
const recent = (name: string): TypedDocumentNode<Recent, { limit: number }> =>
  gql(`query ${name}($limit: Int!) { sessions(limit: $limit, orderBy: STARTED_AT_DESC) { total nodes { id } } }`);

interface Watched {
  sessionUpdated: { id: string; eventCount: number; toolInvocations: number };
}

const WATCH: TypedDocumentNode<Watched, { id: string }> = gql`
  subscription Watch($id: ID) {
    sessionUpdated(sessionId: $id) {
      id
      eventCount
      toolInvocations
    }
  }
`;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('Apollo Client', () => {
  let t: TestGateway;
  let key: string;
  let ids: string[];

  beforeAll(async () => {
    t = await startTestGateway();
    key = await t.key({ account: 'apollo' });
    ids = await seedSessions(t, key, SEEDED);
  });
  afterAll(() => t?.close());

  /** A client as a dashboard builds one: its own cache, the key in a header, `link` in front of the HTTP link. */
  function apollo(options: { link?: ApolloLink; useGETForQueries?: boolean; apiKey?: string } = {}) {
    const recorder = recordingFetch();
    const headers = { 'X-API-Key': options.apiKey ?? key };
    const http = new HttpLink({ uri: `${t.url}/graphql`, fetch: recorder.fetch, headers, useGETForQueries: options.useGETForQueries });
    const client = new ApolloClient({
      link: options.link ? options.link.concat(http) : http,
      cache: new InMemoryCache({ typePolicies: { Query: { fields: { sessions: relayStylePagination(['orderBy']) } } } }),
    });
    return { client, requests: recorder.requests };
  }

  /** Watches the first page, then fetches more from each endCursor until there is no next page; returns the merged field. */
  async function walk(
    orderBy: 'STARTED_AT_ASC' | 'STARTED_AT_DESC',
    options: { apiKey?: string; betweenPages?: (page: number) => Promise<void> } = {},
  ) {
    const { client, requests } = apollo({ apiKey: options.apiKey });
    const watched = client.watchQuery({ query: SESSIONS_PAGE, variables: { first: PAGE_SIZE, orderBy } });
    let subscription: { unsubscribe(): void } | undefined;
    const firstPage = new Promise<SessionsPage>((resolve, reject) => {
      subscription = watched.subscribe({
        next: (result) => {
          if (!result.loading && result.data) resolve(result.data as SessionsPage);
        },
        error: reject,
      });
    });
    try {
      let merged = (await firstPage).sessions;
      for (let page = 1; merged.pageInfo.hasNextPage && page < 50; page++) {
        await options.betweenPages?.(page);
        await watched.fetchMore({ variables: { after: merged.pageInfo.endCursor } });
        // The watched result catches up a moment later; the cache holds the merged pages at once.
        merged = client.readQuery({ query: SESSIONS_PAGE, variables: { first: PAGE_SIZE, orderBy } })!.sessions;
      }
      return { merged, requests };
    } finally {
      subscription?.unsubscribe();
      client.stop();
    }
  }

  describe('relayStylePagination() with fetchMore', () => {
    it('reaches every session once, oldest first, in ceil(total / first) pages', async () => {
      const { merged, requests } = await walk('STARTED_AT_ASC');
      expect(merged.edges.map((edge) => edge.node.id)).toEqual(ids);
      expect(merged.total).toBe(SEEDED);
      expect(merged.pageInfo.hasNextPage).toBe(false);
      // One request per page, each after the previous page's endCursor.
      expect(requests.length).toBe(Math.ceil(SEEDED / PAGE_SIZE));
      expect(requests[0]!.body?.['variables']?.after).toBeUndefined();
      const pageEnds = merged.edges.filter((_, n) => (n + 1) % PAGE_SIZE === 0).map((edge) => edge.cursor);
      expect(requests.slice(1).map((request) => request.body?.['variables']?.after)).toEqual(pageEnds);
      expect(requests.every((request) => request.status === 200)).toBe(true);
    });

    it('reaches every session once, newest first (orderBy: STARTED_AT_DESC)', async () => {
      const { merged } = await walk('STARTED_AT_DESC');
      expect(merged.edges.map((edge) => edge.node.id)).toEqual([...ids].reverse());
      expect(new Set(merged.edges.map((edge) => edge.cursor)).size).toBe(SEEDED);
    });
  });

  describe('relayStylePagination() while late sessions arrive', () => {
    it('returns every session that existed when paging began exactly once, newest first', async () => {
      const writer = await t.key({ account: 'apollo-late' });
      const existing = await seedSessions(t, writer, 3 * PAGE_SIZE + 5);
      // Between pages, late deliveries: a session back-dated into the pages already seen (offset paging would then
      // repeat a row) and one into the pages still to come. Session n started n minutes in; late ones 30 s after one.
      const start = Date.parse('2024-01-01T00:00:00Z');
      const lateInto = (n: number, id: string) => event('session_start', id, new Date(start + n * 60_000 + 30_000).toISOString());
      const { merged } = await walk('STARTED_AT_DESC', {
        apiKey: writer,
        betweenPages: async (page) => {
          const boundary = existing.length - page * PAGE_SIZE;
          await ingestAll(t, writer, [lateInto(boundary + 2, uuidFor(0x10000 + 2 * page)), lateInto(boundary - 3, uuidFor(0x10001 + 2 * page))]);
        },
      });
      const walked = merged.edges.map((edge) => edge.node.id);
      expect(new Set(walked).size, 'no session twice').toBe(walked.length);
      expect(walked.filter((id) => existing.includes(id))).toEqual([...existing].reverse());
      // The late ones did arrive mid-walk: those back-dated into the pages still to come were met on the way.
      expect(walked.length).toBe(existing.length + Math.ceil(existing.length / PAGE_SIZE) - 1);
    });
  });

  describe('GraphQLWsLink (subscriptions over graphql-ws)', () => {
    it('receives sessionUpdated when an event is ingested over REST', async () => {
      const socket = createClient({
        url: `${t.url.replace(/^http/, 'ws')}/graphql`,
        webSocketImpl: WebSocket,
        connectionParams: { 'x-api-key': key },
        retryAttempts: 0,
      });
      const client = new ApolloClient({ link: new GraphQLWsLink(socket), cache: new InMemoryCache() });
      const id = ids[0]!;
      const seen: unknown[] = [];
      let counted: () => void = () => undefined;
      const toolCounted = new Promise<void>((resolve) => (counted = resolve));
      const subscription = client.subscribe({ query: WATCH, variables: { id } }).subscribe({
        next: (result) => {
          seen.push(result);
          if (result.error || result.data?.sessionUpdated.toolInvocations === 1) counted();
        },
        error: (error: unknown) => {
          seen.push(error);
          counted();
        },
      });
      try {
        await untilSubscribed(t);
        await ingestAll(t, key, [event('tool_use', id, '2024-01-01T00:00:30Z', { data: { tool_name: 'Glob' } })]);
        await toolCounted;
        expect(seen.at(-1)).toMatchObject({ data: { sessionUpdated: { id, eventCount: 2, toolInvocations: 1 } } });
      } finally {
        subscription.unsubscribe();
        client.stop();
        await socket.dispose();
      }
    });
  });

  describe('PersistedQueryLink (automatic persisted queries)', () => {
    const persisted = (options: { useGETForHashedQueries?: boolean } = {}) => new PersistedQueryLink({ sha256, ...options });
    const hashOf = (request: RecordedRequest): unknown => request.body?.['extensions']?.persistedQuery?.sha256Hash;

    it('registers a document on first use: the hash alone, then the hash with the document', async () => {
      const { client, requests } = apollo({ link: persisted() });
      const result = await client.query({ query: recent('RegisteredOnFirstUse'), variables: { limit: 3 }, fetchPolicy: 'network-only' });
      expect(result.data?.sessions.nodes.map((node) => node.id)).toEqual(ids.slice(-3).reverse());
      expect(requests).toHaveLength(2);
      const [hashOnly, withDocument] = requests as [RecordedRequest, RecordedRequest];
      expect(hashOnly.body?.['query']).toBeUndefined();
      expect(hashOnly.body?.['extensions']?.persistedQuery).toEqual({ version: 1, sha256Hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
      expect(typeof withDocument.body?.['query']).toBe('string');
      expect(hashOf(withDocument)).toBe(sha256(withDocument.body!['query'] as string));
      expect(hashOf(withDocument)).toBe(hashOf(hashOnly));
      expect(withDocument.status).toBe(200);
    });

    it('sends only the hash once the gateway holds the document, from any client', async () => {
      const query = recent('RunByHash');
      const first = apollo({ link: persisted() });
      await first.client.query({ query, variables: { limit: 4 }, fetchPolicy: 'network-only' });
      const again = await first.client.query({ query, variables: { limit: 5 }, fetchPolicy: 'network-only' });
      expect(again.data?.sessions.nodes.map((node) => node.id)).toEqual(ids.slice(-5).reverse());
      // A client that never sent the document (a fresh page load) runs it by its hash alone.
      const other = apollo({ link: persisted() });
      const fresh = await other.client.query({ query, variables: { limit: 2 }, fetchPolicy: 'network-only' });
      expect(fresh.data?.sessions.total).toBe(SEEDED);
      expect(fresh.data?.sessions.nodes.map((node) => node.id)).toEqual(ids.slice(-2).reverse());
      for (const requests of [first.requests.slice(2), other.requests]) {
        expect(requests).toHaveLength(1);
        expect(requests[0]!.status).toBe(200);
        expect(requests[0]!.body?.['query']).toBeUndefined();
        expect(hashOf(requests[0]!)).toBe(hashOf(first.requests[1]!));
      }
    });

    it('runs a registered document by hash over GET (useGETForHashedQueries)', async () => {
      const query = recent('RunByHashOverGet');
      const register = apollo({ link: persisted() });
      await register.client.query({ query, variables: { limit: 1 }, fetchPolicy: 'network-only' });
      const { client, requests } = apollo({ link: persisted({ useGETForHashedQueries: true }) });
      const result = await client.query({ query, variables: { limit: 1 }, fetchPolicy: 'network-only' });
      expect(result.data?.sessions.nodes.map((node) => node.id)).toEqual(ids.slice(-1));
      expect(requests.map((request) => request.method)).toEqual(['GET']);
      const url = new URL(requests[0]!.url);
      expect(url.searchParams.has('query')).toBe(false);
      expect(JSON.parse(url.searchParams.get('extensions')!).persistedQuery).toEqual({ version: 1, sha256Hash: hashOf(register.requests[1]!) });
      expect(requests[0]!.status).toBe(200);
    });
  });
});
