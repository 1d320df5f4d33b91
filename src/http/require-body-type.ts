import type { IncomingMessage } from 'node:http';
import { apiError } from '../errors/api-error.js';

/** Which requests of a route carry a body, and the media types (lower case, no parameters) it takes. */
export interface BodyTypeRule {
  readonly methods: readonly string[];
  readonly mediaTypes: readonly string[];
  /** The types a refusal names, when not all of `mediaTypes` are advertised (default: all of them). */
  readonly named?: readonly string[];
}

/** The charset labels that name UTF-8 (RFC 8259: JSON exchanged between systems is UTF-8). */
const UTF8_LABELS = new Set(['utf-8', 'utf8']);
/** What a media type or a charset may be shown back as, in a message: a short token, nothing a client must escape. */
const SHOWABLE = /^[a-z0-9!#$&^_.+-]{1,60}(\/[a-z0-9!#$&^_.+-]{1,60})?$/;

function shown(value: string): string | null {
  return SHOWABLE.test(value) ? value : null;
}

function unquoted(value: string): string {
  const trimmed = value.trim();
  return trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"') ? trimmed.slice(1, -1) : trimmed;
}

/** Why `header` does not declare a UTF-8 body of one of `mediaTypes`, or the media type it declares. */
function judge(header: string | undefined, mediaTypes: readonly string[]): { problem: string } | { mediaType: string } {
  if (header === undefined || header.trim() === '') return { problem: 'this request has no Content-Type' };
  const [essence = '', ...parameters] = header.split(';');
  const mediaType = essence.trim().toLowerCase();
  if (!mediaTypes.includes(mediaType)) {
    const declared = shown(mediaType);
    return { problem: declared ? `not ${declared}` : 'not the type this request declares' };
  }
  for (const parameter of parameters) {
    const eq = parameter.indexOf('=');
    if (eq < 0 || parameter.slice(0, eq).trim().toLowerCase() !== 'charset') continue;
    const charset = unquoted(parameter.slice(eq + 1)).toLowerCase();
    if (!UTF8_LABELS.has(charset)) {
      const declared = shown(charset);
      return { problem: `JSON bodies are UTF-8, ${declared ? `not charset=${declared}` : 'not the charset this request declares'}` };
    }
  }
  return { mediaType };
}

/**
 * Throws 415 UNSUPPORTED_MEDIA_TYPE for a request whose method carries a body on this route but whose
 * Content-Type is missing, another type (text/plain and forms are what a browser sends cross-site without a CORS
 * preflight) or a charset other than UTF-8. A request it lets through gets its Content-Type rewritten to the bare
 * media type in lower case: Yoga matches `application/json` case-sensitively and with nothing before a `;`.
 */
export function requireBodyType(rule: BodyTypeRule | undefined, req: IncomingMessage): void {
  if (!rule?.methods.includes(req.method ?? 'GET')) return;
  const verdict = judge(req.headers['content-type'], rule.mediaTypes);
  if ('problem' in verdict) {
    const wanted = (rule.named ?? rule.mediaTypes).join(' or ');
    throw apiError('UNSUPPORTED_MEDIA_TYPE', `The body must be sent as Content-Type: ${wanted}; ${verdict.problem}.`);
  }
  req.headers['content-type'] = verdict.mediaType;
}
