import type { ValidationRule } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { measureSelections, type SelectionMeasure } from '../measure-selections.js';
import { limitError } from '../limit-error.js';

/** Aliased fields of an operation; a fragment's aliases count each time it is spread (aliases are how one request repeats work). */
const aliases: SelectionMeasure<number> = {
  empty: 0,
  field: (node, _parent, _definition, selection) => (node.alias ? 1 : 0) + (selection ?? 0),
  merge: (a, b) => a + b,
};

function aliasLimitRule(maxAliases: number): ValidationRule {
  return function MaxAliasesRule(context) {
    return {
      OperationDefinition(operation) {
        const counted = measureSelections(context.getSchema(), context.getDocument(), operation, aliases);
        if (counted > maxAliases) context.reportError(limitError(`Query alias count ${counted} exceeds the limit of ${maxAliases}.`, operation));
        return false;
      },
      FragmentDefinition: () => false,
    };
  };
}

/** Refuses operations with more than `maxAliases` aliases (TRENCHCOAT_GRAPHQL_MAX_ALIASES). */
export function useAliasLimit(maxAliases: number): Plugin {
  const rule = aliasLimitRule(maxAliases);
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(rule);
    },
  };
}
