import { assertJsonShape, type JsonShapeLimits } from '../http/json-shape.js';

/**
 * A GraphQL POST body, parsed once by the HTTP listener: the value, or why it is not JSON. The fast path reads
 * the value, and Yoga gets it too (plugins/use-parsed-json-body.ts) rather than the bytes.
 */
export type GraphQLJsonBody = { readonly value: unknown } | { readonly invalid: Error };

/**
 * Parses a JSON body, after refusing one nested deeper or holding more values than `limits` allow. Decoded as UTF-8, as
 * Yoga decoded it before (a byte order mark is not dropped: such a body is not JSON).
 */
export function graphqlJsonBody(body: Buffer, limits: JsonShapeLimits): GraphQLJsonBody {
  assertJsonShape(body, limits);
  try {
    return { value: JSON.parse(body.toString('utf8')) };
  } catch (error) {
    return { invalid: error instanceof Error ? error : new Error(String(error)) };
  }
}
