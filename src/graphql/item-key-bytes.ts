import { Kind, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';

/** Bytes of the keys a list field selects in each item, as spelled (aliases too), through fragments. */
export function itemKeyBytes(info: GraphQLResolveInfo): number {
  const seen = new Set<string>();
  const within = (set: SelectionSetNode | undefined): number =>
    (set?.selections ?? []).reduce((sum, selection) => {
      if (selection.kind === Kind.FIELD) return sum + (selection.alias ?? selection.name).value.length + 4;
      if (selection.kind === Kind.INLINE_FRAGMENT) return sum + within(selection.selectionSet);
      if (seen.has(selection.name.value)) return sum;
      seen.add(selection.name.value);
      return sum + within(info.fragments[selection.name.value]?.selectionSet);
    }, 0);
  return info.fieldNodes.reduce((sum, node) => sum + within(node.selectionSet), 0);
}
