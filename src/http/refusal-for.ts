import type { ApiError } from '../errors/api-error.js';
import { toRestError } from '../rest/error-envelope.js';
import type { ErrorShape, Refusal } from './admission.js';

/** An API error answered before the handler runs, in the route's own shape: the REST envelope, or GraphQL's `errors` list. */
export function refusalFor(error: ApiError, shape: ErrorShape): Refusal {
  if (shape === 'rest') return toRestError(error);
  return { status: error.status, body: { errors: [{ message: error.message, extensions: { code: error.code } }] }, headers: error.headers };
}
