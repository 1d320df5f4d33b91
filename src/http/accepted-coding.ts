import { memoizeHeader } from './header-memo.js';

/** The content codings the gateway can send, in its order of preference when a client weighs them equally. */
export type ContentCoding = 'br' | 'gzip';

const PREFERENCE: readonly ContentCoding[] = ['br', 'gzip'];

/** A qvalue as RFC 9110 writes it: 0 to 1, at most three decimals. */
const QVALUE = /^q=(0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/;

/** Coding names as RFC 9110 §12.5.3 asks them read: x-gzip is gzip. */
function codingName(name: string): string {
  return name === 'x-gzip' ? 'gzip' : name;
}

/**
 * The coding to send under this Accept-Encoding, or null for identity. Each coding weighs what its own entry
 * says, else what `*` says, else nothing (absent means not acceptable); the heaviest above 0 wins, brotli
 * before gzip on a tie. Identity is always acceptable, and wins only when the client weighs it above every
 * coding it accepts (`identity;q=1, gzip;q=0.5`). An entry with a malformed qvalue is ignored; for a coding
 * listed twice, the first entry counts.
 */
export function acceptedCoding(header: string | undefined): ContentCoding | null {
  return header ? codingOf(header) : null;
}

const codingOf = memoizeHeader((header: string): ContentCoding | null => {
  const weights = new Map<string, number>();
  for (const entry of header.split(',')) {
    const [rawName = '', ...params] = entry.split(';').map((part) => part.trim().toLowerCase());
    const name = codingName(rawName);
    if (name === '' || weights.has(name)) continue;
    const qParams = params.filter((param) => param.startsWith('q='));
    if (qParams.length > 1) continue;
    const q = qParams[0] === undefined ? 1 : QVALUE.exec(qParams[0]) ? Number(qParams[0].slice(2)) : Number.NaN;
    if (Number.isNaN(q)) continue;
    weights.set(name, q);
  }
  const wildcard = weights.get('*') ?? 0;
  let best: ContentCoding | null = null;
  let bestWeight = 0;
  for (const coding of PREFERENCE) {
    const weight = weights.get(coding) ?? wildcard;
    if (weight > bestWeight) {
      best = coding;
      bestWeight = weight;
    }
  }
  const identity = weights.get('identity');
  return identity !== undefined && identity > bestWeight ? null : best;
});
