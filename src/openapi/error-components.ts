import type { Scope } from '../auth/scopes.js';
import { UNAUTHENTICATED_MESSAGE } from '../errors/api-error.js';
import { WINDOW_MS } from '../limits/tier-limits.js';
import { closedObject, headerRef, schemaRef, type JsonObject } from './json-schema.js';

// The REST errors (docs/api.md#errors) in OpenAPI terms: the error envelope for each code, the headers every response
// carries, and one reusable response per error status.

export const REQUEST_ID_PATTERN = '^[A-Za-z0-9._-]{1,128}$';

export const ERROR_DETAIL: JsonObject = closedObject(
  {
    field: { type: 'string', description: 'The parameter or body field, in the REST spelling (`start_date`, `events`, `body`).' },
    message: { type: 'string', minLength: 1 },
  },
  { description: 'One bad field and what is wrong with it.', examples: [{ field: 'limit', message: 'must be an integer of at least 1' }] },
);

/** `{"error": {"code", "message", "details"?}}` with `code` fixed and nothing else anywhere. */
function errorEnvelope(code: string, message: JsonObject, details: 'required' | 'absent', description: string): JsonObject {
  const error: JsonObject = {
    type: 'object',
    properties: {
      code: { const: code },
      message: { type: 'string', minLength: 1, ...message },
      ...(details === 'required'
        ? { details: { type: 'array', minItems: 1, items: schemaRef('ErrorDetail'), description: 'Each bad field, once or more.' } }
        : {}),
    },
    required: details === 'required' ? ['code', 'message', 'details'] : ['code', 'message'],
    additionalProperties: false,
  };
  return closedObject({ error }, { description });
}

function forbiddenMessage(scope: Scope): string {
  return `This API key does not have the required scope: ${scope}`;
}

/** Schema component name of the 403 body for an endpoint that needs `scope`. */
export function forbiddenName(scope: Scope): string {
  return scope === 'read:analytics' ? 'ForbiddenReadAnalytics' : 'ForbiddenWriteEvents';
}

export const ERROR_SCHEMAS: Readonly<Record<string, JsonObject>> = {
  ErrorDetail: ERROR_DETAIL,
  ValidationError: errorEnvelope(
    'VALIDATION_ERROR',
    { examples: ['limit: must be an integer of at least 1'] },
    'required',
    'A parameter or the body is invalid; `details` names each bad field.',
  ),
  Unauthorized: errorEnvelope('UNAUTHORIZED', { const: UNAUTHENTICATED_MESSAGE }, 'absent', 'The key is absent, malformed, unknown or revoked: one body for all.'),
  ForbiddenReadAnalytics: errorEnvelope('FORBIDDEN', { const: forbiddenMessage('read:analytics') }, 'absent', 'The key lacks `read:analytics`.'),
  ForbiddenWriteEvents: errorEnvelope('FORBIDDEN', { const: forbiddenMessage('write:events') }, 'absent', 'The key lacks `write:events`.'),
  NotFound: errorEnvelope('NOT_FOUND', { examples: ['No route for /api/v1/nope.'] }, 'absent', 'No route has this path (whether or not a key was sent).'),
  MethodNotAllowed: errorEnvelope(
    'METHOD_NOT_ALLOWED',
    { examples: ['Method DELETE is not allowed on /api/v1/sessions. Allowed: GET, HEAD.'] },
    'absent',
    'The path is known but not with this method; `Allow` lists the methods it takes.',
  ),
  PayloadTooLarge: errorEnvelope(
    'PAYLOAD_TOO_LARGE',
    { pattern: '^Request body exceeds the limit of [0-9]+ bytes\\.$', examples: ['Request body exceeds the limit of 5242880 bytes.'] },
    'absent',
    'The body is over the limit (`TRENCHCOAT_BODY_LIMIT_BYTES`, default 5 MiB); nothing is stored.',
  ),
  UnsupportedMediaType: errorEnvelope(
    'UNSUPPORTED_MEDIA_TYPE',
    {
      pattern: '^The body must be sent as Content-Type: application/json; ',
      examples: ['The body must be sent as Content-Type: application/json; not text/plain.'],
    },
    'absent',
    'The body is not declared `application/json` (no Content-Type, another type, or a charset other than UTF-8); nothing is read or stored.',
  ),
  RateLimited: errorEnvelope(
    'RATE_LIMITED',
    { pattern: '^Rate limit exceeded\\. Retry after [0-9]+ seconds\\.$', examples: ['Rate limit exceeded. Retry after 50 seconds.'] },
    'absent',
    "The key's tier allows no more requests (or events) in this minute.",
  ),
  InternalError: errorEnvelope(
    'INTERNAL_ERROR',
    { pattern: 'Request id: [A-Za-z0-9._-]{1,128}\\.$', examples: ['An unexpected error occurred. Request id: 3f1c2a9e-6b1d-4f0e-9a57-0c2b8d1e4f60.'] },
    'absent',
    'An unexpected failure; the message carries the request id, never a stack trace or SQL.',
  ),
  Unavailable: errorEnvelope('UNAVAILABLE', {}, 'absent', 'The database cannot be reached; try again shortly.'),
};

