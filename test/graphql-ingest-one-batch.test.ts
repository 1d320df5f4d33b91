// One GraphQL request stores one batch in one transaction (issue 15, item 5; docs/api.md#graphql): a mutation
// that selects the event-storing field more than once (aliases, fragments, @include/@skip) is refused before
// anything runs, with 400 VALIDATION_ERROR naming the rule; a single ingestEvents of 1,000 events commits all of
// them or none. The failure midway is a real one: a trigger, created through a second connection, aborts the
// insert of one session row after every event of the batch was inserted.
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { accountKey, storedEventRows } from './support/ingest-support.js';
import { sideQuery } from './support/side-connection.js';
import { SESSION_A, startTestGateway, type GraphQLBody, type TestGateway } from './support/test-gateway.js';

const RULE = /^A mutation may store one batch of events: this one selects (\d+) event-storing fields \(([^)]*)\)\. Send all the events in one field, up to 1000 a request\.$/;

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(() => t.close());

function uuid(n: number): string {
  return `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

let eventCounter = 0;
/** Events no other test sent (their own event_id), so each one stored is a new row. */
function freshEvents(count: number, sessionOf: (i: number) => string = () => SESSION_A) {
  return Array.from({ length: count }, (_, i) => ({
    eventType: 'tool_use',
    sessionId: sessionOf(i),
    timestamp: '2026-02-01T10:00:00Z',
    eventId: `one-batch-${process.pid}-${++eventCounter}`,
    data: { tool_name: 'Read' },
  }));
}

async function post(query: string, variables: Record<string, unknown>, key: string, operationName?: string): Promise<{ status: number; body: GraphQLBody }> {
  const response = await fetch(`${t.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', 'x-api-key': key },
    body: JSON.stringify({ query, variables, ...(operationName ? { operationName } : {}) }),
  });
  return { status: response.status, body: (await response.json()) as GraphQLBody };
}

async function sessionRows(): Promise<number> {
  const [row] = await sideQuery<{ n: number | string }>(t, 'select count(*) as n from sessions');
  return Number(row?.n);
}

function expectRuleRefusal(answer: { status: number; body: GraphQLBody }, names: string[]) {
  expect(answer.status, JSON.stringify(answer.body)).toBe(400);
  expect(answer.body.data ?? null).toBeNull();
  const refusal = answer.body.errors?.find((e) => RULE.test(e.message));
  expect(refusal, JSON.stringify(answer.body)).toBeDefined();
  expect(refusal!.extensions?.['code']).toBe('VALIDATION_ERROR');
  const [, count, listed] = RULE.exec(refusal!.message)!;
  expect(Number(count)).toBe(names.length);
  expect(listed!.split(', ').sort()).toStrictEqual([...names].sort());
}

describe('a mutation selecting ingestEvents more than once is refused whole', () => {
  it('two aliases, the second with no events: 400 naming the rule, and the first batch is not stored', async () => {
    const { key } = await accountKey(t, { scopes: ['write:events'] });
    const before = await storedEventRows(t);
    const answer = await post(
      'mutation($one: [EventInput!]!) { a: ingestEvents(events: $one) { accepted } b: ingestEvents(events: []) { accepted } }',
      { one: freshEvents(1) },
      key,
    );
    expectRuleRefusal(answer, ['a', 'b']);
    expect(await storedEventRows(t)).toBe(before);
  });

  it('30 aliases of 1,000 events each: 400 before anything is stored', async () => {
    const { key } = await accountKey(t, { scopes: ['write:events'] });
    const before = await storedEventRows(t);
    const names = Array.from({ length: 30 }, (_, i) => `a${i}`);
    const answer = await post(
      `mutation($events: [EventInput!]!) { ${names.map((n) => `${n}: ingestEvents(events: $events) { accepted }`).join(' ')} }`,
      { events: freshEvents(1000) },
      key,
    );
    expectRuleRefusal(answer, names);
    expect(await storedEventRows(t)).toBe(before);
  });

  it('counts through named and inline fragments and whatever @include/@skip say, however the selections are written', async () => {
    const { key } = await accountKey(t, { scopes: ['write:events'] });
    const before = await storedEventRows(t);
    const events = freshEvents(2);
    const written = fc.record({
      alias: fc.boolean(),
      wrap: fc.constantFrom('none', 'inline', 'inlineTyped', 'named'),
      directive: fc.constantFrom('', '@include(if: true)', '@include(if: false)', '@skip(if: true)', '@skip(if: $flag)'),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(written, { minLength: 2, maxLength: 5 }), async (selections) => {
        const fragments: string[] = [];
        const names: string[] = [];
        const root = selections.map((s, i) => {
          // At most one selection goes by the field's own name: two unaliased ones are one field (below).
          const name = s.alias || i > 0 ? `n${i}` : 'ingestEvents';
          names.push(name);
          const field = `${name === 'ingestEvents' ? '' : `${name}: `}ingestEvents(events: $events) ${s.directive} { accepted }`;
          if (s.wrap === 'inline') return `... { ${field} }`;
          if (s.wrap === 'inlineTyped') return `... on Mutation { ${field} }`;
          if (s.wrap === 'named') {
            fragments.push(`fragment F${i} on Mutation { ${field} }`);
            return `...F${i}`;
          }
          return field;
        });
        const query = `mutation($events: [EventInput!]!, $flag: Boolean!) { ${root.join(' ')} } ${fragments.join(' ')}`;
        expectRuleRefusal(await post(query, { events, flag: true }, key), names);
      }),
      { numRuns: 40 },
    );
    expect(await storedEventRows(t)).toBe(before);
  });
});

