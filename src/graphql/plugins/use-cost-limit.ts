import { getOperationAST, Kind, type ExecutionArgs, type FieldNode, type OperationDefinitionNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { DEFAULT_TOOLS_LIMIT, MAX_TOOLS_LIMIT } from '../../use-cases/analytics-tools.js';
import { DEFAULT_LIMIT, MAX_LIMIT } from '../../use-cases/list-sessions.js';
import { measureSelections, type SelectionMeasure } from '../measure-selections.js';
import { limitError } from '../limit-error.js';
import { DEFAULT_TIMELINE_LIMIT, MAX_TIMELINE_LIMIT } from '../schema/session.js';

/** The fields whose `limit` argument sets how many items they return: its default and the cap the resolver applies. */
const LIST_SIZES: ReadonlyMap<string, { readonly fallback: number; readonly cap: number }> = new Map([
  ['Query.sessions', { fallback: DEFAULT_LIMIT, cap: MAX_LIMIT }],
  ['Session.events', { fallback: DEFAULT_TIMELINE_LIMIT, cap: MAX_TIMELINE_LIMIT }],
  ['Analytics.tools', { fallback: DEFAULT_TOOLS_LIMIT, cap: MAX_TOOLS_LIMIT }],
]);

/** The `limit` a field asks for: a literal, or the variable's value, else the variable's default; undefined means the argument's default. */
function requestedLimit(node: FieldNode, operation: OperationDefinitionNode, variables: ExecutionArgs['variableValues']): number | undefined {
  const value = node.arguments?.find((a) => a.name.value === 'limit')?.value;
  if (value?.kind === Kind.INT) return Number(value.value);
  if (value?.kind !== Kind.VARIABLE) return undefined;
  const name = value.name.value;
  const given = variables?.[name];
  if (given !== undefined) return typeof given === 'number' && Number.isInteger(given) ? given : undefined;
  const fallback = operation.variableDefinitions?.find((d) => d.variable.name.value === name)?.defaultValue;
  return fallback?.kind === Kind.INT ? Number(fallback.value) : undefined;
}

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
    field(node, parent, definition, selection) {
      const size = parent && definition ? LIST_SIZES.get(`${parent.name}.${definition.name}`) : undefined;
      const items = size ? Math.min(Math.max(requestedLimit(node, operation, variables) ?? size.fallback, 1), size.cap) : 1;
      return 1 + items * (selection ?? 0);
    },
    merge: (a, b) => a + b,
  };
}

/**
 * Refuses an operation whose cost is above `maxCost` (TRENCHCOAT_GRAPHQL_MAX_COST). It runs when the
 * operation is about to execute or subscribe rather than in validation: the cost depends on the
 * variables, and Yoga caches validation results per document.
 */
export function useCostLimit(maxCost: number): Plugin {
  const refusal = (args: ExecutionArgs) => {
    const operation = getOperationAST(args.document, args.operationName);
    if (!operation) return null;
    const cost = measureSelections(args.schema, args.document, operation, costMeasure(operation, args.variableValues));
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
