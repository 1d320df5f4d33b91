// The GraphQL peers' schema and resolvers: idiomatic SDL plus a resolver map, the shape both Apollo
// Server and Mercurius take. Same query as the gateway's `sessions`, same SQL as the REST baseline
// (bench/sessions-store.ts, or bench/sessions-store-pg.ts on PostgreSQL), the same X-API-Key
// authentication.
import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { parseInstant, toView, utc, type Caller, type SessionRow } from '../session-view.js';
import type { PeerStore } from './store.js';

export const typeDefs = /* GraphQL */ `
  "An instant: YYYY-MM-DD or an ISO 8601 date-time in, UTC YYYY-MM-DDTHH:MM:SS[.sss]Z out."
  scalar DateTime
  "An integer up to 2^53-1."
  scalar SafeInt

  type Session {
    id: ID!
    startedAt: DateTime!
    endedAt: DateTime
    durationMs: SafeInt
    eventCount: SafeInt!
    toolInvocations: SafeInt!
  }

  type SessionConnection {
    total: SafeInt!
    limit: Int!
    offset: Int!
    nodes: [Session!]!
  }

  type Query {
    sessions(limit: Int = 50, offset: Int = 0, startDate: DateTime, endDate: DateTime): SessionConnection
  }
`;

export interface PeerContext {
  caller: Caller | null;
}

function parseDateTime(value: unknown): number {
  const ms = typeof value === 'string' ? parseInstant(value) : null;
  if (ms === null) throw new GraphQLError('DateTime: expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS[.fff]Z', { extensions: { code: 'VALIDATION_ERROR' } });
  return ms;
}

const DateTime = new GraphQLScalarType<number, string>({
  name: 'DateTime',
  serialize: (ms) => utc(ms as number),
  parseValue: parseDateTime,
  parseLiteral: (ast) => parseDateTime(ast.kind === Kind.STRING ? ast.value : null),
});

const SafeInt = new GraphQLScalarType<number, number>({
  name: 'SafeInt',
  serialize: (n) => n as number,
  parseValue: (n) => n as number,
  parseLiteral: (ast) => (ast.kind === Kind.INT ? Number(ast.value) : NaN),
});

interface SessionsArgs {
  limit: number;
  offset: number;
  startDate?: number | null;
  endDate?: number | null;
}

/** The context for a request's X-API-Key header: at once on SQLite, a promise on PostgreSQL. */
export function peerContext(store: PeerStore, header: string | string[] | undefined): PeerContext | Promise<PeerContext> {
  const caller = store.authenticate(headerValue(header));
  return caller instanceof Promise ? caller.then((c) => ({ caller: c })) : { caller };
}

export function createResolvers(store: PeerStore) {
  return {
    DateTime,
    SafeInt,
    Query: {
      sessions(_root: unknown, args: SessionsArgs, ctx: PeerContext) {
        if (!ctx.caller) throw new GraphQLError('Missing or invalid API key.', { extensions: { code: 'UNAUTHENTICATED' } });
        if (!ctx.caller.scopes.includes('read:analytics')) {
          throw new GraphQLError('This API key does not have the required scope: read:analytics', { extensions: { code: 'FORBIDDEN' } });
        }
        if (args.limit < 1 || args.offset < 0) throw new GraphQLError('Invalid limit or offset.', { extensions: { code: 'VALIDATION_ERROR' } });
        const query = {
          accountId: ctx.caller.accountId,
          startMs: args.startDate ?? null,
          endMs: args.endDate ?? null,
          limit: Math.min(args.limit, 200),
          offset: args.offset,
        };
        const connection = ({ total, rows }: { total: number; rows: SessionRow[] }) => {
          const now = Date.now();
          return { total, limit: query.limit, offset: query.offset, nodes: rows.map((row) => toView(row, now)) };
        };
        const loaded = store.load(query);
        return loaded instanceof Promise ? loaded.then(connection) : connection(loaded);
      },
    },
  };
}

export function flag(name: string): string {
  const i = process.argv.indexOf(name);
  const value = i >= 0 ? process.argv[i + 1] : undefined;
  if (!value) throw new Error(`${name} is required`);
  return value;
}

export function headerValue(value: string | string[] | undefined): string | null {
  return typeof value === 'string' ? value.trim() : null;
}