describe('one batch per request still passes', () => {
  it('the same field written twice with the same arguments is one field (graphql-js merges it) and stores once', async () => {
    const { key } = await accountKey(t, { scopes: ['write:events'] });
    const before = await storedEventRows(t);
    const answer = await post(
      `mutation($events: [EventInput!]!) {
         ingestEvents(events: $events) { accepted }
         ... on Mutation { ingestEvents(events: $events) { duplicates } }
         ...More
       }
       fragment More on Mutation { ingestEvents(events: $events) @include(if: true) { rejected } }`,
      { events: freshEvents(3) },
      key,
    );
    expect(answer).toStrictEqual({ status: 200, body: { data: { ingestEvents: { accepted: 3, duplicates: 0, rejected: 0 } } } });
    expect(await storedEventRows(t)).toBe(before + 3);
  });

  it('a document with two mutations, each storing once: the one named runs', async () => {
    const { key } = await accountKey(t, { scopes: ['write:events'] });
    const before = await storedEventRows(t);
    const query = `mutation First($events: [EventInput!]!) { first: ingestEvents(events: $events) { accepted } __typename }
                   mutation Second($events: [EventInput!]!) { second: ingestEvents(events: $events) { accepted } }`;
    const answer = await post(query, { events: freshEvents(2) }, key, 'Second');
    expect(answer).toStrictEqual({ status: 200, body: { data: { second: { accepted: 2 } } } });
    expect(await storedEventRows(t)).toBe(before + 2);
  });

  it('queries may still alias their fields', async () => {
    const { key } = await accountKey(t, { scopes: ['read:analytics'] });
    const answer = await post('{ a: sessions(limit: 1) { total } b: sessions(limit: 2) { total } }', {}, key);
    expect(answer).toStrictEqual({ status: 200, body: { data: { a: { total: 0 }, b: { total: 0 } } } });
  });
});

describe('a single ingestEvents of 1,000 events is one transaction', () => {
  // 50 sessions of 20 events each; the poisoned one sorts in the middle, so the session rows are folded
  // in part (24 inserted) when the trigger aborts, after all 1,000 events were inserted.
  const SESSIONS = Array.from({ length: 50 }, (_, i) => uuid(0x1b00 + i));
  const POISON = SESSIONS[24]!;
  const TRIGGER = 'one_batch_poison';

  async function setPoison(on: boolean): Promise<void> {
    if (t.gateway.database.dialect === 'sqlite') {
      await sideQuery(t, `drop trigger if exists ${TRIGGER}`);
      if (on) {
        await sideQuery(t, `create trigger ${TRIGGER} before insert on sessions when new.id = '${POISON}'
                 begin select raise(abort, 'poisoned'); end`);
      }
      return;
    }
    await sideQuery(t, `drop trigger if exists ${TRIGGER} on sessions`);
    if (on) {
      await sideQuery(t, `create or replace function ${TRIGGER}() returns trigger language plpgsql as $$
        begin
          if new.id = '${POISON}' then raise exception 'poisoned'; end if;
          return new;
        end $$`);
      await sideQuery(t, `create trigger ${TRIGGER} before insert on sessions for each row execute function ${TRIGGER}()`);
    }
  }
  afterEach(() => setPoison(false));

  const MUTATION = 'mutation($events: [EventInput!]!) { ingestEvents(events: $events) { accepted rejected duplicates } }';

  it('fails midway: nothing of it stored; once the fault is gone, the same request stores all 1,000', async () => {
    const { key } = await accountKey(t, { scopes: ['write:events'] });
    const events = freshEvents(1000, (i) => SESSIONS[i % SESSIONS.length]!);
    const eventsBefore = await storedEventRows(t);
    const sessionsBefore = await sessionRows();
    await setPoison(true);

    const failed = await post(MUTATION, { events }, key);
    expect(failed.body.data).toStrictEqual({ ingestEvents: null });
    expect(failed.body.errors).toHaveLength(1);
    expect(failed.body.errors![0]!.extensions?.['code']).not.toBe('VALIDATION_ERROR');
    expect(await storedEventRows(t)).toBe(eventsBefore);
    expect(await sessionRows()).toBe(sessionsBefore);

    await setPoison(false);
    const stored = await post(MUTATION, { events }, key);
    expect(stored).toStrictEqual({ status: 200, body: { data: { ingestEvents: { accepted: 1000, rejected: 0, duplicates: 0 } } } });
    expect(await storedEventRows(t)).toBe(eventsBefore + 1000);
    expect(await sessionRows()).toBe(sessionsBefore + 50);
  });
});
