import { createHash, timingSafeEqual } from 'node:crypto';

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/**
 * The scrape token (TRENCHCOAT_METRICS_TOKEN), kept only as its SHA-256 digest. Both sides are
 * hashed before the constant-time comparison, so neither the token's length nor how much of it
 * a guess got right shows in the time taken.
 */
export class MetricsToken {
  readonly #digest: Buffer;

  constructor(token: string) {
    this.#digest = digest(token);
  }

  /** True when `authorization` is `Bearer <the token>` (scheme case-insensitive). */
  matches(authorization: string | undefined): boolean {
    const presented = /^bearer +(\S+) *$/i.exec(authorization ?? '')?.[1] ?? '';
    return timingSafeEqual(digest(presented), this.#digest);
  }
}
