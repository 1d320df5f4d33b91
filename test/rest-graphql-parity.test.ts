import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { camelSession, loadReadPathDataset, READ_PATH_NOW, SESSION_FIELDS, type FixtureSession } from './support/read-path-dataset.js';
import { startTestGateway, type TestGateway } from './support/test-gateway.js';

// `GET /api/v1/sessions` and GraphQL `sessions` follow the same rules and give the
// same values (snake_case ↔ camelCase), and fail the same way (REST code/status ↔ extensions.code).

type KeyKind = 'valid' | 'none' | 'malformed' | 'unknown' | 'revoked' | 'write-only';

/** A date parameter: the text both APIs get, and the instant it means (null when it is malformed). */
interface DateParam {
  text: string;
  ms: number | null;
}

interface Params {
  limit?: number;
  offset?: number;
  start?: DateParam;
  end?: DateParam;
}

type Outcome =
  | { ok: true; page: { sessions: Record<string, unknown>[]; total: number; limit: number; offset: number } }
  | { ok: false; code: string; messages: string[]; status?: number; fields?: string[] };

const GRAPHQL_CODE: Record<string, string> = {
  VALIDATION_ERROR: 'VALIDATION_ERROR',
  UNAUTHORIZED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
};
const STATUS: Record<string, number> = { VALIDATION_ERROR: 400, UNAUTHORIZED: 401, FORBIDDEN: 403 };

