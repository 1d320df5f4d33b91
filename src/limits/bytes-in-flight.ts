/** Which ceiling a charge would pass. */
export type InFlightCeiling = 'key' | 'process';

/**
 * The estimated bytes of the answers this process is building, per key and in all. A charge that would
 * pass either ceiling is refused rather than queued: a request charges as it goes, so one that waited
 * while holding its earlier charges could wait on another doing the same (a deadlock), and a refusal
 * holds nothing.
 */
export class BytesInFlight {
  readonly #byKey = new Map<string, number>();
  #total = 0;

  constructor(
    readonly perKey: number,
    readonly perProcess: number,
  ) {}

  get total(): number {
    return this.#total;
  }

  of(keyId: string): number {
    return this.#byKey.get(keyId) ?? 0;
  }

  /** Takes `bytes` for `keyId`, or takes nothing and names the ceiling it would pass. */
  take(keyId: string, bytes: number): InFlightCeiling | null {
    const held = this.of(keyId);
    if (held + bytes > this.perKey) return 'key';
    if (this.#total + bytes > this.perProcess) return 'process';
    this.#byKey.set(keyId, held + bytes);
    this.#total += bytes;
    return null;
  }

  give(keyId: string, bytes: number): void {
    const left = this.of(keyId) - bytes;
    if (left > 0) this.#byKey.set(keyId, left);
    else this.#byKey.delete(keyId);
    this.#total = Math.max(0, this.#total - bytes);
  }
}
