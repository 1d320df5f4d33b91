import type { IncomingHttpHeaders } from 'node:http';
import { useGraphQlJit } from '@envelop/graphql-jit';
import { getOperationAST } from 'graphql';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import type { Principal } from '../auth/principal.js';
import { headerEntries } from '../http/node-headers.js';
import type { Logger } from '../log/logger.js';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';
import type { SessionFeed } from '../live/session-feed.js';
import { createUseCaseContext, type UseCaseServices } from '../use-cases/use-case-context.js';
import type { GraphQLContext } from './context.js';
import type { GraphQLJsonBody } from './graphql-json-body.js';
import type { GraphQLLimits } from './graphql-limits.js';
import { maskError } from './mask-error.js';
import { RequestBudgets } from './request-budgets.js';
import { BytesInFlight } from '../limits/bytes-in-flight.js';
import { GRAPHIQL_DEFAULT_QUERY, GRAPHIQL_HEADERS, GRAPHIQL_TITLE } from './graphiql-defaults.js';
import { renderLocalGraphiQL } from './local-graphiql.js';
import { useAliasLimit } from './plugins/use-alias-limit.js';
import { useCostLimit } from './plugins/use-cost-limit.js';
import { useDepthLimit } from './plugins/use-depth-limit.js';
import { useDirectEventStream } from './plugins/use-direct-event-stream.js';
import { useDisableIntrospection } from './plugins/use-disable-introspection.js';
import { useGraphiQLDelivery } from './plugins/use-graphiql-delivery.js';
import { useMaskedErrorRequestId } from './plugins/use-masked-error-request-id.js';
import { useExecutedResult, type Executed } from './plugins/use-executed-result.js';
import { useMetrics } from './plugins/use-metrics.js';
import { useNoBatching } from './plugins/use-no-batching.js';
import { useNoSuggestions } from './plugins/use-no-suggestions.js';
import { useParsedJsonBody } from './plugins/use-parsed-json-body.js';
import { usePersistedQueries, type PersistedQueryOptions } from './plugins/use-persisted-queries.js';
import { usePartialDataStatus } from './plugins/use-partial-data-status.js';
import { useRequestErrorCode } from './plugins/use-request-error-code.js';
import { useResponseBudget } from './plugins/use-response-budget.js';
import { useScopeCacheRelease } from './plugins/use-scope-cache-release.js';
import { useSharedLiveMessages } from './plugins/use-shared-live-messages.js';
import { useSingleIngestion } from './plugins/use-single-ingestion.js';
import { useSingleConnectionRefusal } from './plugins/use-single-connection-refusal.js';
import { useSubscriptionRootRule } from './plugins/use-subscription-root-rule.js';
import { useTokenLimit } from './plugins/use-token-limit.js';
import { useTrustedDocuments, type TrustedDocumentOptions } from './plugins/use-trusted-documents.js';
import { schema } from './schema/index.js';

export interface YogaDeps {
  /** What every resolver's use case reaches (the same services REST's use cases get). */
  services: UseCaseServices;
  introspection: boolean;
  /** Live subscriptions; without it `sessionUpdated` is unavailable. */
  feed?: SessionFeed;
  /** Depth, alias, token and cost limits. */
  limits: GraphQLLimits;
  /** Where unexpected errors are logged, under their request id. */
  logger?: Logger;
  /** Counts operations; absent when metrics are off. */
  metrics?: GatewayMetrics;
  /** Automatic persisted queries; without it a hash-only request is refused (no query). */
  persistedQueries?: Omit<PersistedQueryOptions, 'onError'>;
  /** The manifest of trusted documents, when one is configured. */
  trustedDocuments?: TrustedDocumentOptions;
}

/** What the HTTP server hands Yoga with each request. */
export interface ServerContext {
  requestId: string;
  /** The caller as the HTTP admission found it (null without a valid key); Yoga never reads a key itself. */
  principal: Principal | null;
  /** What the fast path executed for this request, for Yoga to answer without executing it again. */
  executed?: Executed;
  /** A POST's body as the listener parsed it: Yoga takes it rather than parsing the bytes again. */
  jsonBody?: GraphQLJsonBody;
}

export type GatewayYoga = YogaServerInstance<ServerContext, GraphQLContext>;

/**
 * A POST for Yoga's fetch handler from what node:http read: the headers as they came, the body already read
 * (null when it was parsed already and travels as `jsonBody` in the server context).
 */
export function yogaPostRequest(yoga: GatewayYoga, url: URL | string, headers: IncomingHttpHeaders, body: Buffer | null): Request {
  return new yoga.fetchAPI.Request(url, {
    method: 'POST',
    headers: headerEntries(headers),
    body: body && body.length > 0 ? new Uint8Array(body) : undefined,
  });
}

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
  const answersInFlight = new BytesInFlight(limits.keyBytesInFlight, limits.bytesInFlight);
  // Every parse, validation, execution and subscription goes through these, Yoga's and the fast path's alike.
  const plugins: Plugin[] = [
    useParsedJsonBody(),
    // Before anything reads the document: these decide which document a request runs (the manifest's first).
    ...(deps.trustedDocuments ? [useTrustedDocuments(deps.trustedDocuments)] : []),
    ...(deps.persistedQueries ? [usePersistedQueries({ ...deps.persistedQueries, onError: (error) => deps.logger?.warn({ err: error }, 'persisted queries: store failed') })] : []),
    useJitForQueries(),
    useRequestErrorCode(),
    useTokenLimit(limits.maxTokens),
    useDepthLimit(limits.maxDepth),
    useAliasLimit(limits.maxAliases),
    useCostLimit(limits.maxCost),
    useResponseBudget(),
    useNoSuggestions(),
    useNoBatching(),
    useSingleConnectionRefusal(),
    useSubscriptionRootRule(),
    useSharedLiveMessages(),
    useDirectEventStream(),
    useSingleIngestion(),
    useMaskedErrorRequestId(deps.logger),
    // After the request id is put in masked errors: it rewrites errors, and masking finds its causes by identity.
    usePartialDataStatus(),
    useExecutedResult(),
    useScopeCacheRelease(),
  ];
  if (!deps.introspection) plugins.push(useDisableIntrospection());
  if (deps.metrics) plugins.push(useMetrics(deps.metrics));
  plugins.push(useGraphiQLDelivery());
  return createYoga<ServerContext, GraphQLContext>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    // The listener's CORS policy answers for every route, this one included.
    cors: false,
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
    // The HTTP admission authenticated the request; authorization happens per field, in scope-auth.
    context: ({ requestId, principal }) => ({
      ...createUseCaseContext(deps.services, principal),
      requestId,
      feed: deps.feed,
      budgets: new RequestBudgets(limits, answersInFlight, principal?.keyId ?? ''),
    }),
  });
}
