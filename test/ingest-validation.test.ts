import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountKey, allSessions, ingest, sessionById, sessionTotal, type IngestBody } from './support/ingest-support.js';
import { event, SESSION_A, SESSION_B, startTestGateway, type TestGateway } from './support/test-gateway.js';

// docs/api.md#ingestion: POST /api/v1/events — batch rules (whole request refused) and per-event rules
// (valid events stored, invalid ones counted and explained).

const BATCH_TOO_LARGE = 'Batch size exceeds limit of 1000 events per request.';
const T0 = '2024-01-15T10:30:00Z';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(() => t.close());

function expectValidationEnvelope(status: number, body: any): void {
  expect(status, JSON.stringify(body)).toBe(400);
  expect(Object.keys(body)).toEqual(['error']);
  expect(body.error.code).toBe('VALIDATION_ERROR');
  expect(typeof body.error.message).toBe('string');
  expect(body.error.message.length).toBeGreaterThan(0);
  for (const key of Object.keys(body.error)) expect(['code', 'message', 'details']).toContain(key);
  if ('details' in body.error) {
    expect(Array.isArray(body.error.details)).toBe(true);
    for (const d of body.error.details) {
      expect(Object.keys(d).sort()).toEqual(['field', 'message']);
      expect(typeof d.field).toBe('string');
      expect(typeof d.message).toBe('string');
    }
  }
}

function expectDetailFor(body: any, field: string): void {
  expect(body.error.details, JSON.stringify(body)).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
}

const validEvents = (n: number, sessionId = SESSION_A) =>
  Array.from({ length: n }, (_, i) =>
    event('tool_use', sessionId, new Date(Date.UTC(2024, 0, 15, 10, 0, 0, i)).toISOString(), {
      data: { tool_name: 'Read' },
      event_id: `evt-${i}`,
    }),
  );

describe('POST /api/v1/events: a malformed batch is refused whole (400, nothing stored)', () => {
  const rawBodies: [string, string][] = [
    ['an empty body', ''],
    ['text that is not JSON', 'not json'],
    ['truncated JSON', `{"events": [${JSON.stringify(event('session_start', SESSION_A, T0))}`],
    ['a JSON array of events', JSON.stringify([event('session_start', SESSION_A, T0)])],
    ['a JSON string', '"events"'],
    ['JSON null', 'null'],
    ['a JSON number', '42'],
  ];
  for (const [what, raw] of rawBodies) {
    it(`refuses ${what}`, async () => {
      const { key } = await accountKey(t);
      const { status, body } = await ingest(t, key, raw);
      expectValidationEnvelope(status, body);
      expect(await sessionTotal(t, key)).toBe(0);
    });
  }

  const shapes: [string, unknown][] = [
    ['an object without `events`', { event: [event('session_start', SESSION_A, T0)] }],
    ['an empty object', {}],
    ['`events` as an object', { events: { 0: event('session_start', SESSION_A, T0) } }],
    ['`events` as a single event', { events: event('session_start', SESSION_A, T0) }],
    ['`events` as a string', { events: 'session_start' }],
    ['`events` as null', { events: null }],
    ['an empty `events` array', { events: [] }],
  ];
  for (const [what, payload] of shapes) {
    it(`refuses ${what}, naming the field \`events\``, async () => {
      const { key } = await accountKey(t);
      const { status, body } = await ingest(t, key, payload);
      expectValidationEnvelope(status, body);
      expectDetailFor(body, 'events');
      expect(await sessionTotal(t, key)).toBe(0);
    });
  }

  it('refuses 1001 events with the exact message, storing none of them', async () => {
    const { key } = await accountKey(t);
    const { status, body } = await ingest(t, key, { events: validEvents(1001) });
    expectValidationEnvelope(status, body);
    expect(body.error.message).toBe(BATCH_TOO_LARGE);
    expectDetailFor(body, 'events');
    expect(await sessionTotal(t, key)).toBe(0);
  });

  it('refuses 1001 events even when some of them are invalid', async () => {
    const { key } = await accountKey(t);
    const events: unknown[] = validEvents(1001);
    events[3] = { event_type: 'nope' };
    const { status, body } = await ingest(t, key, { events });
    expectValidationEnvelope(status, body);
    expect(body.error.message).toBe(BATCH_TOO_LARGE);
    expect(await sessionTotal(t, key)).toBe(0);
  });

  it('accepts exactly 1000 events', async () => {
    const { key } = await accountKey(t);
    const { status, body } = await ingest(t, key, { events: validEvents(1000) });
    expect(status).toBe(200);
    expect(body).toStrictEqual({ data: { accepted: 1000, rejected: 0, duplicates: 0, errors: [] } });
    const session = await sessionById(t, key, SESSION_A);
    expect(session.event_count).toBe(1000);
    expect(session.tool_invocations).toBe(1000);
  });

  it('accepts a single event with the exact response shape', async () => {
    const { key } = await accountKey(t);
    const { status, body } = await ingest(t, key, { events: [event('session_start', SESSION_A, T0)] });
    expect(status).toBe(200);
    expect(JSON.stringify(body)).toBe('{"data":{"accepted":1,"rejected":0,"duplicates":0,"errors":[]}}');
  });
});

