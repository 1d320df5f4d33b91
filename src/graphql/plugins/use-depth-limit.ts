import type { ValidationRule } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { measureSelections, type SelectionMeasure } from '../measure-selections.js';
import { limitError } from '../limit-error.js';

/**
 * Depth: the fields on the longest path from the operation to a leaf, through fragments
 * (`{ sessions { nodes { id } } }` is 3). Introspection counts, except `__Type.ofType`: a
 * one-to-one link that only unwraps NON_NULL and LIST, and the only reason GraphiQL's own
 * introspection query (getIntrospectionQuery's TypeRef nests it 9 times) is deep; counted, that
 * query would reach 15, without it 6. graphql-js's MaxIntrospectionDepthRule bounds the
 * introspection lists that do fan out (`fields { type { fields … } }`).
 */
const depth: SelectionMeasure<number> = {
  empty: 0,
  field: (node, parent, _definition, selection) =>
    (parent?.name === '__Type' && node.name.value === 'ofType' ? 0 : 1) + (selection ?? 0),
  merge: Math.max,
};

function depthLimitRule(maxDepth: number): ValidationRule {
  return function MaxDepthRule(context) {
    return {
      OperationDefinition(operation) {
        const measured = measureSelections(context.getSchema(), context.getDocument(), operation, depth);
        if (measured > maxDepth) context.reportError(limitError(`Query depth ${measured} exceeds the limit of ${maxDepth}.`, operation));
        return false;
      },
      FragmentDefinition: () => false,
    };
  };
}

/** Refuses operations nested deeper than `maxDepth` (TRENCHCOAT_GRAPHQL_MAX_DEPTH). */
export function useDepthLimit(maxDepth: number): Plugin {
  const rule = depthLimitRule(maxDepth);
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(rule);
    },
  };
}
