// Attack 1 (issue 15): a read key asks for the big session's 500 events of 64 KiB, 15 times over
// through aliases (about 480 MB of JSON); the same 3 times in parallel; and with 30 aliases.
import type { AttackLab } from './attack-lab.js';
import { summarizeAnswers } from './answer-summary.js';
import { BIG_SESSION, seedBigSession } from './big-session.js';
import { httpCall } from './http-call.js';

function aliasedEvents(aliases: number): string {
  const fields = Array.from({ length: aliases }, (_, i) => `e${i}: events(limit: 500, offset: 0) { data }`);
  return JSON.stringify({ query: `{ session(id: "${BIG_SESSION}") { ${fields.join(' ')} } }` });
}

export async function bigDataAliases(lab: AttackLab): Promise<void> {
  const db = await lab.prepare(
    'big-data',
    { write: { account: 'attacker', scopes: 'write:events', tier: 'unlimited' }, read: { account: 'attacker', scopes: 'read:analytics', tier: 'standard' } },
    (url, keys) => seedBigSession(url, keys.write),
  );
  for (const [aliases, parallel] of [[15, 1], [15, 3], [30, 1]] as const) {
    const body = aliasedEvents(aliases);
    await lab.measure(
      `big-data aliases: ${aliases} × events(limit: 500) { data } of 64 KiB events${parallel > 1 ? `, ${parallel} in parallel` : ''}`,
      db,
      async (gateway, signal) => {
        const answers = await Promise.all(
          Array.from({ length: parallel }, () =>
            httpCall(`${gateway.url}/graphql`, {
              body,
              headers: { 'x-api-key': db.keys.read, 'content-type': 'application/json', accept: 'application/json' },
              timeoutMs: 180_000,
              signal,
            }),
          ),
        );
        return summarizeAnswers(answers);
      },
    );
  }
}
