// `graphql-browser`: graphql-day's query sent the way a page's fetch() sends it from Chromium, with
// the page's origin (which the gateway is told to allow), the GraphQL over HTTP media type first,
// and the headers the browser adds on its own, compression among them.
import { request, type IncomingHttpHeaders } from 'node:http';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import { VerificationError } from './verification-error.js';

/** The page's origin: Vite's dev server, as when the dashboard is developed against a running gateway. */
export const BROWSER_ORIGIN = 'http://localhost:5173';

/** The gateway's environment for a browser's requests: the page's origin is the one allowed. */
export const BROWSER_GATEWAY_ENV = { TRENCHCOAT_CORS_ORIGINS: BROWSER_ORIGIN };

export const BROWSER_ACCEPT = 'application/graphql-response+json, application/json;q=0.9';
export const BROWSER_ACCEPT_ENCODING = 'gzip, deflate, br';

/** What Chromium 131 on Linux sends with a page's `fetch(url, { method: 'POST', headers: { content-type, accept, x-api-key } })`. */
export function browserHeaders(key: string): Record<string, string> {
  return {
    'x-api-key': key,
    'content-type': 'application/json',
    accept: BROWSER_ACCEPT,
    origin: BROWSER_ORIGIN,
    referer: `${BROWSER_ORIGIN}/`,
    'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
    'accept-encoding': BROWSER_ACCEPT_ENCODING,
    'accept-language': 'en-US,en;q=0.9',
    'sec-ch-ua': '"Chromium";v="131", "Not_A Brand";v="24"',
    'sec-ch-ua-mobile': '?0',
    'sec-ch-ua-platform': '"Linux"',
    'sec-fetch-dest': 'empty',
    'sec-fetch-mode': 'cors',
    'sec-fetch-site': 'same-site',
  };
}

interface RawAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  /** The bytes as sent, still encoded. */
  body: Buffer;
}

/** A POST read as bytes: fetch() would decode the answer, and hide which coding the gateway picked. */
function rawPost(url: string, headers: Record<string, string>, body: string): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function decode(body: Buffer, coding: string | undefined): Buffer {
  switch (coding ?? 'identity') {
    case 'identity':
      return body;
    case 'br':
      return brotliDecompressSync(body);
    case 'gzip':
    case 'x-gzip':
      return gunzipSync(body);
    case 'deflate':
      return inflateSync(body);
    default:
      throw new VerificationError(`graphql-browser: the gateway answered in a coding the browser did not offer: ${coding}`);
  }
}

/** How the gateway answered the browser's request, once checked. */
export interface BrowserAnswer {
  /** Content-Encoding: br, gzip, deflate, or identity. */
  coding: string;
  sentBytes: number;
  jsonBytes: number;
}

/**
 * Checks the gateway's answer to the browser's request: 200 in the media type asked for first, readable by the
 * page (its origin allowed), and, once decoded, exactly the bytes of the plain JSON POST's answer (`plainText`,
 * itself checked against the REST day page).
 */
export async function verifyBrowserAnswer(gatewayUrl: string, key: string, body: string, plainText: string): Promise<BrowserAnswer> {
  const answer = await rawPost(`${gatewayUrl}/graphql`, browserHeaders(key), body);
  const coding = answer.headers['content-encoding'] ?? 'identity';
  const text = decode(answer.body, answer.headers['content-encoding']).toString('utf8');
  const problems: string[] = [];
  if (answer.status !== 200) problems.push(`status ${answer.status}`);
  if (!/^application\/graphql-response\+json\s*(;|$)/i.test(answer.headers['content-type'] ?? '')) problems.push(`Content-Type ${answer.headers['content-type']}`);
  if (answer.headers['access-control-allow-origin'] !== BROWSER_ORIGIN) {
    problems.push(`Access-Control-Allow-Origin ${answer.headers['access-control-allow-origin'] ?? '(none)'}, so the page could not read it`);
  }
  if (problems.length > 0) throw new VerificationError(`graphql-browser: the gateway answered ${problems.join(', ')}: ${text.slice(0, 400)}`);
  if (text !== plainText) {
    throw new VerificationError(`graphql-browser: the decoded answer (${coding}) is not the plain JSON POST's:\n  browser: ${text.slice(0, 400)}\n  plain:   ${plainText.slice(0, 400)}`);
  }
  return { coding, sentBytes: answer.body.length, jsonBytes: Buffer.byteLength(text) };
}
