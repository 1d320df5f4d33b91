import type { Scope, Tier } from '../../src/auth/scopes.js';
import { loadConfig } from '../../src/config.js';
import { startGateway, type RunningGateway } from '../../src/gateway.js';
import { createLogger } from '../../src/log/logger.js';
import { createTestDatabase } from './test-database.js';

export interface TestGateway {
  readonly url: string;
  readonly gateway: RunningGateway;
  readonly dbPath: string;
  /** A fresh key for `account` (default "acme") with `scopes` (default both), tier `unlimited` unless given: rate limits are tested on their own. */
  key(options?: { account?: string; scopes?: Scope[]; tier?: Tier }): Promise<string>;
  get(path: string, key?: string | null, headers?: Record<string, string>): Promise<Response>;
  post(path: string, body: unknown, key?: string | null, headers?: Record<string, string>): Promise<Response>;
  graphql(query: string, variables?: Record<string, unknown>, key?: string | null): Promise<{ status: number; body: GraphQLBody }>;
  close(): Promise<void>;
}

export interface GraphQLBody {
  data?: Record<string, any> | null;
  errors?: { message: string; path?: string[]; extensions?: Record<string, any> }[];
}

/** A real gateway on an ephemeral port over a real SQLite file in a temporary folder. */
export async function startTestGateway(options: { now?: () => number; env?: Record<string, string> } = {}): Promise<TestGateway> {
  const database = await createTestDatabase();
  const dbPath = database.sqlitePath ?? database.url;
  const config = loadConfig({ port: '0', host: '127.0.0.1', db: database.url }, {
    ...database.gatewayEnv,
    // Keys are tier `unlimited` here, and keyless callers likewise: the per-client budget is tested on its own.
    TRENCHCOAT_ANONYMOUS_REQUESTS_PER_MINUTE: '1000000',
    // Whether dist/dashboard is built must not change what other specs see (`/`, trusted documents): the dashboard
    // specs turn it on with a build of their own (TRENCHCOAT_DASHBOARD=on, TRENCHCOAT_DASHBOARD_DIR).
    TRENCHCOAT_DASHBOARD: 'off',
    ...options.env,
  });
  const gateway = await startGateway(config, { logger: createLogger('silent'), now: options.now });
  const headersFor = (key: string | null | undefined, extra: Record<string, string> = {}) => ({
    ...(key ? { 'x-api-key': key } : {}),
    ...extra,
  });
  return {
    url: gateway.url,
    gateway,
    dbPath,
    async key({ account = 'acme', scopes = ['read:analytics', 'write:events'] as Scope[], tier = 'unlimited' } = {}) {
      return (await gateway.keys.create({ account, scopes, tier })).key;
    },
    get: (path, key, headers) => fetch(`${gateway.url}${path}`, { headers: headersFor(key, headers) }),
    post: (path, body, key, headers) =>
      fetch(`${gateway.url}${path}`, {
        method: 'POST',
        headers: headersFor(key, { 'content-type': 'application/json', ...headers }),
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    async graphql(query, variables, key) {
      const response = await fetch(`${gateway.url}/graphql`, {
        method: 'POST',
        headers: headersFor(key, { 'content-type': 'application/json', accept: 'application/json' }),
        body: JSON.stringify({ query, variables }),
      });
      return { status: response.status, body: (await response.json()) as GraphQLBody };
    },
    async close() {
      await gateway.close();
      await database.drop();
    },
  };
}

export const SESSION_A = '550e8400-e29b-41d4-a716-446655440000';
export const SESSION_B = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';

export function event(type: string, sessionId: string, timestamp: string, extra: Record<string, unknown> = {}) {
  return { event_type: type, session_id: sessionId, timestamp, ...extra };
}