function header(description: string, schema: JsonObject, required: boolean): JsonObject {
  return { description, required, schema };
}

const SECONDS: JsonObject = { type: 'integer', minimum: 1 };

/** The RateLimit-* headers (IETF draft names); `required` on a 429, else present when the key's tier limits requests. */
function rateLimitHeaders(required: boolean): Record<string, JsonObject> {
  return {
    'RateLimit-Limit': header("Requests the key's tier allows per minute.", { type: 'integer', minimum: 1, examples: [60] }, required),
    'RateLimit-Remaining': header('Requests left in the current minute.', { type: 'integer', minimum: 0 }, required),
    'RateLimit-Reset': header('Seconds until the current minute ends.', SECONDS, required),
    'RateLimit-Policy': header(
      `The limit and its window in seconds (\`60;w=${WINDOW_MS / 1000}\`).`,
      { type: 'string', pattern: '^[0-9]+;w=[0-9]+$', examples: [`60;w=${WINDOW_MS / 1000}`] },
      required,
    ),
  };
}

export const HEADERS: Readonly<Record<string, JsonObject>> = {
  'X-Request-Id': header(
    "The request's id: the client's own `X-Request-Id` when it sent a sane one, else a new one. On every response.",
    { type: 'string', pattern: REQUEST_ID_PATTERN },
    true,
  ),
  ...rateLimitHeaders(false),
};

const REQUEST_ID_HEADER = { 'X-Request-Id': headerRef('X-Request-Id') };

/** The headers of a response to an authenticated request (the key's tier may limit requests). */
export function countedHeaders(): Record<string, JsonObject> {
  return {
    ...REQUEST_ID_HEADER,
    'RateLimit-Limit': headerRef('RateLimit-Limit'),
    'RateLimit-Remaining': headerRef('RateLimit-Remaining'),
    'RateLimit-Reset': headerRef('RateLimit-Reset'),
    'RateLimit-Policy': headerRef('RateLimit-Policy'),
  };
}

/** Headers of a response that no rate limit counted (no key, or answered before the key is read). */
export function plainHeaders(): Record<string, JsonObject> {
  return { ...REQUEST_ID_HEADER };
}

function jsonResponse(description: string, schemaName: string, headers: Record<string, JsonObject>): JsonObject {
  return { description, headers, content: { 'application/json': { schema: schemaRef(schemaName) } } };
}

export const ERROR_RESPONSES: Readonly<Record<string, JsonObject>> = {
  ValidationError: jsonResponse('`VALIDATION_ERROR`: a parameter or the body is invalid.', 'ValidationError', countedHeaders()),
  Unauthorized: jsonResponse('`UNAUTHORIZED`: missing or invalid API key.', 'Unauthorized', plainHeaders()),
  ForbiddenReadAnalytics: jsonResponse('`FORBIDDEN`: the key lacks `read:analytics`.', 'ForbiddenReadAnalytics', countedHeaders()),
  ForbiddenWriteEvents: jsonResponse('`FORBIDDEN`: the key lacks `write:events`.', 'ForbiddenWriteEvents', countedHeaders()),
  NotFound: jsonResponse('`NOT_FOUND`: no such path.', 'NotFound', plainHeaders()),
  MethodNotAllowed: jsonResponse('`METHOD_NOT_ALLOWED`: known path, wrong method.', 'MethodNotAllowed', {
    ...plainHeaders(),
    Allow: header('The methods the path takes (`HEAD` wherever `GET` is).', { type: 'string', examples: ['GET, HEAD'] }, true),
  }),
  PayloadTooLarge: jsonResponse('`PAYLOAD_TOO_LARGE`: the body is over the byte limit, or holds more JSON values than the limit (checked before it is parsed).', 'PayloadTooLarge', plainHeaders()),
  UnsupportedMediaType: jsonResponse(
    '`UNSUPPORTED_MEDIA_TYPE`: the body is not declared `application/json` (checked before the key).',
    'UnsupportedMediaType',
    plainHeaders(),
  ),
  RateLimited: jsonResponse('`RATE_LIMITED`: wait `Retry-After` seconds.', 'RateLimited', {
    ...plainHeaders(),
    'Retry-After': header('Seconds until the limit resets.', SECONDS, true),
    ...rateLimitHeaders(true),
  }),
  InternalError: jsonResponse('`INTERNAL_ERROR`: an unexpected failure.', 'InternalError', countedHeaders()),
  Unavailable: jsonResponse('`UNAVAILABLE`: the database cannot be reached.', 'Unavailable', countedHeaders()),
};
