import { GraphQLError, Kind, type ASTVisitor, type SelectionSetNode, type ValidationContext } from 'graphql';
import type { Plugin } from 'graphql-yoga';

const CONDITIONAL = new Set(['skip', 'include']);

/** Every top-level selection of a subscription, fragments (inline and spread) looked through. */
function rootSelections(set: SelectionSetNode, context: ValidationContext, seen = new Set<string>()) {
  const found: { directives: readonly { name: { value: string } }[]; node: SelectionSetNode['selections'][number] }[] = [];
  for (const selection of set.selections) {
    found.push({ directives: selection.directives ?? [], node: selection });
    if (selection.kind === Kind.INLINE_FRAGMENT) found.push(...rootSelections(selection.selectionSet, context, seen));
    if (selection.kind === Kind.FRAGMENT_SPREAD && !seen.has(selection.name.value)) {
      seen.add(selection.name.value);
      const fragment = context.getFragment(selection.name.value);
      if (fragment) found.push(...rootSelections(fragment.selectionSet, context, seen));
    }
  }
  return found;
}

/**
 * The GraphQL spec forbids @skip and @include at a subscription's root (there must be exactly one
 * root field to subscribe to); graphql-js 16 does not check it, and the executor then fails with a
 * TypeError. Refused here as a validation error.
 */
function subscriptionRootRule(context: ValidationContext): ASTVisitor {
  return {
    OperationDefinition(node) {
      if (node.operation !== 'subscription') return;
      for (const { directives, node: selection } of rootSelections(node.selectionSet, context)) {
        if (directives.some((d) => CONDITIONAL.has(d.name.value))) {
          context.reportError(new GraphQLError('@skip and @include are not allowed on the root selections of a subscription.', { nodes: selection }));
        }
      }
    },
  };
}

export function useSubscriptionRootRule(): Plugin {
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(subscriptionRootRule);
    },
  };
}