/**
 * Sends [a valid event, `bad`] and expects exactly one error for `bad` at `field`, the valid
 * event stored and `bad` not stored. `bad` uses SESSION_A unless its session id is what is wrong.
 */
async function expectRejected(bad: Record<string, unknown>, field: string): Promise<void> {
  const { key } = await accountKey(t);
  const { status, body } = await ingest(t, key, { events: [event('session_start', SESSION_A, T0), bad] });
  expect(status, JSON.stringify(body)).toBe(200);
  expect(body).toStrictEqual({
    data: {
      accepted: 1,
      rejected: 1,
      duplicates: 0,
      errors: [{ index: 1, field: `events[1].${field}`, message: expect.any(String) }],
    },
  });
  expect((body as IngestBody).data.errors[0]!.message.length).toBeGreaterThan(0);
  const { total, sessions } = await allSessions(t, key);
  expect(total).toBe(1);
  expect(sessions[0]).toMatchObject({ id: SESSION_A, event_count: 1, started_at: '2024-01-15T10:30:00Z' });
}

async function expectAccepted(good: Record<string, unknown>): Promise<string> {
  const { key } = await accountKey(t);
  const { status, body } = await ingest(t, key, { events: [good] });
  expect(status, JSON.stringify(body)).toBe(200);
  expect(body).toStrictEqual({ data: { accepted: 1, rejected: 0, duplicates: 0, errors: [] } });
  return key;
}

const withoutField = (name: string) => {
  const e: Record<string, unknown> = event('tool_use', SESSION_A, '2024-01-15T10:31:00Z');
  delete e[name];
  return e;
};

describe('POST /api/v1/events: event_type', () => {
  const TYPES = [
    'session_start', 'session_end', 'tool_use', 'tool_result', 'subagent_stop',
    'assistant_stop', 'prompt_submit', 'subagent_start', 'pre_compact', 'notification',
  ];

  it('accepts each of the 10 event types', async () => {
    const { key } = await accountKey(t);
    const events = TYPES.map((type, i) => event(type, SESSION_A, `2024-01-15T10:3${i}:00Z`));
    const { status, body } = await ingest(t, key, { events });
    expect(status).toBe(200);
    expect(body).toStrictEqual({ data: { accepted: 10, rejected: 0, duplicates: 0, errors: [] } });
    expect(await sessionById(t, key, SESSION_A)).toMatchObject({ event_count: 10, tool_invocations: 1 });
  });

  for (const type of TYPES) {
    it(`accepts ${type} on its own`, async () => {
      const key = await expectAccepted(event(type, SESSION_B, T0));
      expect(await sessionById(t, key, SESSION_B)).toMatchObject({ event_count: 1 });
    });
  }

  it('rejects a missing event_type', () => expectRejected(withoutField('event_type'), 'event_type'));
  for (const bad of ['session_begin', 'SessionStart', 'tool', '', 42, null, ['tool_use']]) {
    it(`rejects event_type ${JSON.stringify(bad)}`, () =>
      expectRejected({ ...event('tool_use', SESSION_A, '2024-01-15T10:31:00Z'), event_type: bad }, 'event_type'));
  }
});