const SESSIONS_QUERY = `query P($limit: Int, $offset: Int, $startDate: DateTime, $endDate: DateTime) {
  sessions(limit: $limit, offset: $offset, startDate: $startDate, endDate: $endDate) {
    total limit offset nodes { ${SESSION_FIELDS} }
  }
}`;

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** Formats `ms` as the contract allows: date-only, Z with or without a fraction, or a ±HH:MM offset. */
function formatDate(ms: number, style: 'date' | 'z' | 'z-seconds' | 'micro' | 'offset', offsetMinutes: number): DateParam {
  const d = new Date(ms);
  const ymd = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  const hms = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  const millis = d.getUTCMilliseconds();
  switch (style) {
    case 'date':
      return { text: ymd, ms: Date.parse(`${ymd}T00:00:00Z`) };
    case 'z':
      return { text: `${ymd}T${hms}.${pad(millis, 3)}Z`, ms };
    case 'z-seconds':
      return { text: `${ymd}T${hms}Z`, ms: ms - millis };
    case 'micro':
      // Finer than a millisecond is truncated.
      return { text: `${ymd}T${hms}.${pad(millis, 3)}987Z`, ms };
    case 'offset': {
      const local = new Date(ms + offsetMinutes * 60_000);
      const sign = offsetMinutes < 0 ? '-' : '+';
      const abs = Math.abs(offsetMinutes);
      const text =
        `${local.getUTCFullYear()}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}T` +
        `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}.${pad(local.getUTCMilliseconds(), 3)}` +
        `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
      return { text, ms };
    }
  }
}

const MALFORMED_DATES = ['2024-02-30', '2024-01-15T25:00:00Z', '2024-01-15T10:00:00', 'yesterday', '2024-1-5', '', '2024-01-15T10:00:00+2'];

describe('REST and GraphQL sessions parity', () => {
  let t: TestGateway;
  let fixture: FixtureSession[];
  const keys = {} as Record<KeyKind, string | null>;

  beforeAll(async () => {
    t = await startTestGateway({ now: () => READ_PATH_NOW });
    const valid = await t.key({ account: 'acme', scopes: ['read:analytics', 'write:events'] });
    fixture = await loadReadPathDataset(t, valid);
    const revoked = await t.gateway.keys.create({ account: 'acme', scopes: ['read:analytics'] });
    await t.gateway.keys.revoke(revoked.id);
    Object.assign(keys, {
      valid,
      none: null,
      malformed: 'ct_live_short',
      unknown: `ct_live_${'z'.repeat(32)}`,
      revoked: revoked.key,
      'write-only': await t.key({ account: 'acme', scopes: ['write:events'] }),
    });
  });
  afterAll(() => t.close());

  async function viaRest(p: Params, key: string | null): Promise<Outcome> {
    const q = new URLSearchParams();
    if (p.limit !== undefined) q.set('limit', String(p.limit));
    if (p.offset !== undefined) q.set('offset', String(p.offset));
    if (p.start) q.set('start_date', p.start.text);
    if (p.end) q.set('end_date', p.end.text);
    const response = await t.get(`/api/v1/sessions?${q}`, key);
    const body = (await response.json()) as Record<string, any>;
    if (response.status === 200) {
      expect(Object.keys(body)).toEqual(['data']);
      expect(Object.keys(body['data']).sort()).toEqual(['limit', 'offset', 'sessions', 'total']);
      const { sessions, total, limit, offset } = body['data'];
      return { ok: true, page: { sessions: sessions.map(camelSession), total, limit, offset } };
    }
    expect(Object.keys(body)).toEqual(['error']);
    const error = body['error'] as { code: string; message: string; details?: { field: string }[] };
    return {
      ok: false, code: error.code, messages: [error.message], status: response.status,
      fields: error.details?.map((d) => d.field),
    };
  }

  async function viaGraphQL(p: Params, key: string | null, literal: boolean): Promise<Outcome> {
    let result;
    if (literal) {
      const args = [
        p.limit !== undefined ? `limit: ${p.limit}` : '',
        p.offset !== undefined ? `offset: ${p.offset}` : '',
        p.start ? `startDate: ${JSON.stringify(p.start.text)}` : '',
        p.end ? `endDate: ${JSON.stringify(p.end.text)}` : '',
      ].filter(Boolean);
      const argList = args.length > 0 ? `(${args.join(', ')})` : '';
      result = await t.graphql(`{ sessions${argList} { total limit offset nodes { ${SESSION_FIELDS} } } }`, {}, key);
    } else {
      result = await t.graphql(SESSIONS_QUERY, {
        limit: p.limit, offset: p.offset, startDate: p.start?.text, endDate: p.end?.text,
      }, key);
    }
    const { body } = result;
    if (!body.errors) {
      const { nodes, total, limit, offset } = body.data!['sessions'];
      return { ok: true, page: { sessions: nodes, total, limit, offset } };
    }
    expect(body.data?.['sessions'] ?? null).toBeNull();
    const codes = [...new Set(body.errors.map((e) => e.extensions?.['code'] as string))];
    expect(codes, JSON.stringify(body.errors)).toHaveLength(1);
    return { ok: false, code: codes[0]!, messages: body.errors.map((e) => e.message) };
  }

  /** What the sessions rules say the answer is, from the fixture alone. */
  function expected(p: Params, kind: KeyKind): Outcome {
    if (kind === 'write-only') {
      return { ok: false, code: 'FORBIDDEN', messages: ['This API key does not have the required scope: read:analytics'] };
    }
    if (kind !== 'valid') return { ok: false, code: 'UNAUTHORIZED', messages: ['Missing or invalid API key.'] };
    const fields: string[] = [];
    if (p.limit !== undefined && p.limit < 1) fields.push('limit');
    if (p.offset !== undefined && p.offset < 0) fields.push('offset');
    if (p.start && p.start.ms === null) fields.push('start_date');
    if (p.end && p.end.ms === null) fields.push('end_date');
    const startMs = p.start?.ms ?? null;
    const endMs = p.end?.ms ?? null;
    const reversed = startMs !== null && endMs !== null && startMs > endMs;
    if (fields.length > 0 || reversed) return { ok: false, code: 'VALIDATION_ERROR', messages: [], fields };
    const limit = Math.min(p.limit ?? 50, 200);
    const offset = p.offset ?? 0;
    const matching = fixture.filter((s) => {
      const started = Date.parse(s.startedAt);
      return (startMs === null || started >= startMs) && (endMs === null || started <= endMs);
    });
    return {
      ok: true,
      page: { sessions: matching.slice(offset, offset + limit) as unknown as Record<string, unknown>[], total: matching.length, limit, offset },
    };
  }

  async function checkParity(p: Params, kind: KeyKind, literal: boolean): Promise<void> {
    const key = keys[kind];
    const label = JSON.stringify({ p, kind, literal });
    const rest = await viaRest(p, key);
    const graphql = await viaGraphQL(p, key, literal);
    const model = expected(p, kind);
    if (model.ok) {
      expect(rest, label).toEqual(model);
      expect(graphql, label).toEqual(model);
      return;
    }
    expect(rest.ok, label).toBe(false);
    expect(graphql.ok, label).toBe(false);
    if (rest.ok || graphql.ok) return;
    expect(rest.code, label).toBe(model.code);
    expect(rest.status, label).toBe(STATUS[model.code]);
    expect(graphql.code, label).toBe(GRAPHQL_CODE[model.code]);
    if (model.code === 'VALIDATION_ERROR') {
      // REST's details name each bad field.
      expect(rest.fields ?? [], label).toEqual(expect.arrayContaining(model.fields ?? []));
    } else {
      // Authentication and scope errors read the same in both APIs.
      expect(rest.messages, label).toEqual(model.messages);
      expect(new Set(graphql.messages), label).toEqual(new Set(model.messages));
    }
  }

  const d = (text: string): DateParam => {
    const ms = /^\d{4}-\d{2}-\d{2}$/.test(text) ? Date.parse(`${text}T00:00:00Z`) : Date.parse(text);
    return { text, ms };
  };

  const TABLE: [string, Params, KeyKind][] = [
    ['no parameters', {}, 'valid'],
    ['limit 1', { limit: 1 }, 'valid'],
    ['limit 10, offset 10', { limit: 10, offset: 10 }, 'valid'],
    ['limit 200', { limit: 200 }, 'valid'],
    ['limit above 200', { limit: 201 }, 'valid'],
    ['limit far above 200', { limit: 2_000_000 }, 'valid'],
    ['offset past the end', { offset: 28 }, 'valid'],
    ['offset far past the end', { offset: 1_000_000 }, 'valid'],
    ['date-only bounds', { start: d('2024-02-01'), end: d('2024-02-13') }, 'valid'],
    ['date-only start on a midnight session', { start: d('2024-02-17') }, 'valid'],
    ['date-only end on a midnight session', { end: d('2024-02-09') }, 'valid'],
    ['offset date-times', { start: d('2024-02-01T02:00:00+02:00'), end: d('2024-02-12T19:00:00-05:00') }, 'valid'],
    ['fractions and truncation', { start: d('2024-02-16T10:48:08.885Z'), end: { text: '2024-02-16T10:48:08.8859Z', ms: Date.parse('2024-02-16T10:48:08.885Z') } }, 'valid'],
    ['equal bounds on three tied sessions', { start: d('2024-02-16T10:48:08.885Z'), end: d('2024-02-16T10:48:08.885Z'), limit: 2, offset: 1 }, 'valid'],
    ['an empty range', { start: d('2023-06-01'), end: d('2023-06-30') }, 'valid'],
    ['a range after every session', { start: d('2024-03-01T00:00:00Z') }, 'valid'],
    ['limit 0', { limit: 0 }, 'valid'],
    ['a negative limit', { limit: -5 }, 'valid'],
    ['a negative offset', { offset: -1 }, 'valid'],
    ['start after end', { start: d('2024-02-02'), end: d('2024-02-01T23:59:59.999Z') }, 'valid'],
    ['an impossible date', { start: { text: '2024-02-30', ms: null } }, 'valid'],
    ['a date-time without a zone', { end: { text: '2024-01-15T10:00:00', ms: null } }, 'valid'],
    ['no key', {}, 'none'],
    ['no key and an invalid limit', { limit: 0 }, 'none'],
    ['no key and start after end', { start: d('2024-02-02'), end: d('2024-02-01') }, 'none'],
    ['a malformed key', { limit: 5 }, 'malformed'],
    ['an unknown key', {}, 'unknown'],
    ['a revoked key', { offset: 3 }, 'revoked'],
    ['the wrong scope', {}, 'write-only'],
    ['the wrong scope and an invalid limit', { limit: 0, offset: -1 }, 'write-only'],
  ];

  it.each(TABLE)('agrees for %s', async (_name, p, kind) => {
    await checkParity(p, kind, false);
    await checkParity(p, kind, true);
  });

  const DATASET_FROM = Date.parse('2024-01-05T00:00:00Z');
  const DATASET_TO = Date.parse('2024-03-03T00:00:00Z');

  function dateParam(): fc.Arbitrary<DateParam> {
    const instant = fc.oneof(
      fc.integer({ min: DATASET_FROM, max: DATASET_TO }),
      fc.constantFrom(...readStarts()),
    );
    const valid = fc
      .tuple(
        instant,
        fc.constantFrom('date' as const, 'z' as const, 'z-seconds' as const, 'micro' as const, 'offset' as const),
        fc.integer({ min: -12 * 4, max: 14 * 4 }).map((q) => q * 15),
      )
      .map(([ms, style, offset]) => formatDate(ms, style, offset));
    const malformed = fc.constantFrom(...MALFORMED_DATES).map((text): DateParam => ({ text, ms: null }));
    return fc.oneof({ arbitrary: valid, weight: 9 }, { arbitrary: malformed, weight: 1 });
  }

  /** Session starts of the fixture (computed lazily: the fixture loads in beforeAll). */
  function readStarts(): number[] {
    return fixture.map((s) => Date.parse(s.startedAt));
  }

  it('agrees on generated parameter sets over the fixed data set', async () => {
    const params = fc.record(
      {
        limit: fc.oneof(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 180, max: 100_000 }), fc.integer({ min: -3, max: 0 })),
        offset: fc.oneof(fc.integer({ min: 0, max: 32 }), fc.integer({ min: -2, max: -1 })),
        start: dateParam(),
        end: dateParam(),
      },
      { requiredKeys: [] },
    );
    const kind = fc.oneof(
      { arbitrary: fc.constant<KeyKind>('valid'), weight: 6 },
      { arbitrary: fc.constantFrom<KeyKind>('none', 'malformed', 'unknown', 'revoked', 'write-only'), weight: 2 },
    );
    await fc.assert(
      fc.asyncProperty(params, kind, fc.boolean(), async (p, k, literal) => {
        // A DateTime literal or variable that does not parse fails GraphQL's validation before
        // authentication is consulted; parity with REST (which authenticates first) holds only for
        // well-formed dates when the key is bad.
        if (k !== 'valid') {
          if (p.start?.ms === null) delete p.start;
          if (p.end?.ms === null) delete p.end;
        }
        await checkParity(p, k, literal);
      }),
      { numRuns: 150 },
    );
  });
});
