import { Kind, valueFromASTUntyped, type ValueNode } from 'graphql';
import { validationError, type FieldProblem } from '../../errors/api-error.js';
import { formatUtc, parseDateOrDateTime } from '../../time/iso-time.js';
import { builder } from '../builder.js';
import { toGraphQLError } from '../to-graphql-error.js';

/**
 * Thrown as a GraphQLError: graphql-js reports a scalar's GraphQLError as it is, and prefixes
 * any other error's message with its own ("Expected type ...").
 */
function invalid(details: FieldProblem[]): never {
  throw toGraphQLError(validationError(details));
}

function parseDateTimeInput(value: unknown): number {
  if (typeof value !== 'string') {
    invalid([{ field: 'DateTime', message: 'must be a string: YYYY-MM-DD or an ISO 8601 date-time' }]);
  }
  const parsed = parseDateOrDateTime(value);
  if (!parsed.ok) invalid([{ field: 'DateTime', message: parsed.message }]);
  return parsed.ms;
}

builder.scalarType('DateTime', {
  description:
    'An instant, as a JSON string in ISO 8601. Output: always UTC, `YYYY-MM-DDTHH:MM:SSZ`, with `.sss` only when ' +
    'the milliseconds are not zero. Input: `YYYY-MM-DD` (00:00:00Z of that day) or `YYYY-MM-DDTHH:MM:SS[.fff]` ' +
    'with `Z` or `±HH:MM`.',
  serialize: (ms) => formatUtc(ms),
  parseValue: parseDateTimeInput,
  parseLiteral: (ast) => parseDateTimeInput(ast.kind === Kind.STRING ? ast.value : null),
});

function parseDateInput(value: unknown): number {
  const parsed = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) ? parseDateOrDateTime(value) : null;
  if (!parsed?.ok) invalid([{ field: 'Date', message: 'must be a calendar date as a string: YYYY-MM-DD' }]);
  return parsed.ms;
}

builder.scalarType('Date', {
  description: 'A UTC calendar day, as a JSON string `YYYY-MM-DD`.',
  // The day's first instant, in epoch milliseconds.
  serialize: (ms) => formatUtc(ms).slice(0, 10),
  parseValue: parseDateInput,
  parseLiteral: (ast) => parseDateInput(ast.kind === Kind.STRING ? ast.value : null),
});

function parseSafeInt(value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    invalid([{ field: 'SafeInt', message: 'must be an integer between -(2^53-1) and 2^53-1' }]);
  }
  return value;
}

builder.scalarType('SafeInt', {
  description:
    'An integer, as a JSON number, within ±(2^53-1) (exact in a JavaScript number), for counts and durations ' +
    'that outgrow 32-bit Int.',
  serialize: (n) => n,
  parseValue: parseSafeInt,
  parseLiteral: (ast) => parseSafeInt(ast.kind === Kind.INT ? Number(ast.value) : null),
});

function parseObject(value: unknown): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    invalid([{ field: 'JSONObject', message: 'must be a JSON object' }]);
  }
  return value as Record<string, unknown>;
}

builder.scalarType('JSONObject', {
  description: 'A JSON object (never an array, a string or null), with any members.',
  serialize: (o) => o,
  parseValue: parseObject,
  parseLiteral: (ast: ValueNode, variables) => parseObject(valueFromASTUntyped(ast, variables ?? undefined)),
});
