/** Where a model request was learned from. A request reported by both is one request (joined on its id). */
export type UsageSource = 'otlp' | 'transcript';

/**
 * One request Claude Code made to a model, with the tokens it used: from an OTLP `api_request` event or a
 * transcript line's `message.usage`. Token counts are whole numbers ≥ 0.
 */
export interface ModelRequest {
  sessionId: string;
  /**
   * What joins the two sources: the API's request id (OTLP `request_id`, the transcript's `requestId`); when a
   * source has none, a key of its own (`otlp-client:<client_request_id>`, `message:<message.id>`, `line:<hash>`).
   */
  requestKey: string;
  /** The model's id as reported (`claude-sonnet-4-5-20250929`…); '' when unknown. */
  model: string;
  /** Epoch milliseconds. */
  ts: number;
  inputTokens: number;
  outputTokens: number;
  /** Cache writes priced at the 5-minute rate (all of them when the source does not split: OTLP never does). */
  cacheWrite5mTokens: number;
  /** Cache writes priced at the 1-hour rate (transcripts' `usage.cache_creation.ephemeral_1h_input_tokens`). */
  cacheWrite1hTokens: number;
  cacheReadTokens: number;
  /** Claude Code's own estimate (OTLP `cost_usd`), in nano-USD; null when the source has none. */
  reportedCostNanos: number | null;
  /** `usage.speed === 'fast'` (transcripts) or `speed: "fast"` (OTLP): priced with the fast multiplier. */
  fast: boolean;
  source: UsageSource;
}

/** One failed model request (OTLP `api_error`), counted per session. */
export interface ModelRequestError {
  sessionId: string;
  /** `request_id`, else `client_request_id`, else a hash of the record: retries of one delivery count once. */
  errorKey: string;
  model: string;
  ts: number;
  statusCode: number | null;
}
