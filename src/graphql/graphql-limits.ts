/** Bounds on one GraphQL request, so that no request does unbounded work (docs/api.md#graphql-limits). */
export interface GraphQLLimits {
  /** Fields nested in the deepest path of an operation, through fragments (`TRENCHCOAT_GRAPHQL_MAX_DEPTH`). */
  readonly maxDepth: number;
  /** Aliased fields in an operation, each fragment counted as often as it is spread (`TRENCHCOAT_GRAPHQL_MAX_ALIASES`). */
  readonly maxAliases: number;
  /** Lexical tokens in the document; the parser stops at the limit (`TRENCHCOAT_GRAPHQL_MAX_TOKENS`). */
  readonly maxTokens: number;
  /** The operation's weight, list fields weighed by the size they ask for (`TRENCHCOAT_GRAPHQL_MAX_COST`). */
  readonly maxCost: number;
  /** Estimated bytes of one answer or live message, charged before the rows are read (`TRENCHCOAT_GRAPHQL_MAX_RESPONSE_BYTES`). */
  readonly maxResponseBytes: number;
  /** Rows one request or live message may read, charged before each read (`TRENCHCOAT_GRAPHQL_MAX_ROWS`). */
  readonly maxRows: number;
  /** Estimated bytes of one key's answers being built at once (`TRENCHCOAT_GRAPHQL_KEY_BYTES_IN_FLIGHT`). */
  readonly keyBytesInFlight: number;
  /** Estimated bytes of every answer being built at once in the process (`TRENCHCOAT_GRAPHQL_BYTES_IN_FLIGHT`). */
  readonly bytesInFlight: number;
}
