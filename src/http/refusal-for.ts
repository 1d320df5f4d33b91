import type { ApiError } from '../errors/api-error.js';
import { rpcStatus } from '../otlp/rpc-status.js';
import { toRestError } from '../rest/error-envelope.js';
import type { ErrorShape, Refusal } from './admission.js';

/** An API error answered before the handler runs, in the route's own shape: the REST envelope, GraphQL's `errors` list, OTLP's Status. */
export function refusalFor(error: ApiError, shape: ErrorShape): Refusal {
  if (shape === 'rest') return toRestError(error);
  if (shape === 'otlp') return { status: error.status, body: rpcStatus(error), headers: error.headers };
  return { status: error.status, body: { errors: [{ message: error.message, extensions: { code: error.code } }] }, headers: error.headers };
}
