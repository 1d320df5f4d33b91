/** A JSON Schema 2020-12 object or an OpenAPI object, as plain data. */
export type JsonObject = { readonly [key: string]: unknown };

export function schemaRef(name: string): JsonObject {
  return { $ref: `#/components/schemas/${name}` };
}

export function responseRef(name: string): JsonObject {
  return { $ref: `#/components/responses/${name}` };
}

export function headerRef(name: string): JsonObject {
  return { $ref: `#/components/headers/${name}` };
}

export function parameterRef(name: string): JsonObject {
  return { $ref: `#/components/parameters/${name}` };
}

/** An object whose keys are exactly `properties`, all required: the shapes the contract fixes. */
export function closedObject(properties: Record<string, JsonObject>, extra: JsonObject = {}): JsonObject {
  return { type: 'object', properties, required: Object.keys(properties), additionalProperties: false, ...extra };
}

export const COUNT: JsonObject = Object.freeze({ type: 'integer', minimum: 0 });

/** `YYYY-MM-DDTHH:MM:SSZ`, `.sss` only when the milliseconds are not zero (docs/api.md#times). */
export const UTC_TIME: JsonObject = Object.freeze({
  type: 'string',
  format: 'date-time',
  pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.(?!000)[0-9]{3})?Z$',
  examples: ['2024-01-15T10:30:00Z', '2024-02-01T12:00:00.123Z'],
});

export const DATE_PATTERN = '[0-9]{4}-[0-9]{2}-[0-9]{2}';
/** The time of an input instant: `Z` or an offset, any fraction (finer than a millisecond is truncated). */
export const INPUT_TIME_PATTERN = '[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})';
