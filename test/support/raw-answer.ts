// An answer as it came over the wire: its body not decoded (fetch decodes gzip and brotli, and sends an
// Accept-Encoding of its own), for specs about content codings and revalidation.
import { request, type IncomingHttpHeaders } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';

export interface RawAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  /** The bytes received, still encoded when Content-Encoding says so. */
  body: Buffer;
  /** The body with its Content-Encoding (gzip or br) undone. */
  decoded(): Buffer;
}

/** Sends exactly these headers (no Accept-Encoding unless given) and reads the whole answer. */
export function rawRequest(url: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method: options.method ?? 'GET', headers: options.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        const coding = res.headers['content-encoding'];
        resolve({
          status: res.statusCode!,
          headers: res.headers,
          body,
          decoded: () => (coding === 'br' ? brotliDecompressSync(body) : coding === 'gzip' ? gunzipSync(body) : body),
        });
      });
    });
    outgoing.on('error', reject);
    outgoing.end(options.body);
  });
}
