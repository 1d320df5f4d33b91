import { createHash } from 'node:crypto';

/** Tags of Buffers sent again and again (the API description page's files), computed once. */
const tagged = new WeakMap<Buffer, { contentType: string; tag: string }>();

/**
 * A strong ETag of an answer's unencoded bytes and its media type (the same bytes under another type are
 * another representation). Not a secret: a caller only ever compares it with its own answer's.
 */
export function entityTag(contentType: string, content: string | Buffer): string {
  const known = typeof content === 'string' ? undefined : tagged.get(content);
  if (known?.contentType === contentType) return known.tag;
  const tag = `"${createHash('sha1').update(contentType).update('\n').update(content).digest('base64url')}"`;
  if (typeof content !== 'string') tagged.set(content, { contentType, tag });
  return tag;
}

/**
 * The tag an encoded answer carries: weak, as the encoded bytes are not the ones hashed (and differ between
 * encoder versions). If-None-Match compares weakly, so either form revalidates either answer.
 */
export function weakTag(tag: string): string {
  return tag.startsWith('W/') ? tag : `W/${tag}`;
}

/** Whether If-None-Match names this answer (weak comparison, RFC 9110 §13.1.2), or is `*`. */
export function ifNoneMatchHits(header: string | undefined, tag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === '*') return true;
  const opaque = tag.startsWith('W/') ? tag.slice(2) : tag;
  return header.split(',').some((listed) => {
    const trimmed = listed.trim();
    return (trimmed.startsWith('W/') ? trimmed.slice(2) : trimmed) === opaque;
  });
}
