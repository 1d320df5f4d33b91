// A GraphQL-over-SSE subscription that reads everything it is sent (POST /graphql, Accept:
// text/event-stream), counting `next` messages and bytes without keeping them.
import { request, type ClientRequest } from 'node:http';
import { answerCode } from './answer-summary.js';

const NEXT = Buffer.from('event: next');
const BLANK = Buffer.from('\n\n');

/** Where `marker` occurs in `tail + chunk` and ends inside `chunk`, relative to the chunk's start (negative: it began in the tail). */
function matches(tail: Buffer, chunk: Buffer, marker: Buffer): number[] {
  const found: number[] = [];
  if (tail.length > 0) {
    const seam = Buffer.concat([tail, chunk.subarray(0, marker.length - 1)]);
    for (let at = seam.indexOf(marker); at >= 0 && at < tail.length; at = seam.indexOf(marker, at + 1)) found.push(at - tail.length);
  }
  for (let at = chunk.indexOf(marker); at >= 0; at = chunk.indexOf(marker, at + 1)) found.push(at);
  return found;
}

/** The last `marker.length - 1` bytes seen, where a straddling marker begins. */
function tailOf(tail: Buffer, chunk: Buffer, marker: Buffer): Buffer {
  const keep = marker.length - 1;
  if (chunk.length >= keep) return Buffer.from(chunk.subarray(chunk.length - keep));
  return Buffer.from(Buffer.concat([tail, chunk]).subarray(-keep));
}

export class SseStream {
  status: number | null = null;
  /** Complete `next` messages received. */
  messages = 0;
  bytes = 0;
  /** The first bytes of the stream: an error message (`"errors"`, its code) shows here. */
  head = '';
  /** How it ended: `complete` (the server ended it), a socket error, `closed`; null while open. */
  end: string | null = null;
  readonly #req: ClientRequest;
  readonly #waiters = new Set<() => void>();
  #tails: [Buffer, Buffer] = [Buffer.alloc(0), Buffer.alloc(0)];
  #inMessage = false;

  constructor(url: string, key: string, query: string) {
    const body = JSON.stringify({ query });
    this.#req = request(`${url}/graphql`, {
      method: 'POST',
      agent: false,
      headers: { 'x-api-key': key, 'content-type': 'application/json', accept: 'text/event-stream', 'content-length': String(Buffer.byteLength(body)) },
    });
    this.#req.on('response', (res) => {
      this.status = res.statusCode ?? null;
      this.#wake();
      res.on('data', (chunk: Buffer) => this.#read(chunk));
      res.on('end', () => this.#ended('complete'));
      res.on('error', (error: NodeJS.ErrnoException) => this.#ended(error.code ?? error.message));
    });
    this.#req.on('error', (error: NodeJS.ErrnoException) => this.#ended(error.code ?? error.message));
    this.#req.on('close', () => this.#ended('closed'));
    this.#req.end(body);
  }

  /** The error code of an error message at the start of the stream, else null. */
  get errorCode(): string | null {
    return this.head.includes('"errors"') ? (answerCode(this.head) ?? 'ERROR') : null;
  }

  #read(chunk: Buffer): void {
    this.bytes += chunk.length;
    if (this.head.length < 4096) this.head += chunk.subarray(0, 4096 - this.head.length).toString('utf8');
    // A message is `event: next`, a `data:` line of JSON (which has no raw newline) and a blank line:
    // it is complete at the first blank line after its marker. Markers may straddle two chunks.
    const found = [...matches(this.#tails[0], chunk, NEXT).map((at) => [at, 0] as const), ...matches(this.#tails[1], chunk, BLANK).map((at) => [at, 1] as const)];
    for (const [, kind] of found.sort((a, b) => a[0] - b[0])) {
      if (kind === 0) this.#inMessage = true;
      else if (this.#inMessage) {
        this.#inMessage = false;
        this.messages++;
      }
    }
    this.#tails = [tailOf(this.#tails[0], chunk, NEXT), tailOf(this.#tails[1], chunk, BLANK)];
    this.#wake();
  }

  #ended(how: string): void {
    this.end ??= how;
    this.#wake();
  }

  #wake(): void {
    for (const waiter of this.#waiters) waiter();
  }

  /** Resolves when `done()` holds, the stream ends, or `signal` aborts; true when `done()` held. */
  until(done: () => boolean, signal: AbortSignal): Promise<boolean> {
    return new Promise((resolve) => {
      const check = () => {
        if (done()) finish(true);
        else if (this.end !== null || signal.aborted) finish(false);
      };
      const finish = (result: boolean) => {
        this.#waiters.delete(check);
        signal.removeEventListener('abort', check);
        resolve(result);
      };
      this.#waiters.add(check);
      signal.addEventListener('abort', check, { once: true });
      check();
    });
  }

  close(): void {
    this.#req.destroy();
  }
}
