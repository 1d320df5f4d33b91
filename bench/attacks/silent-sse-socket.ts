// A GraphQL-over-SSE subscriber that never reads: a raw socket that sends its request, takes the
// first chunk (the status line) and then stops reading, so the server's writes pile up.
import { connect, type Socket } from 'node:net';

export class SilentSseSocket {
  /** The HTTP status of the answer's first line, or null before it (or without one). */
  status: number | null = null;
  error: string | null = null;
  readonly #socket: Socket;
  readonly answered: Promise<void>;

  constructor(url: string, key: string, query: string) {
    const { hostname, port } = new URL(url);
    const body = JSON.stringify({ query });
    this.#socket = connect(Number(port), hostname);
    this.#socket.on('error', (error: NodeJS.ErrnoException) => (this.error ??= error.code ?? error.message));
    this.#socket.write(
      `POST /graphql HTTP/1.1\r\nHost: ${hostname}:${port}\r\nX-API-Key: ${key}\r\nContent-Type: application/json\r\n` +
        `Accept: text/event-stream\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    this.answered = new Promise((resolve) => {
      this.#socket.once('data', (chunk: Buffer) => {
        this.status = Number(/^HTTP\/1\.1 (\d{3})/.exec(chunk.toString('latin1'))?.[1] ?? 0) || null;
        this.#socket.pause();
        resolve();
      });
      this.#socket.once('close', () => resolve());
    });
  }

  close(): void {
    this.#socket.destroy();
  }
}
