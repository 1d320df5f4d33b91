import type { IncomingHttpHeaders } from 'node:http';
import { validationError } from '../../errors/api-error.js';

/** The connectionParams names a key may travel under, as the HTTP headers of the same name (any letter case). */
const KEY_PARAMS = new Set(['x-api-key', 'authorization']);

/**
 * The key headers a graphql-ws client sent in its connection_init payload (`connectionParams`): `X-API-Key` or
 * `Authorization: Bearer …`, read as HTTP reads them (src/http/admission.ts presentedKey). Anything else there is
 * ignored; a key that is not a string is a 400.
 */
export function connectionKeyHeaders(params: Readonly<Record<string, unknown>> | undefined): IncomingHttpHeaders {
  const headers: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(params ?? {})) {
    const lower = name.toLowerCase();
    if (!KEY_PARAMS.has(lower) || value === undefined || value === null) continue;
    if (typeof value !== 'string') {
      throw validationError([{ field: `connectionParams.${name}`, message: 'must be a string' }], `connectionParams.${name} must be a string.`);
    }
    if (lower === 'x-api-key') headers['x-api-key'] = value;
    else headers.authorization = value;
  }
  return headers;
}
