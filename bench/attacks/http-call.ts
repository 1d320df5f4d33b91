// One HTTP request on its own connection (no agent, no keep-alive), its body counted as it streams
// and only its first bytes kept: an attack's answer can be hundreds of MB, and the bench must not
// spend its own memory or event loop on it.
import { request } from 'node:http';

export interface HttpAnswer {
  /** The status, or null when no answer came (see `error`). */
  readonly status: number | null;
  /** Body bytes received. */
  readonly bytes: number;
  /** From sending to the end of the body (or the error). */
  readonly ms: number;
  /** The first bytes of the body, as text. */
  readonly head: string;
  /** `timeout`, `aborted` or the socket error's code; null when the whole answer came. */
  readonly error: string | null;
}

export interface HttpCallOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Body bytes kept in `head` (default 4096). */
  keepHead?: number;
}

export function httpCall(url: string, options: HttpCallOptions): Promise<HttpAnswer> {
  const started = performance.now();
  const keep = options.keepHead ?? 4096;
  return new Promise((resolve) => {
    let status: number | null = null;
    let bytes = 0;
    const chunks: Buffer[] = [];
    let kept = 0;
    let settled = false;
    const finish = (error: string | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      resolve({ status, bytes, ms: performance.now() - started, head: Buffer.concat(chunks).toString('utf8'), error });
    };
    const body = options.body === undefined ? undefined : typeof options.body === 'string' ? Buffer.from(options.body) : options.body;
    const req = request(
      url,
      {
        method: options.method ?? (body ? 'POST' : 'GET'),
        agent: false,
        headers: { ...options.headers, ...(body ? { 'content-length': String(body.length) } : {}) },
      },
      (res) => {
        status = res.statusCode ?? null;
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          if (kept < keep) {
            chunks.push(chunk.subarray(0, keep - kept));
            kept += Math.min(chunk.length, keep - kept);
          }
        });
        res.on('end', () => finish(null));
        res.on('error', (error: NodeJS.ErrnoException) => finish(error.code ?? error.message));
        res.on('close', () => finish(res.complete ? null : 'closed before the end'));
      },
    );
    const onAbort = () => {
      req.destroy();
      finish('aborted');
    };
    const timer = setTimeout(() => {
      req.destroy();
      finish('timeout');
    }, options.timeoutMs);
    if (options.signal?.aborted) onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', (error: NodeJS.ErrnoException) => finish(error.code ?? error.message));
    req.end(body);
  });
}
