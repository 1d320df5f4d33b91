/** List prices of one model, in USD per million tokens. */
export interface ModelPrice {
  input: number;
  output: number;
  /** Cache writes kept 5 minutes. */
  cacheWrite5m: number;
  /** Cache writes kept 1 hour. */
  cacheWrite1h: number;
  cacheRead: number;
  /** Applied to the whole request when it ran in fast mode; 1 when the model has none. */
  fastMultiplier: number;
}

/** Token counts of one request or a sum of them. */
export interface TokenCounts {
  inputTokens: number;
  outputTokens: number;
  cacheWrite5mTokens: number;
  cacheWrite1hTokens: number;
  cacheReadTokens: number;
}

/** What `tokens` cost at `price`, in USD. Linear in the tokens: a sum of requests costs the sum of their costs. */
export function costUsd(tokens: TokenCounts, price: ModelPrice, fast: boolean): number {
  const perMillion =
    tokens.inputTokens * price.input +
    tokens.outputTokens * price.output +
    tokens.cacheWrite5mTokens * price.cacheWrite5m +
    tokens.cacheWrite1hTokens * price.cacheWrite1h +
    tokens.cacheReadTokens * price.cacheRead;
  return (perMillion / 1_000_000) * (fast ? price.fastMultiplier : 1);
}
