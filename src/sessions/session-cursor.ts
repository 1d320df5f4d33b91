import { createHash } from 'node:crypto';
import { memoized } from '../bounded-memo.js';
import { byCodeUnit } from '../by-code-unit.js';

/** A session's place in the (started_at, id) order: what a cursor stands for. */
export interface SessionKey {
  startedAt: number;
  id: string;
}

/** Why a cursor was refused, for the problem that names its argument. */
export type CursorRefusal = 'malformed' | 'foreign' | 'otherAccount';

const KIND = 'session';
const VERSION = 'v1';
/** Far above a real cursor (about 70 characters); longer input is refused before it is decoded. */
const MAX_CURSOR_LENGTH = 256;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
/** An integer without leading zeros or "-0", and a session id as stored (a lower-case UUID). */
const V1_TEXT = /^session:v1:([0-9a-f]{12}):(0|-?[1-9][0-9]{0,15}):([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;
/** Text that claims to be a cursor of some kind and version: another connection's, or another version's. */
const ANY_CURSOR_TEXT = /^[a-z][a-z0-9_-]{0,31}:/;
/** The instants dates can name: 0000-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z. */
const MIN_STARTED_AT = Date.parse('0000-01-01T00:00:00.000Z');
const MAX_STARTED_AT = Date.parse('9999-12-31T23:59:59.999Z');

/**
 * The (started_at, id) order. Ids compare by code unit: where that could differ from the database's
 * collation it is never asked (only an instant's edge, id '', meets a real id at the same instant).
 */
export function compareKeys(a: SessionKey, b: SessionKey): number {
  return a.startedAt - b.startedAt || byCodeUnit(a.id, b.id);
}

/** Every page names its owner: the hash is taken once per account (accounts served at once are few; all dropped when full). */
const owners = new Map<number, string>();
const MAX_OWNERS_KEPT = 1024;

/**
 * Names the account a cursor was handed out to, so a cursor passed to another account's key is refused rather than read
 * as a position there. Not a secret and not a protection (a cursor only names a position, and every query is held to
 * the caller's account): it tells a client that mixed up its keys what went wrong, without showing the account's id.
 */
export function cursorOwner(accountId: number): string {
  return memoized(owners, accountId, MAX_OWNERS_KEPT, () =>
    createHash('sha256').update(`trenchcoat session cursor owner ${accountId}`).digest('hex').slice(0, 12));
}

export function encodeSessionCursor(key: SessionKey, owner: string): string {
  return Buffer.from(`${KIND}:${VERSION}:${owner}:${key.startedAt}:${key.id}`).toString('base64url');
}

/**
 * The key a cursor stands for, or why it is refused. Strict: canonical base64url (no padding, no
 * other alphabet, nothing Node's lenient decoder would skip) of exactly the v1 text.
 */
export function decodeSessionCursor(cursor: string, owner: string): SessionKey | CursorRefusal {
  if (cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH || !BASE64URL.test(cursor)) return 'malformed';
  const bytes = Buffer.from(cursor, 'base64url');
  if (bytes.toString('base64url') !== cursor) return 'malformed';
  const text = bytes.toString('utf8');
  const match = V1_TEXT.exec(text);
  if (!match) return ANY_CURSOR_TEXT.test(text) ? 'foreign' : 'malformed';
  const startedAt = Number(match[2]);
  if (startedAt < MIN_STARTED_AT || startedAt > MAX_STARTED_AT) return 'malformed';
  if (match[1] !== owner) return 'otherAccount';
  return { startedAt, id: match[3]! };
}