describe('POST /api/v1/events: session_id', () => {
  it('rejects a missing session_id', async () => {
    const bad = withoutField('session_id');
    await expectRejected(bad, 'session_id');
  });

  for (const bad of [
    'not-a-uuid',
    '',
    '550e8400e29b41d4a716446655440000',
    '550e8400-e29b-41d4-a716-44665544000',
    '550e8400-e29b-41d4-a716-4466554400000',
    '550e8400-e29b-41d4-a716-44665544000g',
    ' 550e8400-e29b-41d4-a716-446655440000',
    42,
    true,
  ]) {
    it(`rejects session_id ${JSON.stringify(bad)}`, () =>
      expectRejected({ ...event('tool_use', SESSION_A, '2024-01-15T10:31:00Z'), session_id: bad }, 'session_id'));
  }

  for (const id of [
    '6ba7b810-9dad-11d1-80b4-00c04fd430c8', // v1
    'a3bb189e-8bf9-3888-9912-ace4e6543002', // v3
    '550e8400-e29b-41d4-a716-446655440000', // v4
    '886313e1-3b8a-5372-9b90-0c9aee199e5d', // v5
    '123e4567-e89b-22d3-b456-426614174000', // v2
  ]) {
    it(`accepts the UUID ${id}`, async () => {
      const key = await expectAccepted(event('session_start', id, T0));
      expect((await allSessions(t, key)).sessions.map((s) => s.id)).toEqual([id]);
    });
  }

  it('stores an upper-case UUID lower-case, as the same session as its lower-case spelling', async () => {
    const { key } = await accountKey(t);
    const upper = SESSION_A.toUpperCase();
    const mixed = '550E8400-e29b-41D4-a716-446655440000';
    const { body } = await ingest(t, key, {
      events: [
        event('session_start', upper, T0),
        event('tool_use', mixed, '2024-01-15T10:31:00Z'),
        event('session_end', SESSION_A, '2024-01-15T10:32:00Z'),
      ],
    });
    expect(body).toStrictEqual({ data: { accepted: 3, rejected: 0, duplicates: 0, errors: [] } });
    const { total, sessions } = await allSessions(t, key);
    expect(total).toBe(1);
    expect(sessions).toStrictEqual([{
      id: SESSION_A,
      started_at: '2024-01-15T10:30:00Z',
      ended_at: '2024-01-15T10:32:00Z',
      duration_ms: 120_000,
      event_count: 3,
      tool_invocations: 1,
    }]);
  });
});

describe('POST /api/v1/events: timestamp', () => {
  it('rejects a missing timestamp', () => expectRejected(withoutField('timestamp'), 'timestamp'));

  for (const bad of [
    1705314600000,
    null,
    true,
    { iso: '2024-01-15T10:30:00Z' },
    '2024-01-15',
    '2024-01-15T10:30:00',
    '2024-01-15T10:30',
    '2024-01-15T10:30:00.123',
    '2024-02-30T10:00:00Z',
    '2023-02-29T10:00:00Z',
    '2024-13-01T10:00:00Z',
    '2024-01-32T10:00:00Z',
    '2024-01-15T25:00:00Z',
    '2024-01-15T24:00:01Z',
    '2024-01-15T10:60:00Z',
    '2024-01-15T10:30:61Z',
    '2024-01-15T10:30:00+25:00',
    'yesterday',
    '',
  ]) {
    it(`rejects timestamp ${JSON.stringify(bad)}`, () =>
      expectRejected({ ...event('tool_use', SESSION_A, '2024-01-15T10:31:00Z'), timestamp: bad }, 'timestamp'));
  }

  // The instant must be writable in the output format (`YYYY-MM-DDTHH:MM:SSZ`, years 0000–9999).
  for (const outside of ['9999-12-31T23:00:00-05:30', '0000-01-01T00:30:00+01:00']) {
    it(`rejects timestamp ${outside}, whose instant in UTC falls outside years 0000–9999`, () =>
      expectRejected({ ...event('tool_use', SESSION_A, '2024-01-15T10:31:00Z'), timestamp: outside }, 'timestamp'));
  }

  const accepted: [string, string][] = [
    ['2024-01-15T10:30:00Z', '2024-01-15T10:30:00Z'],
    ['2024-01-15T12:30:00+02:00', '2024-01-15T10:30:00Z'],
    ['2024-01-15T05:00:00-05:30', '2024-01-15T10:30:00Z'],
    ['2024-01-15T10:30:00.123Z', '2024-01-15T10:30:00.123Z'],
    ['2024-01-15T10:30:00.000Z', '2024-01-15T10:30:00Z'],
    ['2024-01-15T10:30:00.5Z', '2024-01-15T10:30:00.500Z'],
    ['2024-02-29T23:59:59Z', '2024-02-29T23:59:59Z'],
    ['2024-01-01T00:30:00+01:00', '2023-12-31T23:30:00Z'],
    ['0000-01-01T00:00:00Z', '0000-01-01T00:00:00Z'],
    ['9999-12-31T23:59:59.999Z', '9999-12-31T23:59:59.999Z'],
    ['9999-12-31T23:00:00+05:30', '9999-12-31T17:30:00Z'],
  ];
  for (const [input, stored] of accepted) {
    it(`accepts timestamp ${input} as ${stored}`, async () => {
      const key = await expectAccepted(event('session_start', SESSION_A, input));
      expect((await sessionById(t, key, SESSION_A)).started_at).toBe(stored);
    });
  }
});

