import { getOperationAST, type ExecutionArgs, type ExecutionResult } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { ApiError } from '../../errors/api-error.js';
import type { GraphQLContext } from '../context.js';
import type { RequestBudgets } from '../request-budgets.js';
import type { Charge } from '../response-budget.js';
import { responseShapeBytes } from '../response-shape.js';
import { toGraphQLError } from '../to-graphql-error.js';

function shapeCharge(args: ExecutionArgs): Charge | null {
  const operation = getOperationAST(args.document, args.operationName);
  if (!operation) return null;
  return {
    bytes: responseShapeBytes(args.schema, args.document, operation, args.variableValues),
    path: operation.name?.value ?? operation.operation,
    what: 'keys, brackets and plain values, each list at the size it asks for',
    advice: () => 'Ask for less: smaller limits, fewer fields or aliases, shorter aliases.',
  };
}

/** The request's budgets: the context yoga.ts builds for every request carries them. */
function budgetsOf(args: ExecutionArgs): RequestBudgets | undefined {
  return (args.contextValue as Partial<GraphQLContext> | null)?.budgets;
}

/** The whole answer becomes the refusal: no part of an answer over a limit is sent. */
export function refused(error: ApiError): ExecutionResult {
  return { data: null, errors: [toGraphQLError(error)] };
}

/**
 * The response budget (response-budget.ts) around each execution: the answer's shape is charged before
 * anything runs (refused at once when it alone is over), fields charge what they read as they go, and an
 * answer whose budget refused anything is replaced whole by that refusal. A subscription's messages each
 * have their own budget, settled as each message is sent: a message over a limit is sent as the refusal
 * alone, and the stream goes on.
 */
export function useResponseBudget(): Plugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const budgets = budgetsOf(args);
      const shape = shapeCharge(args);
      if (!budgets || !shape) return;
      const early = budgets.begin(shape, 'answer');
      if (early) {
        budgets.settle();
        setResultAndStopExecution({ errors: [toGraphQLError(early)] });
        return;
      }
      return {
        onExecuteDone({ result, setResult }) {
          if (isAsyncIterable(result)) return;
          const refusal = budgets.settle();
          if (refusal) setResult(refused(refusal));
        },
      };
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const budgets = budgetsOf(args);
      const shape = shapeCharge(args);
      if (!budgets || !shape) return;
      const early = budgets.begin(shape, 'messages');
      if (early) {
        setResultAndStopExecution({ errors: [toGraphQLError(early)] });
        return;
      }
      return {
        onSubscribeResult() {
          return {
            onNext({ setResult }) {
              const refusal = budgets.settle();
              if (refusal) setResult(refused(refusal));
            },
            onEnd() {
              budgets.settle();
            },
          };
        },
      };
    },
  };
}
