// Live updates across gateway processes (live sessions issue): an update ingested through one process
// reaches subscribers connected to another, through PostgreSQL LISTEN/NOTIFY (the default on
// PostgreSQL; needs a server) or Redis pub/sub (REDIS_URL; needs TEST_REDIS_URL). A key revoked
// with `trenchcoat keys revoke` ends its streams at once, not at the next periodic key check.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli, startServe, type ServeProcess } from './support/cli-run.js';
import { subscribe, type SseEvent } from './support/sse-client.js';
import { available, describeNeeding, type Need } from './support/requirements.js';
import { TEST_ENGINE } from './support/test-database.js';
import { event, SESSION_A, SESSION_B, startTestGateway, type TestGateway } from './support/test-gateway.js';

const SUBSCRIPTION = 'subscription { sessionUpdated { id eventCount } }';

const relays: { name: string; need: Need; env: () => Record<string, string> }[] = [
  // PGlite is one backend: NOTIFY does not reach another connection's LISTEN there.
  ...(TEST_ENGINE === 'postgres' ? [{ name: 'PostgreSQL LISTEN/NOTIFY', need: 'postgres' as const, env: () => ({}) }] : []),
  { name: 'Redis pub/sub', need: 'redis', env: () => ({ REDIS_URL: available('redis')! }) },
];

function sessionOf(message: SseEvent | null): { id: string; eventCount: number } {
  expect(message?.event, JSON.stringify(message)).toBe('next');
  return message!.data.data.sessionUpdated;
}

for (const relay of relays) describeNeeding(relay.need, `two gateway processes relaying through ${relay.name}`, () => {
  let t: TestGateway;
  let other: ServeProcess;
  let dir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    // Each run its own Redis channel: test files sharing the server must not hear each other.
    // The periodic key check is pushed out of reach, so only the relay can end a revoked key's streams.
    const relayEnv = relay.env();
    env = {
      ...relayEnv,
      TRENCHCOAT_KEY_RECHECK_MS: '600000',
      ...(relayEnv['REDIS_URL'] ? { TRENCHCOAT_REDIS_CHANNEL: `tc_test_${process.pid}_${Date.now()}` } : {}),
    };
    dir = mkdtempSync(join(tmpdir(), 'trenchcoat-live-'));
    t = await startTestGateway({ env });
    other = await startServe(['--port', '0', '--db', t.dbPath], { cwd: dir, env, timeoutMs: 90_000 });
  }, 120_000);
  afterAll(async () => {
    other?.child.kill('SIGTERM');
    await other?.exited;
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('an event posted to one process reaches a subscriber of the other within a second, both ways', async () => {
    const key = await t.key();
    const here = await subscribe(t.url, SUBSCRIPTION, { key });
    const there = await subscribe(other.url, SUBSCRIPTION, { key });
    expect([here.status, there.status]).toEqual([200, 200]);

    let posted = Date.now();
    const first = await fetch(`${other.url}/api/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': key },
      body: JSON.stringify({ events: [event('session_start', SESSION_A, '2026-11-29T08:00:00Z')] }),
    });
    expect(first.status).toBe(200);
    expect(sessionOf(await here.next(1000))).toEqual({ id: SESSION_A, eventCount: 1 });
    expect(Date.now() - posted).toBeLessThan(1000);
    expect(sessionOf(await there.next(1000))).toEqual({ id: SESSION_A, eventCount: 1 });

    posted = Date.now();
    expect((await t.post('/api/v1/events', { events: [event('session_start', SESSION_B, '2026-11-29T08:01:00Z')] }, key)).status).toBe(200);
    expect(sessionOf(await there.next(1000))).toEqual({ id: SESSION_B, eventCount: 1 });
    expect(Date.now() - posted).toBeLessThan(1000);
    expect(sessionOf(await here.next(1000))).toEqual({ id: SESSION_B, eventCount: 1 });
    here.close();
    there.close();
  });

  it('another account on the other process hears nothing', async () => {
    const acme = await t.key({ account: 'acme-x' });
    const globex = await t.key({ account: 'globex-x' });
    const watcher = await subscribe(t.url, SUBSCRIPTION, { key: globex });
    await fetch(`${other.url}/api/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': acme },
      body: JSON.stringify({ events: [event('session_start', SESSION_A, '2026-11-29T09:00:00Z')] }),
    });
    expect(await watcher.next(800)).toBeNull();
    watcher.close();
  });

  it('`trenchcoat import` run as its own process announces what it stored', async () => {
    const key = await t.key({ account: 'importer' });
    const watcher = await subscribe(t.url, SUBSCRIPTION, { key });
    const transcript = join(dir, '5f0c2b1e-0000-4000-8000-000000000001.jsonl');
    writeFileSync(transcript, `${JSON.stringify({
      type: 'user', sessionId: '5f0c2b1e-0000-4000-8000-000000000001', uuid: 'u-1', timestamp: '2026-11-29T10:00:00Z',
      message: { role: 'user', content: 'hello' },
    })}\n`);
    const result = await runCli(['import', transcript, '--account', 'importer', '--db', t.dbPath], { cwd: dir, env });
    expect(result.code, result.stderr).toBe(0);
    const session = sessionOf(await watcher.next(1500));
    expect(session.id).toBe('5f0c2b1e-0000-4000-8000-000000000001');
    expect(session.eventCount).toBeGreaterThan(0);
    watcher.close();
  });

  it('`trenchcoat keys revoke` in another process ends the key\'s streams at once', async () => {
    const created = await t.gateway.keys.create({ account: 'acme', scopes: ['read:analytics'] });
    const here = await subscribe(t.url, SUBSCRIPTION, { key: created.key });
    const there = await subscribe(other.url, SUBSCRIPTION, { key: created.key });
    const result = await runCli(['keys', 'revoke', created.id, '--db', t.dbPath], { cwd: dir, env });
    expect(result.code, result.stderr).toBe(0);
    for (const stream of [here, there]) {
      const events = await stream.rest(2000);
      expect(events.map((e) => e.event)).toEqual(['next', 'complete']);
      expect(events[0]!.data.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    }
  });
});
