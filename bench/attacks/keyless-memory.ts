// Attack 3 (issue 15): connections without a key each announce a body just under the 5 MiB limit
// (Content-Length: 5242879) to POST /api/v1/events, send all of it but the last byte at once, and
// hold it there 10 s before sending the last byte and reading the answer. A gateway that buffers
// bodies before it checks the key holds ~5 MiB per connection; 300 and 600 of them.
import { connect, type Socket } from 'node:net';
import { abortableSleep } from './abortable-sleep.js';
import type { AttackLab } from './attack-lab.js';

const BODY_BYTES = 5 * 1024 * 1024 - 1;
const HOLD_MS = 10_000;
const SEND_WITHIN_MS = 30_000;
const ANSWER_WITHIN_MS = 20_000;

class HeldUpload {
  status: number | null = null;
  /** The answer came before the last byte was sent: the gateway did not wait for the body. */
  early = false;
  /** All but the last byte handed to the kernel. */
  sent = false;
  lastByteSent = false;
  error: string | null = null;
  readonly socket: Socket;
  readonly #events = new EventTarget();

  constructor(url: string, body: Buffer) {
    const { hostname, port } = new URL(url);
    this.socket = connect(Number(port), hostname);
    this.socket.on('error', (error: NodeJS.ErrnoException) => {
      this.error ??= error.code ?? error.message;
      this.#events.dispatchEvent(new Event('change'));
    });
    this.socket.on('close', () => this.#events.dispatchEvent(new Event('change')));
    this.socket.once('data', (chunk: Buffer) => {
      this.status = Number(/^HTTP\/1\.1 (\d{3})/.exec(chunk.toString('latin1'))?.[1] ?? 0) || null;
      this.early = !this.lastByteSent;
      this.#events.dispatchEvent(new Event('change'));
    });
    this.socket.write(`POST /api/v1/events HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Type: application/json\r\nContent-Length: ${BODY_BYTES}\r\n\r\n`);
    // All but the last byte: the one buffer shared by every connection (the kernel copies, not the bench).
    this.socket.write(body, () => {
      this.sent = true;
      this.#events.dispatchEvent(new Event('change'));
    });
  }

  get settled(): boolean {
    return this.status !== null || this.error !== null || this.socket.destroyed;
  }

  until(done: () => boolean, ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        this.#events.removeEventListener('change', check);
        signal.removeEventListener('abort', finish);
        resolve();
      };
      const check = () => done() && finish();
      const timer = setTimeout(finish, ms);
      this.#events.addEventListener('change', check);
      signal.addEventListener('abort', finish, { once: true });
      check();
    });
  }
}

function outcome(u: HeldUpload): string {
  if (u.status !== null) return `${u.status}${u.early ? ' before the last byte' : ''}`;
  if (u.error) return `no answer (${u.error})`;
  return 'no answer';
}

export async function keylessMemory(lab: AttackLab): Promise<void> {
  const db = await lab.prepare('keyless-memory', {});
  const body = Buffer.alloc(BODY_BYTES - 1, 0x20);
  for (const connections of [300, 600]) {
    await lab.measure(
      `keyless memory: ${connections} connections, no key, 5 MiB − 1 byte bodies to /api/v1/events sent and held ${HOLD_MS / 1000} s`,
      db,
      async (gateway, signal) => {
        const uploads = Array.from({ length: connections }, () => new HeldUpload(gateway.url, body));
        try {
          const started = performance.now();
          await Promise.all(uploads.map((u) => u.until(() => u.sent || u.settled, SEND_WITHIN_MS, signal)));
          const sentMs = performance.now() - started;
          const sent = uploads.filter((u) => u.sent).length;
          await abortableSleep(HOLD_MS, signal);
          for (const u of uploads) {
            if (u.socket.destroyed) continue;
            u.lastByteSent = true;
            u.socket.write('}');
          }
          await Promise.all(uploads.map((u) => u.until(() => u.settled, ANSWER_WITHIN_MS, signal)));
          const counts = new Map<string, number>();
          for (const u of uploads) counts.set(outcome(u), (counts.get(outcome(u)) ?? 0) + 1);
          return `${[...counts].map(([k, n]) => `${k} ×${n}`).join(', ')}; ${sent} of ${connections} bodies written (all but the last byte) in ${(sentMs / 1000).toFixed(1)} s`;
        } finally {
          for (const u of uploads) u.socket.destroy();
        }
      },
      90_000,
    );
  }
}
