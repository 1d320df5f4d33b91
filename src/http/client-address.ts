import type { IncomingMessage } from 'node:http';
import { isIPv6 } from 'node:net';

/** Longer text is not an address any proxy writes: it is cut, so that a counter's name stays small. */
const MAX_ADDRESS_CHARS = 64;

/**
 * An IPv6 address's /64 network (one host usually holds a whole /64, so counting single addresses would
 * count nothing); IPv4, and IPv4 mapped into IPv6, as the plain dotted address.
 */
function clientOf(address: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (!isIPv6(address)) return address.slice(0, MAX_ADDRESS_CHARS);
  const [head = '', tail = ''] = address.toLowerCase().split('%')[0]!.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === '' ? [] : tail.split(':');
  // A dotted IPv4 tail (`64:ff9b::1.2.3.4`) stands for two groups.
  const rightGroups = right.length + (right.at(-1)?.includes('.') ? 1 : 0);
  const groups = address.includes('::') ? [...left, ...Array<string>(Math.max(0, 8 - left.length - rightGroups)).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

/**
 * Who a request counts as for the limits of callers without a key: the socket's peer, or, behind
 * `trustedProxies` reverse proxies that each append the address they saw to X-Forwarded-For, the address the
 * outermost of them saw. Entries further left are whatever the client wrote and are never read. A request
 * carrying fewer entries than that did not come through the proxies: its socket's peer counts.
 */
export function clientAddress(req: Pick<IncomingMessage, 'headers' | 'socket'>, trustedProxies: number): string {
  const peer = req.socket.remoteAddress ?? 'unknown';
  if (trustedProxies === 0) return clientOf(peer);
  const header = req.headers['x-forwarded-for'];
  const entries = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',').map((entry) => entry.trim());
  const seen = entries.length >= trustedProxies ? entries[entries.length - trustedProxies] : undefined;
  return clientOf(seen || peer);
}
