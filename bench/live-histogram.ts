// Latencies as counts per bucket (0.1 ms wide below 1 s, 1 ms above, up to 10 min): a million samples
// cost nothing to keep, and the client processes' histograms add up exactly.
const FINE = 10_000;
const COARSE = 600_000 - 1000;
const SIZE = FINE + COARSE;

export interface HistogramJson {
  /** [bucket, count] for the buckets that hold any. */
  buckets: [number, number][];
  count: number;
  max: number;
  negative: number;
}

function bucketOf(ms: number): number {
  if (ms < 1000) return Math.floor(ms * 10);
  return Math.min(SIZE - 1, FINE + Math.floor(ms) - 1000);
}

/** The bucket's upper edge: a percentile is reported as at most this. */
function upperEdge(bucket: number): number {
  return bucket < FINE ? (bucket + 1) / 10 : bucket - FINE + 1001;
}

export class Histogram {
  readonly #counts = new Float64Array(SIZE);
  count = 0;
  max = 0;
  /** Samples below 0 (clocks of two processes a hair apart), counted as 0. */
  negative = 0;

  add(ms: number): void {
    if (ms < 0) {
      this.negative++;
      ms = 0;
    }
    this.#counts[bucketOf(ms)]!++;
    this.count++;
    if (ms > this.max) this.max = ms;
  }

  merge(json: HistogramJson): void {
    for (const [bucket, count] of json.buckets) this.#counts[bucket]! += count;
    this.count += json.count;
    this.max = Math.max(this.max, json.max);
    this.negative += json.negative;
  }

  /** The smallest bucket edge at or below which `p` (0–1) of the samples lie; 0 without samples. */
  percentile(p: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil(p * this.count));
    let seen = 0;
    for (let b = 0; b < SIZE; b++) {
      seen += this.#counts[b]!;
      if (seen >= rank) return Math.min(upperEdge(b), this.max);
    }
    return this.max;
  }

  toJSON(): HistogramJson {
    const buckets: [number, number][] = [];
    for (let b = 0; b < SIZE; b++) if (this.#counts[b]! > 0) buckets.push([b, this.#counts[b]!]);
    return { buckets, count: this.count, max: this.max, negative: this.negative };
  }
}
