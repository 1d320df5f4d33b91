/**
 * What travels between gateway processes: sessions a committed batch touched, or a revoked key.
 * Only identities travel; each process reads the committed state itself. A probe is a process checking
 * that its own messages come back to it (see auth/revocation-feed.ts); the others ignore it.
 */
export type ChangeMessage =
  | { readonly kind: 'sessions'; readonly accountId: number; readonly sessionIds: readonly string[] }
  | { readonly kind: 'revoked'; readonly keyId: string }
  | { readonly kind: 'probe'; readonly token: string };

/** PostgreSQL refuses NOTIFY payloads of 8000 bytes or more; stay well under for every transport. */
export const MAX_MESSAGE_BYTES = 7000;

export function encodeChange(message: ChangeMessage): string {
  switch (message.kind) {
    case 'sessions':
      return JSON.stringify({ k: 's', a: message.accountId, s: message.sessionIds });
    case 'revoked':
      return JSON.stringify({ k: 'r', i: message.keyId });
    case 'probe':
      return JSON.stringify({ k: 'p', t: message.token });
  }
}

/** Null for anything that is not a message this version understands (another version's, noise). */
export function decodeChange(payload: string): ChangeMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  if (v['k'] === 's' && Number.isSafeInteger(v['a']) && Array.isArray(v['s']) && v['s'].every((id) => typeof id === 'string')) {
    return { kind: 'sessions', accountId: v['a'] as number, sessionIds: v['s'] as string[] };
  }
  if (v['k'] === 'r' && typeof v['i'] === 'string') return { kind: 'revoked', keyId: v['i'] };
  if (v['k'] === 'p' && typeof v['t'] === 'string') return { kind: 'probe', token: v['t'] };
  return null;
}

/** Splits one account's session ids into messages that each fit MAX_MESSAGE_BYTES. */
export function sessionMessages(accountId: number, sessionIds: readonly string[]): ChangeMessage[] {
  const messages: ChangeMessage[] = [];
  let part: string[] = [];
  let bytes = 40;
  for (const id of sessionIds) {
    const size = Buffer.byteLength(id) + 3;
    if (part.length > 0 && bytes + size > MAX_MESSAGE_BYTES) {
      messages.push({ kind: 'sessions', accountId, sessionIds: part });
      part = [];
      bytes = 40;
    }
    part.push(id);
    bytes += size;
  }
  if (part.length > 0) messages.push({ kind: 'sessions', accountId, sessionIds: part });
  return messages;
}
