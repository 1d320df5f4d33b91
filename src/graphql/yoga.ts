import { useGraphQlJit } from '@envelop/graphql-jit';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import type { Kysely } from 'kysely';
import { readApiKey } from '../auth/read-api-key.js';
import type { KeyStore } from '../auth/key-store.js';
import type { Tables } from '../db/tables.js';
import type { ChangeSink } from '../live/change-publisher.js';
import type { SessionFeed } from '../live/session-feed.js';
import type { GraphQLContext } from './context.js';
import { maskError } from './mask-error.js';
import { GRAPHIQL_DEFAULT_QUERY, GRAPHIQL_HEADERS, GRAPHIQL_TITLE } from './graphiql-defaults.js';
import { useDisableIntrospection } from './plugins/use-disable-introspection.js';
import { useRequestErrorCode } from './plugins/use-request-error-code.js';
import { schema } from './schema/index.js';

export interface YogaDeps {
  db: Kysely<Tables>;
  keys: KeyStore;
  introspection: boolean;
  now?: () => number;
  /** Live subscriptions; without it `sessionUpdated` is unavailable. */
  feed?: SessionFeed;
  changes?: ChangeSink;
}

/** What the HTTP server hands Yoga with each request. */
export interface ServerContext {
  requestId: string;
}

export type GatewayYoga = YogaServerInstance<ServerContext, GraphQLContext>;

/**
 * graphql-jit compiles each distinct document once (cached) into straight-line resolver calls.
 * Queries and mutations only: its subscribe hands a subscription field the operation's variables
 * in place of the field's arguments, so subscriptions stay with graphql-js.
 */
function useJitForQueries(): Plugin {
  const { onExecute } = useGraphQlJit() as Plugin;
  return { onExecute };
}

export function createGatewayYoga(deps: YogaDeps): GatewayYoga {
  const plugins: Plugin[] = [useJitForQueries(), useRequestErrorCode()];
  if (!deps.introspection) plugins.push(useDisableIntrospection());
  const now = deps.now ?? Date.now;
  return createYoga<ServerContext, GraphQLContext>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    logging: false,
    maskedErrors: { maskError },
    plugins,
    graphiql: {
      title: GRAPHIQL_TITLE,
      defaultQuery: GRAPHIQL_DEFAULT_QUERY,
      headers: GRAPHIQL_HEADERS,
      shouldPersistHeaders: true,
    },
    // Authentication is per request; authorization happens per field, in scope-auth.
    context: async ({ request, requestId }) => ({
      requestId,
      db: deps.db,
      now,
      feed: deps.feed,
      changes: deps.changes,
      principal: await deps.keys.authenticate(readApiKey(request.headers)),
    }),
  });
}
