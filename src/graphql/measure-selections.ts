import {
  getNamedType,
  isCompositeType,
  isInterfaceType,
  isObjectType,
  Kind,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

/** How a measure (depth, aliases, cost) combines the fields of an operation. */
export interface SelectionMeasure<T> {
  /** The value of an empty selection set. */
  readonly empty: T;
  /**
   * One field: `parent` is the type it is selected on and `definition` its definition in the
   * schema (undefined when unknown: validation reports those); `selection` is the value of its
   * selection set, undefined for a leaf.
   */
  field(node: FieldNode, parent: GraphQLCompositeType | undefined, definition: GraphQLField<unknown, unknown> | undefined, selection: T | undefined): T;
  /** Two sibling selections of one selection set. */
  merge(a: T, b: T): T;
}

function fieldDefinition(schema: GraphQLSchema, parent: GraphQLCompositeType | undefined, name: string): GraphQLField<unknown, unknown> | undefined {
  if (!parent) return undefined;
  if (parent === schema.getQueryType()) {
    if (name === SchemaMetaFieldDef.name) return SchemaMetaFieldDef;
    if (name === TypeMetaFieldDef.name) return TypeMetaFieldDef;
  }
  return isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[name] : undefined;
}

function typeNamed(schema: GraphQLSchema, name: string | undefined, fallback: GraphQLCompositeType | undefined): GraphQLCompositeType | undefined {
  if (name === undefined) return fallback;
  const type = schema.getType(name);
  return type && isCompositeType(type) ? type : undefined;
}

/**
 * Measures an operation bottom-up through its fragments, as if each spread were written out, but
 * measures each fragment once (a fragment's value does not depend on where it is spread), so a
 * document whose fragments spread each other many times costs no more to measure than to read.
 * A spread that re-enters a fragment being measured (a cycle: validation rejects those) is empty.
 */
export function measureSelections<T>(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, measure: SelectionMeasure<T>): T {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const measured = new Map<string, T>();
  const entered = new Set<string>();

  function fragment(name: string): T {
    const known = measured.get(name);
    if (known !== undefined) return known;
    const definition = fragments.get(name);
    if (!definition || entered.has(name)) return measure.empty;
    entered.add(name);
    const value = selectionSet(definition.selectionSet, typeNamed(schema, definition.typeCondition.name.value, undefined));
    entered.delete(name);
    measured.set(name, value);
    return value;
  }

  function selectionSet(set: SelectionSetNode, parent: GraphQLCompositeType | undefined): T {
    let value = measure.empty;
    for (const selection of set.selections) {
      let part: T;
      if (selection.kind === Kind.FIELD) {
        const definition = fieldDefinition(schema, parent, selection.name.value);
        const child = definition ? getNamedType(definition.type) : undefined;
        const inner = selection.selectionSet
          ? selectionSet(selection.selectionSet, child && isCompositeType(child) ? child : undefined)
          : undefined;
        part = measure.field(selection, parent, definition, inner);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        part = selectionSet(selection.selectionSet, typeNamed(schema, selection.typeCondition?.name.value, parent));
      } else {
        part = fragment(selection.name.value);
      }
      value = measure.merge(value, part);
    }
    return value;
  }

  return selectionSet(operation.selectionSet, schema.getRootType(operation.operation) ?? undefined);
}
