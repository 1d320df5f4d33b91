import type { DocumentNode, ExecutionArgs, GraphQLSchema, OperationDefinitionNode } from 'graphql';
import { listSize } from './list-sizes.js';
import { measureSelections, type SelectionMeasure } from './measure-selections.js';
import { perOperationMemo } from './per-operation-memo.js';

/**
 * Bytes a plain value takes at most once written: ids (38), instants (26), counts, cursors (about 80 for
 * a session's), event types. The values that can be longer (`data`, tool names) are charged by their
 * fields as they are read, besides this.
 */
const VALUE_BYTES = 48;
/** Quotes, colon and comma around a key; braces or brackets around an object or list. */
const KEY_BYTES = 4;
const BRACKETS_BYTES = 2;

/**
 * The most an operation's answer takes besides the long values its fields charge as they read them:
 * every key as it is spelled (an alias is repeated in every item of the lists around it), brackets and
 * plain values, each list counted at the size it asks for (as the cost limit counts it). Taken once per operation
 * and set of Int variables (per-operation-memo.ts).
 */
export const responseShapeBytes = perOperationMemo(measureShape);

function measureShape(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: ExecutionArgs['variableValues'],
): number {
  const shape: SelectionMeasure<number> = {
    empty: 0,
    field(node, parent, definition, selection) {
      const key = (node.alias ?? node.name).value.length + KEY_BYTES;
      if (selection === undefined) return key + VALUE_BYTES;
      return key + BRACKETS_BYTES + listSize(node, parent, definition, operation, variables) * (selection + BRACKETS_BYTES);
    },
    merge: (a, b) => a + b,
  };
  return measureSelections(schema, document, operation, shape);
}
