/**
 * A JSON number kept with its source text, for numbers JSON.parse cannot hold exactly as a safe integer (a 64-bit
 * integer such as 9007199254740993 sent as a JSON number, which OTLP JSON allows, or any fraction).
 */
export class ExactNumber {
  constructor(
    readonly source: string,
    readonly value: number,
  ) {}
}

/**
 * Thrown while reading a body parsed the fast way, at an integer field holding a JSON number beyond 2^53: the body
 * is parsed again keeping number sources (slower, so only then).
 */
export class InexactNumberError extends Error {
  override readonly name = 'InexactNumberError';
}