describe('POST /api/v1/events: data', () => {
  for (const bad of [[], [{ tool_name: 'Read' }], 'Read', 42, true]) {
    it(`rejects data ${JSON.stringify(bad)}`, () =>
      expectRejected({ ...event('tool_use', SESSION_A, '2024-01-15T10:31:00Z'), data: bad }, 'data'));
  }

  // `{"x":""}` is 8 bytes; the filler brings the JSON to the size wanted. ASCII only, so bytes = characters.
  const sized = (bytes: number) => ({ x: 'a'.repeat(bytes - 8) });

  it('accepts data of exactly 64 KiB as JSON', async () => {
    const data = sized(64 * 1024);
    expect(JSON.stringify(data).length).toBe(65_536);
    const key = await expectAccepted(event('tool_use', SESSION_A, T0, { data }));
    expect(await sessionById(t, key, SESSION_A)).toMatchObject({ event_count: 1, tool_invocations: 1 });
  });

  it('rejects data of 64 KiB + 1 byte as JSON', async () => {
    const data = sized(64 * 1024 + 1);
    expect(JSON.stringify(data).length).toBe(65_537);
    await expectRejected(event('tool_use', SESSION_A, '2024-01-15T10:31:00Z', { data }), 'data');
  });

  it('rejects data far over 64 KiB', () =>
    expectRejected(event('tool_use', SESSION_A, '2024-01-15T10:31:00Z', { data: sized(200_000) }), 'data'));

  it('counts a `__proto__` key like any other: over 64 KiB under it is rejected', async () => {
    // Raw JSON text: an object literal with __proto__ would set a prototype instead of a key.
    const { key } = await accountKey(t);
    const bad = `{"event_type":"tool_use","session_id":"${SESSION_A}","timestamp":"2024-01-15T10:31:00Z",`
      + `"data":{"__proto__":{"x":"${'a'.repeat(70_000)}"}}}`;
    const { status, body } = await ingest(t, key, `{"events":[${JSON.stringify(event('session_start', SESSION_A, T0))},${bad}]}`);
    expect(status).toBe(200);
    expect(body).toStrictEqual({
      data: { accepted: 1, rejected: 1, duplicates: 0, errors: [{ index: 1, field: 'events[1].data', message: expect.any(String) }] },
    });
    expect(await sessionById(t, key, SESSION_A)).toMatchObject({ event_count: 1 });
  });

  it('accepts absent, empty and nested data', async () => {
    const { key } = await accountKey(t);
    const { body } = await ingest(t, key, {
      events: [
        event('tool_use', SESSION_A, T0),
        event('tool_use', SESSION_A, T0, { data: {} }),
        event('tool_result', SESSION_A, T0, { data: { tool_name: 'Read', nested: { a: [1, { b: null }] } } }),
      ],
    });
    // absent data equals {}: the second event is a duplicate of the first (docs/api.md#idempotence).
    expect(body).toStrictEqual({ data: { accepted: 3, rejected: 0, duplicates: 1, errors: [] } });
  });
});

describe('POST /api/v1/events: event_id', () => {
  it('accepts an event_id of exactly 128 characters', () =>
    expectAccepted(event('tool_use', SESSION_A, T0, { event_id: 'e'.repeat(128) })));

  it('rejects an event_id of 129 characters', () =>
    expectRejected(event('tool_use', SESSION_A, '2024-01-15T10:31:00Z', { event_id: 'e'.repeat(129) }), 'event_id'));

  for (const bad of [42, true, { id: 'x' }, ['x']]) {
    it(`rejects event_id ${JSON.stringify(bad)}`, () =>
      expectRejected(event('tool_use', SESSION_A, '2024-01-15T10:31:00Z', { event_id: bad }), 'event_id'));
  }
});

