// The live bench's event source: small batches to POST /api/v1/events on a fixed schedule, each event on a
// session drawn at random, one request in flight (so a session's events are stored in the order they were
// sent, and its event count names its newest event). Each batch's send time goes to the clients first.
import { Agent, request } from 'node:http';
import { Histogram } from './live-histogram.js';
import { wallNow } from './live-protocol.js';
import { mulberry32, type RawEvent } from './sessions-gen.js';

const TOOLS = ['Read', 'Edit', 'Bash', 'Grep', 'Write'];

export class IngestRefused extends Error {}

export interface IngestStats {
  batches: number;
  events: number;
  /** Batches sent after their slot because the previous one had not been answered yet. */
  late: number;
  /** POST round trips. */
  ack: Histogram;
  seconds: number;
}

export class LiveIngest {
  /** Per session: events stored so far (= its eventCount once committed). */
  readonly counts: number[];
  readonly #agent = new Agent({ keepAlive: true, maxSockets: 1 });
  readonly #random = mulberry32(0x11fe);
  readonly #index: Map<string, number>;
  #serial = 0;

  constructor(
    readonly url: string,
    readonly key: string,
    readonly sessionIds: readonly string[],
    /** Told each batch's [session, new count] pairs and send time, before the batch goes out. */
    readonly announce: (at: number, counts: [number, number][]) => void,
  ) {
    this.counts = sessionIds.map(() => 0);
    this.#index = new Map(sessionIds.map((id, i) => [id, i]));
  }

  #event(session: number, type: string, data: Record<string, unknown>): RawEvent {
    return {
      event_type: type,
      session_id: this.sessionIds[session]!,
      timestamp: new Date().toISOString(),
      event_id: `live-${++this.#serial}`,
      data,
    };
  }

  /** One event on each session given, as one batch. */
  async each(sessions: readonly number[], type: string): Promise<void> {
    await this.#send(sessions.map((s) => this.#event(s, type, type === 'session_start' ? { source: 'startup' } : { tool_name: 'Read' })));
  }

  /** `size` events, each on a random session. */
  async batch(size: number): Promise<void> {
    const events: RawEvent[] = [];
    for (let i = 0; i < size; i++) {
      const session = Math.floor(this.#random() * this.sessionIds.length);
      events.push(this.#event(session, 'tool_use', { tool_name: TOOLS[i % TOOLS.length] }));
    }
    await this.#send(events);
  }

  async #send(events: RawEvent[]): Promise<void> {
    const touched = new Map<number, number>();
    for (const e of events) {
      const s = this.#index.get(e.session_id)!;
      touched.set(s, ++this.counts[s]!);
    }
    const body = JSON.stringify({ events });
    const at = wallNow();
    this.announce(at, [...touched]);
    const answer = await this.#post(body);
    let accepted: { accepted?: number; duplicates?: number } | undefined;
    try {
      accepted = (JSON.parse(answer.text) as { data?: typeof accepted }).data;
    } catch {
      accepted = undefined;
    }
    if (answer.status !== 200 || accepted?.accepted !== events.length || accepted.duplicates !== 0) {
      throw new IngestRefused(`POST /api/v1/events: HTTP ${answer.status} ${answer.text.slice(0, 300)}`);
    }
  }

  #post(body: string): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const req = request(`${this.url}/api/v1/events`, {
        method: 'POST',
        agent: this.#agent,
        headers: { 'content-type': 'application/json', 'x-api-key': this.key, 'content-length': Buffer.byteLength(body) },
      });
      req.on('error', reject);
      req.on('response', (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        res.on('error', reject);
      });
      req.end(body);
    });
  }

  /** `rate` events a second in batches of `size` for `seconds`, on schedule; a late answer delays the next batches. */
  async run(rate: number, size: number, seconds: number): Promise<IngestStats> {
    const period = (1000 * size) / rate;
    const stats: IngestStats = { batches: 0, events: 0, late: 0, ack: new Histogram(), seconds: 0 };
    const start = performance.now();
    for (let i = 0; ; i++) {
      const slot = start + i * period;
      // A gateway too slow to answer on schedule shortens the run, not lengthens it: the rate achieved is reported.
      if (slot - start >= seconds * 1000 || performance.now() - start >= seconds * 1000) break;
      const wait = slot - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      else if (i > 0 && wait < -period / 2) stats.late++;
      const sent = performance.now();
      await this.batch(size);
      stats.ack.add(performance.now() - sent);
      stats.batches++;
      stats.events += size;
    }
    stats.seconds = (performance.now() - start) / 1000;
    return stats;
  }

  close(): void {
    this.#agent.destroy();
  }
}
