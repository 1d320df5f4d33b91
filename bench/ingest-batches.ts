// Fresh 1000-event batches for the ingestion scenario: a template of ~83 new sessions (~12 events
// each) whose session ids share an 8-hex-digit head, replaced per batch by a unique one, so every
// batch is new sessions and new events (never the dedup path) at almost no cost to the client.
import { mulberry32, randomUuid, sessionEvents, type RawEvent } from './sessions-gen.js';

const HEAD = 'ffffffff';
export const INGEST_BATCH_SIZE = 1000;

export class FreshBatches {
  readonly #template: RawEvent[] = [];
  readonly #parts: string[];
  #counter = 0;

  /** `tag` (0–255) keeps batches of different producers (gateway rounds, loop rounds) apart. */
  constructor(readonly tag: number, startMs = Date.parse('2025-01-02T00:00:00Z')) {
    const random = mulberry32(4242);
    let start = startMs;
    while (this.#template.length < INGEST_BATCH_SIZE) {
      const id = `${HEAD}${randomUuid(random).slice(8)}`;
      start += 1000 + Math.floor(random() * 600_000);
      for (const e of sessionEvents(random, id, start)) if (this.#template.length < INGEST_BATCH_SIZE) this.#template.push(e);
    }
    this.#parts = JSON.stringify({ events: this.#template }).split(HEAD);
  }

  #head(): string {
    const n = this.#counter++;
    if (n >= 0x1000000) throw new Error('FreshBatches: out of unique batch heads');
    return this.tag.toString(16).padStart(2, '0') + n.toString(16).padStart(6, '0');
  }

  /** The next batch as a request body. */
  nextBody(): string {
    return this.#parts.join(this.#head());
  }

  /** The next batch as event objects (for the in-process loop). */
  nextEvents(): RawEvent[] {
    const head = this.#head();
    return this.#template.map((e) => ({ ...e, session_id: head + e.session_id.slice(8) }));
  }
}
