// A request written by hand on a socket, its body sent in pieces when the spec says: to see what the server
// answers before a body has arrived, and what it holds while a body is still on its way.
import { connect, type Socket } from 'node:net';

export interface OpenAnswer {
  status: number;
  /** Header names in lower case. */
  headers: Record<string, string>;
  text: string;
  json: any;
}

export interface OpenRequest {
  readonly socket: Socket;
  /** The first response on the connection; rejects if the connection closes before one arrives. */
  readonly answer: Promise<OpenAnswer>;
  /** Writes more of the body (a chunk of its own when the request is chunked). */
  send(bytes: Buffer | string): Promise<void>;
  /** Ends a chunked body. */
  end(): Promise<void>;
  /** Drops the connection, as a client that gives up. */
  abort(): void;
}

function parseAnswer(raw: Buffer): OpenAnswer | null {
  const split = raw.indexOf('\r\n\r\n');
  if (split < 0) return null;
  const [statusLine = '', ...lines] = raw.subarray(0, split).toString('latin1').split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const length = Number(headers['content-length'] ?? 0);
  const body = raw.subarray(split + 4);
  if (body.length < length) return null;
  const text = body.subarray(0, length).toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: Number(statusLine.split(' ')[1]), headers, text, json };
}

/**
 * Opens a connection and writes `method path` with `headers` (exactly as given, plus Host) and `body` so far.
 * Without a Content-Length in `headers` the body is chunked.
 */
export function openRequest(url: string, method: string, path: string, headers: Record<string, string | number>, body: Buffer | string = ''): Promise<OpenRequest> {
  const { hostname, port, host } = new URL(url);
  const chunked = !Object.keys(headers).some((name) => name.toLowerCase() === 'content-length');
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    socket.once('error', reject);
    socket.on('connect', () => {
      socket.off('error', reject);
      socket.on('error', () => {});
      let received = Buffer.alloc(0);
      const answer = new Promise<OpenAnswer>((done, fail) => {
        socket.on('data', (chunk: Buffer) => {
          received = Buffer.concat([received, chunk]);
          const parsed = parseAnswer(received);
          if (parsed) done(parsed);
        });
        socket.on('close', () => fail(new Error(`connection closed before an answer: ${received.toString('latin1').slice(0, 200)}`)));
      });
      answer.catch(() => {});
      const write = (bytes: Buffer | string) =>
        new Promise<void>((written) => {
          if (socket.destroyed) return written();
          socket.write(bytes, () => written());
        });
      const send = (bytes: Buffer | string) => {
        const data = Buffer.from(bytes);
        if (!chunked) return write(data);
        return write(Buffer.concat([Buffer.from(`${data.length.toString(16)}\r\n`), data, Buffer.from('\r\n')]));
      };
      const head = [`${method} ${path} HTTP/1.1`, `Host: ${host}`, ...Object.entries(headers).map(([n, v]) => `${n}: ${v}`)];
      if (chunked) head.push('Transfer-Encoding: chunked');
      void write(`${head.join('\r\n')}\r\n\r\n`).then(async () => {
        if (Buffer.byteLength(body) > 0) await send(body);
        resolve({ socket, answer, send, end: () => write('0\r\n\r\n'), abort: () => socket.destroy() });
      });
    });
  });
}
