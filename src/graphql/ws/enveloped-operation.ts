import { GraphQLError, type DocumentNode, type ExecutionArgs } from 'graphql';
import type { SubscribePayload } from 'graphql-ws';
import type { GatewayYoga, ServerContext } from '../yoga.js';

/** What an operation over the socket runs with: Yoga's envelop, so every plugin (limits, budgets, masking) applies. */
interface EnvelopedRoot {
  execute(args: ExecutionArgs): unknown;
  subscribe(args: ExecutionArgs): unknown;
}

/** Runs an operation prepared by {@link envelopedOperation} (graphql-ws's `execute` and `subscribe` options). */
export function runEnveloped(kind: 'execute' | 'subscribe') {
  return (args: ExecutionArgs) => (args.rootValue as EnvelopedRoot)[kind](args) as never;
}

/**
 * One graphql-ws `subscribe` message made ready to run through Yoga's envelop (as Yoga's documentation shows for
 * graphql-ws): parsed and validated with the plugins' limits (tokens, depth, aliases, cost, the subscription root
 * rule) and a context built as for an HTTP request of the same caller. Errors of parse or validation are returned.
 */
export async function envelopedOperation(yoga: GatewayYoga, serverContext: ServerContext, payload: SubscribePayload): Promise<ExecutionArgs | readonly GraphQLError[]> {
  // Yoga's initial context would carry the fetch Request and its params; a socket has neither, and no plugin here needs them.
  const { schema, parse, validate, contextFactory, execute, subscribe } = yoga.getEnveloped(serverContext as Parameters<GatewayYoga['getEnveloped']>[0]);
  let document: DocumentNode;
  try {
    document = parse(payload.query);
  } catch (error) {
    return [error instanceof GraphQLError ? error : new GraphQLError(error instanceof Error ? error.message : String(error))];
  }
  const errors = validate(schema, document);
  if (errors.length > 0) return errors;
  const root: EnvelopedRoot = { execute, subscribe };
  return {
    schema,
    document,
    operationName: payload.operationName,
    variableValues: payload.variables,
    contextValue: await contextFactory(),
    rootValue: root,
  };
}
