// Deterministic session ids (RFC 4122 version 4 shape) for seeded data: `sessionUuid(7, 'big')`.
import { createHash } from 'node:crypto';

export function sessionUuid(n: number, tag: string): string {
  const h = createHash('sha256').update(`${tag}:${n}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
