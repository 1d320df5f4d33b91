// Typed clients (issue 16, item 8): types generated as a user would generate them (GraphQL Code Generator from
// schema.graphql with strictScalars and the README's scalar map; openapi-typescript from /api/v1/openapi.json),
// a small client using them type-checked by the TypeScript compiler, then run against a real gateway, whose
// answers must have the types the client was checked against.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { codegen } from '@graphql-codegen/core';
import * as typescriptPlugin from '@graphql-codegen/typescript';
import * as typescriptOperationsPlugin from '@graphql-codegen/typescript-operations';
import { buildSchema, parse } from 'graphql';
import openapiTS, { astToString } from 'openapi-typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCHEMA_FILE } from '../src/graphql/print-schema.js';
import { ingestAll, unlimitedKey } from './support/rest-read-helpers.js';
import { event, startTestGateway, type TestGateway } from './support/test-gateway.js';
import { transpileProject, typecheck, writeClientProject } from './support/typecheck.js';

// The map the README gives (DateTime and SafeInt as the scalar descriptions say they travel in JSON).
const SCALARS = { DateTime: 'string', Date: 'string', SafeInt: 'number', JSONObject: 'Record<string, unknown>' };

const NOW = Date.parse('2024-03-02T11:00:00Z');
const SESSION = 'c0de0000-0000-4000-8000-000000000001';
const OTHER_SESSION = 'c0de0000-0000-4000-8000-000000000002';

const DOCUMENTS = {
  latestSessions: `query LatestSessions($limit: Int!, $startDate: DateTime) {
  sessions(limit: $limit, startDate: $startDate, orderBy: STARTED_AT_DESC) {
    total
    nodes { id startedAt endedAt durationMs eventCount toolInvocations }
    pageInfo { hasNextPage endCursor }
  }
}`,
  sessionTimeline: `query SessionTimeline($id: ID!) {
  session(id: $id) {
    id startedAt durationMs
    events(limit: 10) { type timestamp data }
    tools { name count }
  }
}`,
  toolAnalytics: `query ToolAnalytics($startDate: DateTime!, $endDate: DateTime!) {
  analytics(startDate: $startDate, endDate: $endDate) {
    overview { totalSessions totalEvents totalToolInvocations activeDays topTools { name invocationCount } }
    tools(limit: 5) { name invocationCount avgDurationMs errorRate }
  }
}`,
};

// `Exactly` is false for `any` and `unknown` against a concrete type, so each check fails when a scalar is untyped.
const EXACTLY = `type Exactly<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
function exactly<A, B>(proof: Exactly<A, B>): void {
  void proof;
}
`;

const GRAPHQL_CLIENT = `/** A GraphQL document with the result and variables types generated for it. */
export interface TypedQuery<TResult, TVariables> {
  readonly source: string;
  /** Never set: it carries the types. */
  readonly types?: { result: TResult; variables: TVariables };
}

export function typedQuery<TResult, TVariables>(source: string): TypedQuery<TResult, TVariables> {
  return { source };
}

export async function runQuery<TResult, TVariables>(
  endpoint: string,
  key: string,
  query: TypedQuery<TResult, TVariables>,
  variables: TVariables,
): Promise<TResult> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', 'x-api-key': key },
    body: JSON.stringify({ query: query.source, variables }),
  });
  const body = (await response.json()) as { data?: TResult | null; errors?: { message: string }[] };
  if (body.errors !== undefined || body.data == null) {
    throw new Error(\`GraphQL \${response.status}: \${JSON.stringify(body.errors)}\`);
  }
  return body.data;
}
`;

