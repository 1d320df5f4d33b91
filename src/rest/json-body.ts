import { validationError } from '../errors/api-error.js';

/** Parses a request body as JSON; an empty or malformed body is a VALIDATION_ERROR. */
export function parseJsonBody(body: Buffer | null): unknown {
  if (!body || body.length === 0) throw validationError([{ field: 'body', message: 'is empty; expected JSON' }]);
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw validationError([{ field: 'body', message: `is not valid JSON (${(error as Error).message})` }]);
  }
}
