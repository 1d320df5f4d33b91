// An answer sent before its request's body was read: a big unread body ends the connection without being read
// (answer, FIN, then a reset LINGER_MS later), a small one is read and discarded so the connection stays.
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LINGER_MS, UNREAD_BODY_KEEP_BYTES } from '../src/http/linger-close.js';
import { startTestGateway, type TestGateway } from './support/test-gateway.js';
import { TEST_ENGINE } from './support/test-database.js';

const HEAD_END = '\r\n\r\n';

/** A raw connection that records what arrives, when the server ends its side, and when it is gone. */
class RawConnection {
  readonly socket: Socket;
  received = '';
  endedAt: number | null = null;
  closedAt: number | null = null;
  readonly closed: Promise<void>;

  constructor(url: string) {
    const { hostname, port } = new URL(url);
    this.socket = connect(Number(port), hostname);
    this.socket.on('data', (chunk: Buffer) => (this.received += chunk.toString('latin1')));
    this.socket.on('end', () => (this.endedAt = performance.now()));
    this.socket.on('error', () => {});
    this.closed = new Promise((resolve) => this.socket.on('close', () => {
      this.closedAt = performance.now();
      resolve();
    }));
  }

  /** Resolves with the head and body of the next whole answer (Content-Length framed). */
  async answer(from = 0): Promise<{ head: string; body: string; end: number }> {
    for (;;) {
      const text = this.received.slice(from);
      const headEnd = text.indexOf(HEAD_END);
      if (headEnd >= 0) {
        const head = text.slice(0, headEnd);
        const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
        const bodyStart = headEnd + HEAD_END.length;
        if (text.length >= bodyStart + length) return { head, body: text.slice(bodyStart, bodyStart + length), end: from + bodyStart + length };
      }
      if (this.closedAt !== null) throw new Error(`closed before a whole answer: ${JSON.stringify(text.slice(0, 200))}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

// One engine's run is enough: how a connection closes is the HTTP layer's, whatever the store.
describe.runIf(TEST_ENGINE === 'sqlite')('answers sent before the body was read', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway();
  });
  afterAll(() => t.close());

  it('a big keyless upload gets its 401 and Connection: close, and the rest of its body is never read', async () => {
    const c = new RawConnection(t.url);
    // Far more than the kernel buffers on both sides can hold: had the gateway read on, all of it would be taken.
    const announced = 64 * 1024 * 1024;
    c.socket.write(`POST /api/v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${announced}\r\n\r\n`);
    const allButOne = Buffer.alloc(announced - 1, 0x20);
    let written = false;
    c.socket.write(allButOne, (error) => (written = !error));
    const { head, body } = await c.answer();
    expect(head).toMatch(/^HTTP\/1\.1 401 /);
    expect(head).toMatch(/\r\nconnection: close/i);
    expect(JSON.parse(body).error.code).toBe('UNAUTHORIZED');
    const answeredAt = performance.now();
    await new Promise((resolve) => setTimeout(resolve, LINGER_MS / 4));
    // Most of the body still waits in this process: the gateway stopped taking bytes once it had answered.
    expect(c.socket.writableLength).toBeGreaterThan(announced / 2);
    await c.closed;
    expect(written, 'the gateway read the whole body').toBe(false);
    // The FIN came with the answer; the socket went LINGER_MS later, not at once and not never.
    expect(c.endedAt).not.toBeNull();
    expect(c.closedAt! - answeredAt).toBeGreaterThan(LINGER_MS / 2);
    expect(c.closedAt! - answeredAt).toBeLessThan(LINGER_MS + 5_000);
  });

  it('a chunked keyless upload (no length to weigh) is closed the same way', async () => {
    const c = new RawConnection(t.url);
    c.socket.write('POST /api/v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n');
    c.socket.write(`4\r\n{"ev\r\n`);
    const { head } = await c.answer();
    expect(head).toMatch(/^HTTP\/1\.1 401 /);
    expect(head).toMatch(/\r\nconnection: close/i);
    await c.closed;
  });

  it(`a small unread body (≤ ${UNREAD_BODY_KEEP_BYTES / 1024} KiB) is discarded and the connection serves the next request`, async () => {
    const c = new RawConnection(t.url);
    const body = JSON.stringify({ events: [] }) + ' '.repeat(UNREAD_BODY_KEEP_BYTES - 20);
    c.socket.write(`POST /api/v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    const first = await c.answer();
    expect(first.head).toMatch(/^HTTP\/1\.1 401 /);
    expect(first.head).not.toMatch(/\r\nconnection: close/i);
    c.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    const second = await c.answer(first.end);
    expect(second.head).toMatch(/^HTTP\/1\.1 200 /);
    c.socket.destroy();
  });

  it('a body declared one byte over the keep limit ends the connection even when all of it was sent', async () => {
    const c = new RawConnection(t.url);
    const body = JSON.stringify({ events: [] }) + ' '.repeat(UNREAD_BODY_KEEP_BYTES - 12);
    expect(Buffer.byteLength(body)).toBe(UNREAD_BODY_KEEP_BYTES + 1);
    c.socket.write(`POST /api/v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    const { head } = await c.answer();
    expect(head).toMatch(/^HTTP\/1\.1 401 /);
    expect(head).toMatch(/\r\nconnection: close/i);
    await c.closed;
  });
});
