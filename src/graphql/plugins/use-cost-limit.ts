import { getOperationAST, type ExecutionArgs, type OperationDefinitionNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { listSize } from '../list-sizes.js';
import { measureSelections, type SelectionMeasure } from '../measure-selections.js';
import { limitError } from '../limit-error.js';
import { perOperationMemo } from '../per-operation-memo.js';

/**
 * Cost: every field weighs 1, and a field with a list-size `limit` (sessions, Session.events,
 * Analytics.tools) adds its selection's cost once per item it may return: the limit asked for,
 * its default when absent, the cap when above it. So cost(field) = 1 + n × cost(selection), n = 1
 * for other fields. `sessions` multiplies its whole selection (total and pageInfo too: a slight
 * over-count). Lists without a `limit` (Session.tools, topTools) are small and weigh as one item.
 * `sessions(limit: 200) { nodes { id tools { name count } events(limit: 50) { type } } }` costs
 * 1 + 200 × (1 + 1 + 3 + 51) = 11 201; `sessions(limit: 200) { nodes { events(limit: 500) { data } } }`
 * costs 100 401, above the default of 50 000.
 */
function costMeasure(operation: OperationDefinitionNode, variables: ExecutionArgs['variableValues']): SelectionMeasure<number> {
  return {
    empty: 0,
    field: (node, parent, definition, selection) => 1 + listSize(node, parent, definition, operation, variables) * (selection ?? 0),
    merge: (a, b) => a + b,
  };
}

const operationCost = perOperationMemo((schema, document, operation, variables) => measureSelections(schema, document, operation, costMeasure(operation, variables)));

/**
 * Refuses an operation whose cost is above `maxCost` (TRENCHCOAT_GRAPHQL_MAX_COST). It runs when the
 * operation is about to execute or subscribe rather than in validation: the cost depends on the
 * variables, and Yoga caches validation results per document.
 */
export function useCostLimit(maxCost: number): Plugin {
  const refusal = (args: ExecutionArgs) => {
    const operation = getOperationAST(args.document, args.operationName);
    if (!operation) return null;
    const cost = operationCost(args.schema, args.document, operation, args.variableValues);
    return cost > maxCost ? { errors: [limitError(`Query cost ${cost} exceeds the limit of ${maxCost}.`, operation)] } : null;
  };
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const refused = refusal(args);
      if (refused) setResultAndStopExecution(refused);
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const refused = refusal(args);
      if (refused) setResultAndStopExecution(refused);
    },
  };
}
