import { memoized } from '../bounded-memo.js';
import { Kind, type DocumentNode, type ExecutionArgs, type GraphQLSchema, type OperationDefinitionNode, type TypeNode } from 'graphql';

type Variables = ExecutionArgs['variableValues'];

/** What a memo holds per operation: one value per set of Int variable values seen, dropped together when full. */
const MAX_VALUES_PER_OPERATION = 64;

function namedType(type: TypeNode): string {
  return type.kind === Kind.NAMED_TYPE ? type.name.value : namedType(type.type);
}

/** The operation's Int variables as a key (list sizes are the only variables a measure reads); null when one is not a plain number. */
function intVariablesKey(operation: OperationDefinitionNode, variables: Variables): string | null {
  let key = '';
  for (const definition of operation.variableDefinitions ?? []) {
    if (namedType(definition.type) !== 'Int') continue;
    const value = variables?.[definition.variable.name.value];
    if (value !== undefined && value !== null && typeof value !== 'number') return null;
    key += `${String(value)},`;
  }
  return key;
}

export type OperationMeasure = (schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, variables: Variables) => number;

/**
 * A measure of a validated operation that reads, of the variables, only those of type Int (the list sizes), taken
 * once per operation and set of Int values: Yoga's parser cache hands the same document to every request that
 * sends the same query, so a dashboard's polling query is walked once rather than on every request.
 */
export function perOperationMemo(measure: OperationMeasure): OperationMeasure {
  const bySchema = new WeakMap<GraphQLSchema, WeakMap<OperationDefinitionNode, Map<string, number>>>();
  return (schema, document, operation, variables) => {
    const key = intVariablesKey(operation, variables);
    if (key === null) return measure(schema, document, operation, variables);
    let byOperation = bySchema.get(schema);
    if (!byOperation) bySchema.set(schema, (byOperation = new WeakMap()));
    let values = byOperation.get(operation);
    if (!values) byOperation.set(operation, (values = new Map()));
    return memoized(values, key, MAX_VALUES_PER_OPERATION, () => measure(schema, document, operation, variables));
  };
}
