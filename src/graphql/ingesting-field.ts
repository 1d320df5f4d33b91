import type { GraphQLField } from 'graphql';

/**
 * The extensions that mark a root field as one that stores events (`extensions: INGESTING_FIELD`). A request
 * may select one such field (plugins/use-single-ingestion.ts): one request, one batch, one transaction.
 */
export const INGESTING_FIELD = Object.freeze({ storesEvents: true });

export function isIngestingField(field: GraphQLField<unknown, unknown> | undefined): boolean {
  return field?.extensions?.['storesEvents'] === true;
}
