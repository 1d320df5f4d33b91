import SchemaBuilder from '@pothos/core';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin, { AuthScopeFailureType, type AuthFailure } from '@pothos/plugin-scope-auth';
import { authorize } from '../auth/authorize.js';
import type { Scope } from '../auth/scopes.js';
import { forbidden } from '../errors/api-error.js';
import type { GraphQLContext } from './context.js';
import { toGraphQLError } from './to-graphql-error.js';

function requiredScope(failure: AuthFailure): Scope | null {
  if (failure.kind === AuthScopeFailureType.AuthScope) return failure.parameter as Scope;
  if (failure.kind === AuthScopeFailureType.AnyAuthScopes || failure.kind === AuthScopeFailureType.AllAuthScopes) {
    for (const inner of failure.failures) {
      const scope = requiredScope(inner);
      if (scope) return scope;
    }
  }
  return null;
}

export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  AuthScopes: { scope: Scope };
  DefaultFieldNullability: false;
  DefaultEdgesNullability: { list: false; items: false };
  DefaultNodeNullability: false;
  Scalars: {
    DateTime: { Input: number; Output: number };
    Date: { Input: number; Output: number };
    SafeInt: { Input: number; Output: number };
    JSONObject: { Input: Record<string, unknown>; Output: Record<string, unknown> };
  };
}>({
  plugins: [ScopeAuthPlugin, RelayPlugin],
  // Connections keep the schema's shape from before the plugin: non-null edges and nodes, a `nodes`
  // list, String cursors; no Node interface or node(id) fields (sessions are found by session(id)).
  relay: {
    cursorType: 'String',
    edgesFieldOptions: { nullable: { list: false, items: false } },
    nodeFieldOptions: { nullable: false },
    nodesOnConnection: true,
    nodeQueryOptions: false,
    nodesQueryOptions: false,
    clientMutationId: 'omit',
    firstArgOptions: { description: 'Cursor paging: the first n items after `after`.' },
    lastArgOptions: { description: 'Cursor paging: the last n items before `before`.' },
    afterArgOptions: { description: 'Cursor paging: only items after this cursor (an edge cursor, or pageInfo.endCursor).' },
    beforeArgOptions: { description: 'Cursor paging: only items before this cursor (an edge cursor, or pageInfo.startCursor).' },
  },
  // Non-null unless a field says otherwise; guarded root fields say so, so a denial is a null plus an error.
  defaultFieldNullability: false,
  scopeAuth: {
    // Subscriptions are authorized when they start, not only per message.
    authorizeOnSubscribe: true,
    // Every guarded field asks `authorize`, the same function the REST adapter's guard asks.
    authScopes: (ctx) => ({ scope: (scope: Scope) => authorize(ctx.principal, scope) === null }),
    unauthorizedError: (_parent, ctx, _info, result) => {
      const scope = requiredScope(result.failure);
      if (!scope) return toGraphQLError(forbidden('unknown'));
      return toGraphQLError(authorize(ctx.principal, scope) ?? forbidden(scope));
    },
  },
});
