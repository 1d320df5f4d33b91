import { Kind, type ExecutionArgs, type FieldNode, type GraphQLCompositeType, type GraphQLField, type OperationDefinitionNode } from 'graphql';
import { DEFAULT_TOOLS_LIMIT, MAX_TOOLS_LIMIT } from '../use-cases/analytics-tools.js';
import { DEFAULT_LIMIT, MAX_LIMIT } from '../use-cases/list-sessions.js';
import { DEFAULT_TIMELINE_LIMIT, MAX_TIMELINE_LIMIT } from './schema/session.js';

/** The fields whose `limit` argument sets how many items they return: its default and the cap the resolver applies. */
const LIST_SIZES: ReadonlyMap<string, { readonly fallback: number; readonly cap: number }> = new Map([
  ['Query.sessions', { fallback: DEFAULT_LIMIT, cap: MAX_LIMIT }],
  ['Session.events', { fallback: DEFAULT_TIMELINE_LIMIT, cap: MAX_TIMELINE_LIMIT }],
  ['Analytics.tools', { fallback: DEFAULT_TOOLS_LIMIT, cap: MAX_TOOLS_LIMIT }],
]);

/** Arguments that set a list's size; `sessions` takes `first` or `last` (cursor paging) instead of `limit`. */
const SIZE_ARGUMENTS = ['limit', 'first', 'last'];

/** The size an argument asks for: a literal, or the variable's value, else the variable's default; undefined means the argument's default. */
function requestedSize(node: FieldNode, argument: string, operation: OperationDefinitionNode, variables: ExecutionArgs['variableValues']): number | undefined {
  const value = node.arguments?.find((a) => a.name.value === argument)?.value;
  if (value?.kind === Kind.INT) return Number(value.value);
  if (value?.kind !== Kind.VARIABLE) return undefined;
  const name = value.name.value;
  const given = variables?.[name];
  if (given !== undefined) return typeof given === 'number' && Number.isInteger(given) ? given : undefined;
  const fallback = operation.variableDefinitions?.find((d) => d.variable.name.value === name)?.defaultValue;
  return fallback?.kind === Kind.INT ? Number(fallback.value) : undefined;
}

/**
 * How many items a field may return, for the measures that multiply its selection by it: the `limit`
 * asked for (from variables too), its default when absent, the cap when above it; 1 for any other field.
 */
export function listSize(
  node: FieldNode,
  parent: GraphQLCompositeType | undefined,
  definition: GraphQLField<unknown, unknown> | undefined,
  operation: OperationDefinitionNode,
  variables: ExecutionArgs['variableValues'],
): number {
  const size = parent && definition ? LIST_SIZES.get(`${parent.name}.${definition.name}`) : undefined;
  if (!size) return 1;
  const asked = SIZE_ARGUMENTS.map((argument) => requestedSize(node, argument, operation, variables)).filter((n) => n !== undefined);
  return Math.min(Math.max(asked.length > 0 ? Math.max(...asked) : size.fallback, 1), size.cap);
}