describe('POST /api/v1/events: a mixed batch', () => {
  it('stores the valid events and explains each invalid one by index and field', async () => {
    const { key } = await accountKey(t);
    const { status, body } = await ingest(t, key, {
      events: [
        event('session_start', SESSION_A, '2024-01-15T10:30:00Z'),
        event('tool_use', SESSION_A, '2024-01-15T10:31:00Z', { data: { tool_name: 'Read' } }),
        event('tool_use', 'not-a-uuid', '2024-01-15T10:32:00Z'),
        event('tool_use', SESSION_B, '2024-01-15T10:33:00Z'),
        event('bogus', SESSION_A, '2024-01-15T10:34:00Z'),
        event('session_end', SESSION_A, '2024-01-15T10:35:00'),
        event('session_end', SESSION_A, '2024-01-15T11:00:00Z'),
      ],
    });
    expect(status).toBe(200);
    expect(body).toStrictEqual({
      data: {
        accepted: 4,
        rejected: 3,
        duplicates: 0,
        errors: [
          { index: 2, field: 'events[2].session_id', message: expect.any(String) },
          { index: 4, field: 'events[4].event_type', message: expect.any(String) },
          { index: 5, field: 'events[5].timestamp', message: expect.any(String) },
        ],
      },
    });
    const { sessions } = await allSessions(t, key);
    expect(sessions).toStrictEqual([
      {
        id: SESSION_A, started_at: '2024-01-15T10:30:00Z', ended_at: '2024-01-15T11:00:00Z',
        duration_ms: 1_800_000, event_count: 3, tool_invocations: 1,
      },
      {
        // one old event: closed by inactivity at that event (the clock is real, years later).
        id: SESSION_B, started_at: '2024-01-15T10:33:00Z', ended_at: '2024-01-15T10:33:00Z',
        duration_ms: 0, event_count: 1, tool_invocations: 1,
      },
    ]);
  });

  it('counts an event with several bad fields once, explaining each field', async () => {
    const { key } = await accountKey(t);
    const { status, body } = await ingest(t, key, {
      events: [event('session_start', SESSION_A, T0), { event_type: 'bogus', session_id: 'nope', timestamp: 'later' }],
    });
    expect(status).toBe(200);
    expect(body.data.accepted).toBe(1);
    expect(body.data.rejected).toBe(1);
    expect(body.data.duplicates).toBe(0);
    for (const e of body.data.errors) {
      expect(Object.keys(e).sort()).toEqual(['field', 'index', 'message']);
      expect(e.index).toBe(1);
    }
    expect(body.data.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'events[1].event_type', 'events[1].session_id', 'events[1].timestamp',
    ]);
    expect(await sessionTotal(t, key)).toBe(1);
  });

  for (const [what, bad] of [['a number', 42], ['null', null], ['an array', [event('tool_use', SESSION_B, T0)]], ['a string', 'x']] as const) {
    it(`rejects an event that is ${what}, storing the others`, async () => {
      const { key } = await accountKey(t);
      const { status, body } = await ingest(t, key, { events: [bad, event('session_start', SESSION_A, T0)] });
      expect(status).toBe(200);
      expect(body.data).toMatchObject({ accepted: 1, rejected: 1, duplicates: 0 });
      expect(body.data.errors.length).toBeGreaterThan(0);
      for (const e of body.data.errors) {
        expect(e.index).toBe(0);
        expect(e.field).toMatch(/^events\[0\]/);
        expect(typeof e.message).toBe('string');
      }
      const { sessions } = await allSessions(t, key);
      expect(sessions.map((s) => s.id)).toEqual([SESSION_A]);
    });
  }

  it('answers 200 with everything rejected when no event is valid, storing nothing', async () => {
    const { key } = await accountKey(t);
    const { status, body } = await ingest(t, key, {
      events: [event('bogus', SESSION_A, T0), event('tool_use', SESSION_A, '2024-01-15')],
    });
    expect(status).toBe(200);
    expect(body).toStrictEqual({
      data: {
        accepted: 0,
        rejected: 2,
        duplicates: 0,
        errors: [
          { index: 0, field: 'events[0].event_type', message: expect.any(String) },
          { index: 1, field: 'events[1].timestamp', message: expect.any(String) },
        ],
      },
    });
    expect(await sessionTotal(t, key)).toBe(0);
  });
});
