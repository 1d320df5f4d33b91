import { createHash, randomInt } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
export const KEY_PATTERN = /^ct_live_[a-z0-9]{32}$/;
const PREFIX_LENGTH = 'ct_live_'.length + 4;

/** `ct_live_` + 32 characters drawn uniformly from [a-z0-9] by the CSPRNG. */
export function generateApiKey(): string {
  let secret = '';
  for (let i = 0; i < 32; i++) secret += ALPHABET[randomInt(ALPHABET.length)];
  return `ct_live_${secret}`;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** The non-secret part shown in listings and logs. */
export function apiKeyPrefix(key: string): string {
  return key.slice(0, PREFIX_LENGTH);
}

export function newKeyId(): string {
  let id = 'key_';
  for (let i = 0; i < 12; i++) id += ALPHABET[randomInt(ALPHABET.length)];
  return id;
}
