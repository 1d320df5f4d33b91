// graphql-http's server audits (the GraphQL-over-HTTP spec's conformance checks) against a real
// gateway, with a valid key on every request: every one of them passes, MUSTs, SHOULDs and MAYs.
import { serverAudits, type AuditResult } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './support/test-gateway.js';

describe('GraphQL over HTTP: graphql-http server audits', () => {
  let t: TestGateway;
  let key: string;
  beforeAll(async () => {
    t = await startTestGateway();
    key = await t.key();
  });
  afterAll(() => t.close());

  /** fetch with the key added to whatever headers the audit sends. */
  const keyed = (input: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    headers.set('x-api-key', key);
    return fetch(input, { ...init, headers });
  };
  const audits = serverAudits({ url: () => `${t.url}/graphql`, fetchFn: keyed });

  it('runs every audit graphql-http 1.23.1 has (61)', () => {
    expect(audits).toHaveLength(61);
  });

  it.each(audits.map((audit) => [audit.id, audit.name, audit] as const))('%s: %s', async (_id, _name, audit) => {
    const result: AuditResult = await audit.fn();
    const failure = result.status === 'ok' ? null : { status: result.status, reason: result.reason, answer: result.response.status };
    expect(failure).toBeNull();
  });
});
