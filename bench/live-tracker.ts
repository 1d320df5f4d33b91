// A client process's account of what its subscribers received: per update, the session and its event count
// (read from the text, not parsed: the client must stay light at 100,000 messages a second), turned into
// latencies against the send times the runner announces.
import { Histogram } from './live-histogram.js';
import type { SubscriberResult, SubscriberSpec } from './live-protocol.js';

interface Subscriber {
  readonly spec: SubscriberSpec;
  /** The session it watches (index), or -1 for all. */
  readonly watches: number;
  /** Per session: the highest event count seen. */
  readonly seen: Int32Array;
  updates: number;
  measuredUpdates: number;
  ended: string | null;
}

interface Pending {
  session: number;
  /** Events after `from` up to `to` were first seen in this update. */
  from: number;
  to: number;
  at: number;
}

const MAX_ERRORS = 20;

export class LiveTracker {
  readonly updateLatency = new Histogram();
  readonly eventLatency = new Histogram();
  readonly errors: string[] = [];
  repeats = 0;
  readonly #sessionIndex: Map<string, number>;
  readonly #measureFrom: readonly number[];
  /** Per session: sendTimes[k] is when its event k (1-based count) was sent; unknown until announced. */
  readonly #sendTimes: number[][];
  readonly #subscribers = new Map<number, Subscriber>();
  #pending: Pending[] = [];

  constructor(sessionIds: readonly string[], measureFrom: readonly number[]) {
    this.#sessionIndex = new Map(sessionIds.map((id, i) => [id, i]));
    this.#measureFrom = measureFrom;
    this.#sendTimes = sessionIds.map(() => []);
  }

  add(spec: SubscriberSpec): void {
    this.#subscribers.set(spec.index, {
      spec,
      watches: spec.sessionId === null ? -1 : this.#sessionIndex.get(spec.sessionId)!,
      seen: new Int32Array(this.#sendTimes.length),
      updates: 0,
      measuredUpdates: 0,
      ended: null,
    });
  }

  error(message: string): void {
    if (this.errors.length < MAX_ERRORS) this.errors.push(message);
  }

  ended(index: number, reason: string): void {
    const s = this.#subscribers.get(index)!;
    s.ended ??= reason;
  }

  /** The runner's announcement: events of `session` after the last announced, up to `count`, went out at `at`. */
  sent(at: number, session: number, count: number): void {
    const times = this.#sendTimes[session]!;
    while (times.length <= count) times.push(at);
    if (this.#pending.length > 0) this.#resolve();
  }

  result(index: number, json: string, at: number): void {
    const s = this.#subscribers.get(index)!;
    const idAt = json.indexOf('"id":"');
    const countAt = json.indexOf('"eventCount":');
    if (idAt < 0 || countAt < 0 || json.includes('"errors"')) {
      this.error(`subscriber ${index} (${s.spec.transport}): ${json.slice(0, 300)}`);
      return;
    }
    const session = this.#sessionIndex.get(json.slice(idAt + 6, json.indexOf('"', idAt + 6)));
    const count = Number.parseInt(json.slice(countAt + 13), 10);
    if (session === undefined || !Number.isSafeInteger(count)) {
      this.error(`subscriber ${index}: an update the bench cannot read: ${json.slice(0, 300)}`);
      return;
    }
    s.updates++;
    const seen = s.seen[session]!;
    if (count <= seen) {
      this.repeats++;
      return;
    }
    s.seen[session] = count;
    const from = Math.max(seen, this.#measureFrom[session]!);
    if (count <= from) return;
    s.measuredUpdates++;
    const pending = { session, from, to: count, at };
    if (!this.#record(pending)) this.#pending.push(pending);
  }

  #record(p: Pending): boolean {
    const times = this.#sendTimes[p.session]!;
    if (times.length <= p.to) return false;
    this.updateLatency.add(p.at - times[p.to]!);
    for (let k = p.from + 1; k <= p.to; k++) this.eventLatency.add(p.at - times[k]!);
    return true;
  }

  #resolve(): void {
    this.#pending = this.#pending.filter((p) => !this.#record(p));
  }

  get unresolved(): number {
    return this.#pending.length;
  }

  /** Subscribers not yet shown `counts[session]` events for every session they watch (ended ones included). */
  behind(counts: readonly number[]): number {
    let behind = 0;
    for (const s of this.#subscribers.values()) {
      if (s.watches >= 0) {
        if (s.seen[s.watches]! < counts[s.watches]!) behind++;
      } else if (counts.some((c, i) => s.seen[i]! < c)) behind++;
    }
    return behind;
  }

  subscriberResults(): SubscriberResult[] {
    return [...this.#subscribers.values()].map((s) => ({
      index: s.spec.index, transport: s.spec.transport, measuredUpdates: s.measuredUpdates, updates: s.updates, ended: s.ended,
    }));
  }
}
