import { useGraphQlJit } from '@envelop/graphql-jit';
import { getOperationAST } from 'graphql';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import type { Kysely } from 'kysely';
import { readApiKey } from '../auth/read-api-key.js';
import type { KeyStore } from '../auth/key-store.js';
import type { Principal } from '../auth/principal.js';
import type { Tables } from '../db/tables.js';
import type { Logger } from '../log/logger.js';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';
import type { ChangeSink } from '../live/change-publisher.js';
import type { RateLimiter } from '../limits/rate-limiter.js';
import type { SessionFeed } from '../live/session-feed.js';
import type { GraphQLContext } from './context.js';
import type { GraphQLLimits } from './graphql-limits.js';
import { maskError } from './mask-error.js';
import { GRAPHIQL_DEFAULT_QUERY, GRAPHIQL_HEADERS, GRAPHIQL_TITLE } from './graphiql-defaults.js';
import { renderLocalGraphiQL } from './local-graphiql.js';
import { useAliasLimit } from './plugins/use-alias-limit.js';
import { useCostLimit } from './plugins/use-cost-limit.js';
import { useDepthLimit } from './plugins/use-depth-limit.js';
import { useDisableIntrospection } from './plugins/use-disable-introspection.js';
import { useGraphiQLDelivery } from './plugins/use-graphiql-delivery.js';
import { useMaskedErrorRequestId } from './plugins/use-masked-error-request-id.js';
import { useMetrics, type OperationCounted } from './plugins/use-metrics.js';
import { useNoBatching } from './plugins/use-no-batching.js';
import { useNoSuggestions } from './plugins/use-no-suggestions.js';
import { useRequestErrorCode } from './plugins/use-request-error-code.js';
import { useSubscriptionRootRule } from './plugins/use-subscription-root-rule.js';
import { useTokenLimit } from './plugins/use-token-limit.js';
import { schema } from './schema/index.js';

export interface YogaDeps {
  db: Kysely<Tables>;
  keys: KeyStore;
  introspection: boolean;
  now?: () => number;
  /** Live subscriptions; without it `sessionUpdated` is unavailable. */
  feed?: SessionFeed;
  changes?: ChangeSink;
  limiter?: RateLimiter;
  /** Depth, alias, token and cost limits. */
  limits: GraphQLLimits;
  /** Where unexpected errors are logged, under their request id. */
  logger?: Logger;
  /** Counts operations and ingested events; absent when metrics are off. */
  metrics?: GatewayMetrics;
}

/** What the HTTP server hands Yoga with each request. */
export interface ServerContext {
  requestId: string;
  /** The caller, when the HTTP layer has already authenticated the request (it counts it for rate limits). */
  principal?: Principal | null;
  /** One per HTTP request, so that a request the fast path hands on to Yoga counts once in metrics. */
  operationCounted?: OperationCounted;
}

export type GatewayYoga = YogaServerInstance<ServerContext, GraphQLContext>;

/**
 * graphql-jit compiles each distinct document once (cached) into straight-line resolver calls.
 * Queries only, where the speed matters. Its subscribe hands a subscription field the operation's
 * variables in place of the field's arguments, and it drops a variable inside a JSONObject literal
 * (`data: { tool_name: $name }` stored as `{}`): mutations and subscriptions stay with graphql-js.
 */
function useJitForQueries(): Plugin {
  const { onExecute } = useGraphQlJit() as Plugin;
  return {
    onExecute(payload) {
      if (getOperationAST(payload.args.document, payload.args.operationName)?.operation !== 'query') return;
      return onExecute?.(payload);
    },
  };
}

export function createGatewayYoga(deps: YogaDeps): GatewayYoga {
  const { limits } = deps;
  // Every parse, validation, execution and subscription goes through these, Yoga's and the fast path's alike.
  const plugins: Plugin[] = [
    useJitForQueries(),
    useRequestErrorCode(),
    useTokenLimit(limits.maxTokens),
    useDepthLimit(limits.maxDepth),
    useAliasLimit(limits.maxAliases),
    useCostLimit(limits.maxCost),
    useNoSuggestions(),
    useNoBatching(),
    useSubscriptionRootRule(),
    useMaskedErrorRequestId(deps.logger),
  ];
  if (!deps.introspection) plugins.push(useDisableIntrospection());
  if (deps.metrics) plugins.push(useMetrics(deps.metrics));
  plugins.push(useGraphiQLDelivery());
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
    renderGraphiQL: renderLocalGraphiQL,
    // Authentication is per request; authorization happens per field, in scope-auth.
    context: async ({ request, requestId, principal }) => ({
      requestId,
      db: deps.db,
      now,
      feed: deps.feed,
      changes: deps.changes,
      limiter: deps.limiter,
      ingested: deps.metrics,
      principal: principal !== undefined ? principal : await deps.keys.authenticate(readApiKey(request.headers)),
    }),
  });
}
