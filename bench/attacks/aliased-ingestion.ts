// Attack 6 (issue 15): one mutation with 30 aliased `ingestEvents` of 1,000 events each (a key of the
// default `ingestion` tier). How many events were stored, and the answer: "one request, one batch"
// means all 30,000 in one transaction or, as the fix chose, the request refused whole with 0 stored.
import type { AttackLab } from './attack-lab.js';
import { answerKind } from './answer-summary.js';
import { httpCall } from './http-call.js';
import { sessionUuid } from './session-uuid.js';

const ALIASES = 30;
const PER_ALIAS = 1000;

function mutationBody(): string {
  const now = Date.now() - 3_600_000;
  const variables: Record<string, unknown[]> = {};
  for (let a = 0; a < ALIASES; a++) {
    const sessionId = sessionUuid(a, 'aliased');
    variables[`e${a}`] = Array.from({ length: PER_ALIAS }, (_, i) => ({ eventType: 'tool_use', sessionId, timestamp: new Date(now + i).toISOString(), eventId: `a${a}-${i}` }));
  }
  const params = Object.keys(variables).map((v) => `$${v}: [EventInput!]!`);
  const fields = Object.keys(variables).map((v) => `${v}: ingestEvents(events: $${v}) { accepted }`);
  return JSON.stringify({ query: `mutation Aliased(${params.join(', ')}) { ${fields.join(' ')} }`, variables });
}

/** Events stored in the attacker's account: the sum of its sessions' event counts. */
async function storedEvents(url: string, readKey: string): Promise<string> {
  const answer = await httpCall(`${url}/api/v1/sessions?limit=200`, { headers: { 'x-api-key': readKey }, timeoutMs: 30_000, keepHead: 1 << 20 });
  if (answer.status !== 200) return `? (sessions answered ${answerKind(answer)})`;
  const sessions = (JSON.parse(answer.head) as { data: { sessions: { event_count: number }[] } }).data.sessions;
  return sessions.reduce((n, s) => n + s.event_count, 0).toLocaleString('en-US');
}

export async function aliasedIngestion(lab: AttackLab): Promise<void> {
  const db = await lab.prepare('aliased-ingestion', {
    write: { account: 'attacker', scopes: 'write:events', tier: null },
    read: { account: 'attacker', scopes: 'read:analytics', tier: 'unlimited' },
  });
  const body = mutationBody();
  await lab.measure(`aliased ingestion: ${ALIASES} × ingestEvents of ${PER_ALIAS.toLocaleString('en-US')} events in one mutation (${(body.length / 1e6).toFixed(1)} MB)`, db, async (gateway, signal) => {
    const answer = await httpCall(`${gateway.url}/graphql`, {
      body,
      headers: { 'x-api-key': db.keys.write, 'content-type': 'application/json', accept: 'application/json' },
      timeoutMs: 120_000,
      signal,
    });
    const errors = (answer.head.match(/"message"/g) ?? []).length;
    const stored = await storedEvents(gateway.url, db.keys.read);
    return `${answerKind(answer)}${errors ? ` with ${errors} error${errors > 1 ? 's' : ''}` : ''} in ${(answer.ms / 1000).toFixed(1)} s; ${stored} of ${(ALIASES * PER_ALIAS).toLocaleString('en-US')} events stored`;
  });
}