const GRAPHQL_QUERIES = `import { runQuery, typedQuery } from './graphql-client.js';
import type {
  LatestSessionsQuery, LatestSessionsQueryVariables,
  SessionTimelineQuery, SessionTimelineQueryVariables,
  ToolAnalyticsQuery, ToolAnalyticsQueryVariables,
} from './graphql.js';

${EXACTLY}
const latestSessions = typedQuery<LatestSessionsQuery, LatestSessionsQueryVariables>(${JSON.stringify(DOCUMENTS.latestSessions)});
const sessionTimeline = typedQuery<SessionTimelineQuery, SessionTimelineQueryVariables>(${JSON.stringify(DOCUMENTS.sessionTimeline)});
const toolAnalytics = typedQuery<ToolAnalyticsQuery, ToolAnalyticsQueryVariables>(${JSON.stringify(DOCUMENTS.toolAnalytics)});

export async function readLatestSessions(endpoint: string, key: string) {
  const { sessions } = await runQuery(endpoint, key, latestSessions, { limit: 10, startDate: '2024-03-01' });
  if (!sessions) throw new Error('no sessions');
  const first = sessions.nodes[0];
  if (!first) throw new Error('an empty page');
  exactly<typeof sessions.total, number>(true);
  exactly<typeof first.startedAt, string>(true);
  exactly<typeof first.endedAt, string | null>(true);
  exactly<typeof first.durationMs, number | null>(true);
  exactly<typeof first.eventCount, number>(true);
  exactly<typeof first.toolInvocations, number>(true);
  exactly<typeof sessions.pageInfo.endCursor, string | null>(true);
  // @ts-expect-error a DateTime travels as a string, not a Date
  const notADate: Date = first.startedAt;
  // @ts-expect-error a DateTime variable is given as a string
  const notDateVariables: LatestSessionsQueryVariables = { limit: 10, startDate: new Date() };
  void [notADate, notDateVariables];
  return sessions;
}

export async function readTimeline(endpoint: string, key: string, id: string) {
  const { session } = await runQuery(endpoint, key, sessionTimeline, { id });
  if (!session) throw new Error('no session');
  const firstEvent = session.events[0];
  const firstTool = session.tools[0];
  if (!firstEvent || !firstTool) throw new Error('no events or tools');
  exactly<typeof firstEvent.timestamp, string>(true);
  exactly<typeof firstEvent.data, Record<string, unknown>>(true);
  exactly<typeof firstTool.count, number>(true);
  // @ts-expect-error JSONObject is an object, not a string
  const notAString: string = firstEvent.data;
  void notAString;
  return session;
}

export async function readAnalytics(endpoint: string, key: string) {
  const { analytics } = await runQuery(endpoint, key, toolAnalytics, { startDate: '2024-03-01', endDate: '2024-03-31T23:59:59.999Z' });
  if (!analytics) throw new Error('no analytics');
  const tool = analytics.tools[0];
  if (!tool) throw new Error('no tools');
  exactly<typeof analytics.overview.totalEvents, number>(true);
  exactly<typeof analytics.overview.activeDays, number>(true);
  exactly<typeof tool.avgDurationMs, number | null>(true);
  exactly<typeof tool.errorRate, number>(true);
  return analytics;
}
`;

const REST_CLIENT = `import createClient from 'openapi-fetch';
import type { paths } from './rest-api.js';

${EXACTLY}
export async function readLatestSessions(baseUrl: string, key: string) {
  const client = createClient<paths>({ baseUrl, headers: { 'x-api-key': key } });
  const { data, error, response } = await client.GET('/api/v1/sessions', {
    params: { query: { limit: 10, order: 'desc', start_date: '2024-03-01' } },
  });
  if (!data) throw new Error(\`\${response.status}: \${JSON.stringify(error)}\`);
  const first = data.data.sessions[0];
  if (!first) throw new Error('an empty page');
  exactly<typeof data.data.total, number>(true);
  exactly<typeof first.id, string>(true);
  exactly<typeof first.started_at, string>(true);
  exactly<typeof first.ended_at, string | null>(true);
  exactly<typeof first.duration_ms, number | null>(true);
  exactly<typeof first.event_count, number>(true);
  // Never called: each only has to fail the type check.
  void (() => {
    // @ts-expect-error order is asc or desc
    void client.GET('/api/v1/sessions', { params: { query: { order: 'newest' } } });
    // @ts-expect-error the gateway serves no such path
    void client.GET('/api/v1/session', {});
  });
  return { status: response.status, data };
}

export async function refusedPage(baseUrl: string, key: string) {
  const client = createClient<paths>({ baseUrl, headers: { 'x-api-key': key } });
  const { error, response } = await client.GET('/api/v1/sessions', { params: { query: { limit: 0 } } });
  if (!error) throw new Error('limit=0 was accepted');
  // @ts-expect-error codes are the documented ones, not any string
  const notACode: typeof error.error.code = 'NOT_A_CODE';
  void notACode;
  return { status: response.status, code: error.error.code };
}
`;

