// Attack 5 (issue 15): an account with 50,000 sessions asks, with a standard key, for
// `analytics { overview { totalSessions } tools { name } }` 30 times over through aliases.
import type { AttackLab } from './attack-lab.js';
import { summarizeAnswers } from './answer-summary.js';
import { httpCall } from './http-call.js';
import { seedManySessions } from './many-sessions.js';

const SESSIONS = 50_000;
const ALIASES = 30;

export async function analyticsAliases(lab: AttackLab): Promise<void> {
  const db = await lab.prepare(
    'analytics',
    { write: { account: 'attacker', scopes: 'write:events', tier: 'unlimited' }, read: { account: 'attacker', scopes: 'read:analytics', tier: 'standard' } },
    (url, keys) => seedManySessions(url, keys.write, SESSIONS),
  );
  const fields = Array.from({ length: ALIASES }, (_, i) => `a${i}: analytics { overview { totalSessions } tools { name } }`);
  const body = JSON.stringify({ query: `{ ${fields.join(' ')} }` });
  await lab.measure(`analytics aliases: ${ALIASES} × analytics { overview tools } over ${SESSIONS.toLocaleString('en-US')} sessions, standard key`, db, async (gateway, signal) => {
    const answer = await httpCall(`${gateway.url}/graphql`, {
      body,
      headers: { 'x-api-key': db.keys.read, 'content-type': 'application/json', accept: 'application/json' },
      timeoutMs: 120_000,
      signal,
    });
    return summarizeAnswers([answer]);
  });
}
