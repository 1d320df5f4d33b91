import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { Plugin } from 'graphql-yoga';

const gzipAsync = promisify(gzip);

/**
 * GraphiQL runs operations with the key its Headers tab keeps: another site must not frame it (clickjacking) nor have
 * the page read as anything but HTML. X-Frame-Options is for browsers that predate CSP's frame-ancestors.
 */
const NOT_FRAMED: Readonly<Record<string, string>> = {
  'content-security-policy': "frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
};

interface PreparedPage {
  html: string;
  etag: string;
  gzipped?: Promise<Uint8Array<ArrayBuffer>>;
}

function acceptsGzip(acceptEncoding: string | null): boolean {
  return (acceptEncoding ?? '').split(',').some((part) => {
    const [coding, ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    if (coding !== 'gzip' && coding !== '*') return false;
    const q = params.find((param) => param.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

/**
 * The inline GraphiQL page is about 9 MB (2.4 MB gzipped). It is compressed once, and carries an ETag so that
 * a reload costs a 304; `no-cache` makes the browser ask each time, so a new gateway version shows at once.
 */
export function useGraphiQLDelivery(): Plugin {
  let prepared: PreparedPage | undefined;
  const prepare = (html: string): PreparedPage => {
    if (prepared?.html !== html) {
      const etag = `W/"${createHash('sha256').update(html).digest('base64url').slice(0, 27)}"`;
      prepared = { html, etag };
    }
    return prepared;
  };
  return {
    async onResponse({ request, response, setResponse, fetchAPI }) {
      // At /graphql only GraphiQL answers with HTML.
      if (request.method !== 'GET' || response.status !== 200) return;
      if (!response.headers.get('content-type')?.startsWith('text/html')) return;
      const page = prepare(await response.text());
      const headers: Record<string, string> = {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-cache',
        etag: page.etag,
        // Origin too: the listener's CORS policy varies on it when origins are listed, and this header replaces its own.
        vary: 'Origin, Accept-Encoding',
        ...NOT_FRAMED,
      };
      if (request.headers.get('if-none-match')?.split(',').some((tag) => tag.trim() === page.etag)) {
        setResponse(new fetchAPI.Response(null, { status: 304, headers }));
      } else if (acceptsGzip(request.headers.get('accept-encoding'))) {
        page.gzipped ??= gzipAsync(page.html).then((buffer) => new Uint8Array(buffer));
        const body = await page.gzipped;
        setResponse(new fetchAPI.Response(body, { status: 200, headers: { ...headers, 'content-encoding': 'gzip' } }));
      } else {
        setResponse(new fetchAPI.Response(page.html, { status: 200, headers }));
      }
    },
  };
}
