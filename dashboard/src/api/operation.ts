/**
 * One of the dashboard's GraphQL operations, as the gateway knows it: a trusted document sent by id alone. The
 * type parameters carry its result and variables (generated from schema.graphql), so a call is checked end to end.
 */
export interface Operation<TResult, TVariables> {
  readonly id: string;
  readonly name: string;
  readonly kind: 'query' | 'subscription';
  /** Never set: only carries the types. */
  readonly types?: (variables: TVariables) => TResult;
}