const GRAPHQL_FILES = ['graphql.ts', 'graphql-client.ts', 'graphql-queries.ts'];

async function generateGraphQLTypes(config: Record<string, unknown>): Promise<string> {
  const sdl = readFileSync(SCHEMA_FILE, 'utf8');
  return codegen({
    filename: 'graphql.ts',
    schema: parse(sdl),
    schemaAst: buildSchema(sdl),
    documents: Object.entries(DOCUMENTS).map(([name, source]) => ({ location: `${name}.graphql`, document: parse(source) })),
    config,
    plugins: [{ typescript: {} }, { 'typescript-operations': {} }],
    pluginMap: { typescript: typescriptPlugin, 'typescript-operations': typescriptOperationsPlugin },
  });
}

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/;

function expectDateTime(value: unknown): void {
  expect(value).toBeTypeOf('string');
  expect(value).toMatch(ISO_UTC);
}

function expectSafeInt(value: unknown): void {
  expect(value).toBeTypeOf('number');
  expect(Number.isSafeInteger(value)).toBe(true);
}

describe('typed clients', () => {
  let t: TestGateway;
  let key: string;
  let root: string;

  beforeAll(async () => {
    // Soon after the sessions, so that the one without session_end is still open (endedAt null).
    t = await startTestGateway({ now: () => NOW });
    key = await unlimitedKey(t, 'typed-clients');
    await ingestAll(t, key, [
      event('session_start', SESSION, '2024-03-02T10:00:00.250Z'),
      event('tool_use', SESSION, '2024-03-02T10:01:00Z', { data: { tool_name: 'Bash' } }),
      event('tool_result', SESSION, '2024-03-02T10:01:02Z', { data: { tool_name: 'Bash', duration_ms: 2000 } }),
      event('session_end', SESSION, '2024-03-02T10:05:00Z'),
      event('session_start', OTHER_SESSION, '2024-03-02T09:00:00Z'),
    ]);
    root = mkdtempSync(join(tmpdir(), 'trenchcoat-typed-clients-'));
  });

  afterAll(async () => {
    await t?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  describe('GraphQL Code Generator', () => {
    let files: string[];

    beforeAll(async () => {
      const types = await generateGraphQLTypes({ strictScalars: true, scalars: SCALARS });
      files = writeClientProject(join(root, 'graphql'), {
        'graphql.ts': types,
        'graphql-client.ts': GRAPHQL_CLIENT,
        'graphql-queries.ts': GRAPHQL_QUERIES,
      });
    });

    it('types DateTime as string, SafeInt as number and JSONObject as an object: the typed queries type-check', () => {
      expect(typecheck(files)).toEqual([]);
    });

    it('refuses the schema under strictScalars without the scalar map, naming a custom scalar', async () => {
      await expect(generateGraphQLTypes({ strictScalars: true })).rejects.toThrow(/DateTime|SafeInt|JSONObject/);
    });

    it('without the scalar map the same queries fail the type check where the scalars appear', async () => {
      const types = await generateGraphQLTypes({});
      const untyped = writeClientProject(join(root, 'graphql-untyped'), {
        'graphql.ts': types,
        'graphql-client.ts': GRAPHQL_CLIENT,
        'graphql-queries.ts': GRAPHQL_QUERIES,
      });
      const errors = typecheck(untyped).join('\n');
      for (const line of [
        'typeof sessions.total',
        'typeof first.startedAt',
        'typeof firstEvent.data',
        'typeof tool.avgDurationMs',
        'a DateTime variable is given as a string',
      ]) {
        const at = GRAPHQL_QUERIES.split('\n').findIndex((source) => source.includes(line)) + 1;
        expect(errors, line).toMatch(new RegExp(`graphql-queries\\.ts:${at}:`));
      }
    });

    it('runs the typed queries against the gateway, whose values have the generated types', async () => {
      transpileProject(files);
      const queries = await import(/* @vite-ignore */ pathToFileURL(join(root, 'graphql', 'graphql-queries.js')).href);
      const endpoint = `${t.url}/graphql`;

      const sessions = await queries.readLatestSessions(endpoint, key);
      expectSafeInt(sessions.total);
      expect(sessions.nodes.map((node: { id: string }) => node.id)).toEqual([SESSION, OTHER_SESSION]);
      const [newest, oldest] = sessions.nodes;
      expect(newest.startedAt).toBe('2024-03-02T10:00:00.250Z');
      expectDateTime(newest.endedAt);
      expect(oldest.endedAt).toBeNull();
      expect(newest.durationMs).toBe(299_750);
      expect(oldest.durationMs).toBeNull();
      for (const node of sessions.nodes) {
        expectDateTime(node.startedAt);
        expectSafeInt(node.eventCount);
        expectSafeInt(node.toolInvocations);
      }

      const session = await queries.readTimeline(endpoint, key, SESSION);
      expectSafeInt(session.durationMs);
      expect(session.events).toHaveLength(4);
      for (const item of session.events) {
        expectDateTime(item.timestamp);
        expect(item.data).toBeTypeOf('object');
        expect(Array.isArray(item.data)).toBe(false);
      }
      expect(session.events[1].data).toEqual({ tool_name: 'Bash' });
      expect(session.tools).toEqual([{ name: 'Bash', count: 1 }]);

      const analytics = await queries.readAnalytics(endpoint, key);
      expect(analytics.overview).toMatchObject({ totalSessions: 2, totalEvents: 5, totalToolInvocations: 1, activeDays: 1 });
      expect(analytics.tools).toEqual([{ name: 'Bash', invocationCount: 1, avgDurationMs: 2000, errorRate: 0 }]);
    });
  });

  describe('openapi-typescript and openapi-fetch', () => {
    let files: string[];

    beforeAll(async () => {
      const response = await t.get('/api/v1/openapi.json');
      expect(response.status).toBe(200);
      const paths = astToString(await openapiTS(await response.json()));
      files = writeClientProject(join(root, 'rest'), { 'rest-api.ts': paths, 'rest-client.ts': REST_CLIENT });
    });

    it('types the REST API from /api/v1/openapi.json: an openapi-fetch GET /api/v1/sessions type-checks', () => {
      expect(typecheck(files)).toEqual([]);
    });

    it('runs the openapi-fetch calls against the gateway, whose answers have the generated types', async () => {
      transpileProject(files);
      const client = await import(/* @vite-ignore */ pathToFileURL(join(root, 'rest', 'rest-client.js')).href);

      const { status, data } = await client.readLatestSessions(t.url, key);
      expect(status).toBe(200);
      expect(data.data.sessions.map((session: { id: string }) => session.id)).toEqual([SESSION, OTHER_SESSION]);
      expect(data.data.sessions[0]).toEqual({
        id: SESSION,
        started_at: '2024-03-02T10:00:00.250Z',
        ended_at: '2024-03-02T10:05:00Z',
        duration_ms: 299_750,
        event_count: 4,
        tool_invocations: 1,
      });
      expect(data.data.sessions[1].ended_at).toBeNull();
      expectSafeInt(data.data.total);

      expect(await client.refusedPage(t.url, key)).toEqual({ status: 400, code: 'VALIDATION_ERROR' });
    });
  });
});
