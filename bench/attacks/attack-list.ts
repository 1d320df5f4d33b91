// The attacks of issue 15, in the order they run, with what the fixed gateway is expected to answer.
import { aliasedIngestion } from './aliased-ingestion.js';
import { analyticsAliases } from './analytics-aliases.js';
import type { AttackLab } from './attack-lab.js';
import { bigDataAliases } from './big-data-aliases.js';
import { keylessCpu } from './keyless-cpu.js';
import { keylessMemory } from './keyless-memory.js';
import { sqliteWriteLock } from './sqlite-write-lock.js';
import { sseReconnect } from './sse-reconnect.js';
import { subscriptionRepeat } from './subscription-repeat.js';

export interface Attack {
  readonly name: string;
  readonly run: (lab: AttackLab) => Promise<void>;
  /** What the attack's own answers should be once issue 15 is fixed. */
  readonly expected: string;
}

export const ATTACKS: readonly Attack[] = [
  { name: 'big-data', run: bigDataAliases, expected: 'a 4xx naming the byte budget before any row is read, never a 500' },
  { name: 'subscriptions', run: subscriptionRepeat, expected: 'each message checked like a request (an error message instead of 43 MB); unread streams cut by their write budget' },
  { name: 'keyless-memory', run: keylessMemory, expected: '401 before the body is read; memory flat' },
  { name: 'keyless-cpu', run: keylessCpu, expected: 'a 4xx (401, or 400/413 for the nesting) without parsing for seconds' },
  { name: 'analytics-aliases', run: analyticsAliases, expected: 'refused with a 4xx by the rows budget, or answered without blocking /healthz' },
  { name: 'aliased-ingestion', run: aliasedIngestion, expected: 'refused whole (400), 0 events stored' },
  { name: 'sqlite-lock', run: sqliteWriteLock, expected: 'reads answered 200 throughout; /healthz unaffected' },
  { name: 'sse-reconnect', run: sseReconnect, expected: 'the reconnect let in at once (200)' },
];
