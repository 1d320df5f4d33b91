import { signal } from './signal.js';

// The key lives in sessionStorage: gone when the browser session ends, never in a URL, a cookie or a log.
const STORAGE_NAME = 'trenchcoat-dashboard-key';

function stored(): string | null {
  try {
    return sessionStorage.getItem(STORAGE_NAME);
  } catch {
    return null;
  }
}

export const apiKey = signal<string | null>(stored());

export function rememberKey(key: string): void {
  try {
    sessionStorage.setItem(STORAGE_NAME, key);
  } catch {
    // Storage refused (a private window's quota): the key still serves this page until it is left.
  }
  apiKey.set(key);
}

export function forgetKey(): void {
  try {
    sessionStorage.removeItem(STORAGE_NAME);
  } catch {
    // Nothing stored.
  }
  apiKey.set(null);
}
