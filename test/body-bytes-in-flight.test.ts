// Request-body bytes held across all requests in flight have a ceiling (TRENCHCOAT_BODY_BYTES_IN_FLIGHT):
// a request whose declared Content-Length, or chunked growth, would pass it while others hold bytes is refused
// 503 UNAVAILABLE with Retry-After before more of it is read, and what a request held is given back when it
// ends, however it ends.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRequest, type OpenRequest } from './support/open-request.js';
import { expectErrorEnvelope } from './support/rest-read-helpers.js';
import { startTestGateway, type TestGateway } from './support/test-gateway.js';
import { TEST_ENGINE } from './support/test-database.js';

const CEILING = 100_000;

// One engine's run is enough: bodies in flight are counted in the HTTP layer, before any store.
describe.runIf(TEST_ENGINE === 'sqlite')('TRENCHCOAT_BODY_BYTES_IN_FLIGHT', () => {
  let t: TestGateway;
  let key: string;
  beforeAll(async () => {
    t = await startTestGateway({ env: { TRENCHCOAT_BODY_BYTES_IN_FLIGHT: String(CEILING), TRENCHCOAT_REQUEST_TIMEOUT_MS: '60000' } });
    key = await t.key();
  });
  afterAll(() => t.close());

  const held = () => t.gateway.bodyBytesInFlight.held;

  /** Waits (a bounded number of turns) until the server holds `bytes`; the server takes them on its own turn. */
  async function untilHeld(predicate: (bytes: number) => boolean): Promise<void> {
    for (let turn = 0; turn < 500 && !predicate(held()); turn++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(predicate(held()), `held ${held()}`).toBe(true);
  }

  /** An events batch of exactly `bytes` bytes (an empty list, padded with spaces): a 400 once read. */
  const padded = (bytes: number) => `{"events":[]}${' '.repeat(bytes - 13)}`;

  const events = (headers: Record<string, string | number>, body = '') =>
    openRequest(t.url, 'POST', '/api/v1/events', { 'Content-Type': 'application/json', 'X-API-Key': key, ...headers }, body);

  async function finish(request: OpenRequest, rest: string) {
    await request.send(rest);
    return request.answer;
  }

  it('refuses a declared body that would pass the ceiling while another is read, before any of it is sent; takes one that fits', async () => {
    const first = await events({ 'Content-Length': 80_000 }, padded(80_000).slice(0, 100));
    await untilHeld((bytes) => bytes === 80_000);

    const refused = await (await events({ 'Content-Length': 30_000 })).answer;
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('1');
    expectErrorEnvelope(refused.json, 'UNAVAILABLE');

    const graphql = await (await openRequest(t.url, 'POST', '/graphql', { 'Content-Type': 'application/json', 'X-API-Key': key, 'Content-Length': 30_000 })).answer;
    expect(graphql.status).toBe(503);
    expect(graphql.json).toEqual({ errors: [{ message: expect.stringContaining('request bodies'), extensions: { code: 'UNAVAILABLE' } }] });

    const fits = await events({ 'Content-Length': 20_000 }, padded(20_000));
    expect((await fits.answer).status).toBe(400);

    expect((await finish(first, padded(80_000).slice(100))).status).toBe(400);
    await untilHeld((bytes) => bytes === 0);
  });

  it('refuses a chunked body once its growth would pass the ceiling', async () => {
    const first = await events({}, 'x'.repeat(60_000));
    await untilHeld((bytes) => bytes === 60_000);
    const second = await events({});
    for (let sent = 0; sent < 60_000; sent += 10_000) await second.send('y'.repeat(10_000));
    const refused = await second.answer;
    expect(refused.status).toBe(503);
    expectErrorEnvelope(refused.json, 'UNAVAILABLE');
    second.abort();
    await first.end();
    expect((await first.answer).status).toBe(400);
    await untilHeld((bytes) => bytes === 0);
  });

  it('gives back what a request held however it ends: answered, refused as too deep, or dropped by its client mid-body', async () => {
    const answered = await events({ 'Content-Length': 90_000 }, padded(90_000));
    expect((await answered.answer).status).toBe(400);
    await untilHeld((bytes) => bytes === 0);

    const deep = `{"events":${'['.repeat(40_000)}${']'.repeat(40_000)}}`;
    const tooDeep = await events({ 'Content-Length': deep.length }, deep);
    expect((await tooDeep.answer).status).toBe(400);
    await untilHeld((bytes) => bytes === 0);

    const dropped = await events({ 'Content-Length': 90_000 }, padded(90_000).slice(0, 1000));
    await untilHeld((bytes) => bytes === 90_000);
    dropped.abort();
    await untilHeld((bytes) => bytes === 0);

    const droppedChunked = await events({}, 'z'.repeat(50_000));
    await untilHeld((bytes) => bytes === 50_000);
    droppedChunked.abort();
    await untilHeld((bytes) => bytes === 0);
  });

  it('a body over the limit is refused unread and holds nothing', async () => {
    const over = await (await events({ 'Content-Length': 6 * 1024 * 1024 })).answer;
    expect(over.status).toBe(413);
    expect(held()).toBe(0);
  });

  it('alone, a body larger than the ceiling is still read', async () => {
    const large = await events({ 'Content-Length': 3 * CEILING }, padded(3 * CEILING));
    expect((await large.answer).status).toBe(400);
    await untilHeld((bytes) => bytes === 0);
  });
});
