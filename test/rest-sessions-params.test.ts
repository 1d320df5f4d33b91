// docs/api.md#sessions: parameters of GET /api/v1/sessions: limit, offset, start_date, end_date, and how
// malformed, repeated, unknown and misplaced parameters are answered.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { event, startTestGateway, type TestGateway } from './support/test-gateway.js';
import { expectErrorEnvelope, ingestAll, unlimitedKey, uuidFor } from './support/rest-read-helpers.js';

const NOW = Date.parse('2024-06-01T00:00:00Z');

/** 210 sessions in 2023, one minute apart: more than the 200 cap. */
const BULK = Array.from({ length: 210 }, (_, i) => ({
  id: uuidFor(1000 + i),
  startedAt: new Date(Date.parse('2023-06-01T00:00:00Z') + i * 60_000).toISOString(),
}));
const BEFORE_31 = { id: uuidFor(1), startedAt: '2024-01-30T23:59:59.999Z' };
const AT_31 = { id: uuidFor(2), startedAt: '2024-01-31T00:00:00Z' };
const AFTER_31 = { id: uuidFor(3), startedAt: '2024-01-31T00:00:01Z' };
const LEAP_DAY = { id: uuidFor(6), startedAt: '2024-02-29T12:00:00Z' };
const TEN_UTC = { id: uuidFor(5), startedAt: '2024-03-01T10:00:00Z' };
const MILLIS = { id: uuidFor(4), startedAt: '2024-03-01T12:00:00.123Z' };
const ALL = [...BULK, BEFORE_31, AT_31, AFTER_31, LEAP_DAY, TEN_UTC, MILLIS];
const TOTAL = ALL.length;

const FOUR_HUNDRED_DIGITS = '9'.repeat(400);

let t: TestGateway;
let key: string;

beforeAll(async () => {
  t = await startTestGateway({ now: () => NOW });
  key = await unlimitedKey(t);
  await ingestAll(t, key, ALL.map((s) => event('session_start', s.id, s.startedAt)));
});
afterAll(() => t.close());

interface Page {
  sessions: { id: string }[];
  total: number;
  limit: number;
  offset: number;
}

/** GET with a raw query string (not re-encoded), expecting 200. */
async function page(query: string): Promise<Page> {
  const response = await t.get(`/api/v1/sessions${query === '' ? '' : `?${query}`}`, key);
  const body = await response.json();
  expect(response.status, JSON.stringify(body)).toBe(200);
  return (body as { data: Page }).data;
}

async function ids(query: string): Promise<string[]> {
  return (await page(query)).sessions.map((s) => s.id);
}

/** GET with a raw query string, expecting 400 VALIDATION_ERROR whose details name exactly `fields`. */
async function rejected(query: string, fields: string[]): Promise<void> {
  const response = await t.get(`/api/v1/sessions?${query}`, key);
  const body = await response.json();
  expect(response.status, `${query} → ${JSON.stringify(body)}`).toBe(400);
  expectErrorEnvelope(body, 'VALIDATION_ERROR', fields);
}

const q = (params: Record<string, string>) => new URLSearchParams(params).toString();

describe('limit', () => {
  it('defaults to 50 and echoes it', async () => {
    const data = await page('');
    expect(data.limit).toBe(50);
    expect(data.offset).toBe(0);
    expect(data.total).toBe(TOTAL);
    expect(data.sessions.map((s) => s.id)).toEqual(BULK.slice(0, 50).map((s) => s.id));
  });

  it.each(['1', '5', '05', '0005', '200'])('limit=%s is applied as the plain decimal value', async (raw) => {
    const data = await page(`limit=${raw}`);
    const value = Number.parseInt(raw, 10);
    expect(data.limit).toBe(value);
    expect(data.sessions).toHaveLength(value);
    expect(data.total).toBe(TOTAL);
  });

  it.each(['201', '1000', '9007199254740993', FOUR_HUNDRED_DIGITS, '0000201'])(
    'limit=%s is applied as 200 and echoed as 200',
    async (raw) => {
      const data = await page(`limit=${raw}`);
      expect(data.limit).toBe(200);
      expect(data.sessions).toHaveLength(200);
      expect(data.sessions.map((s) => s.id)).toEqual(BULK.slice(0, 200).map((s) => s.id));
      expect(data.total).toBe(TOTAL);
    },
  );

  it.each([
    ['0', 'limit=0'],
    ['00', 'limit=00'],
    ['-1', 'limit=-1'],
    ['-0', 'limit=-0'],
    ['1.5', 'limit=1.5'],
    ['5.0', 'limit=5.0'],
    ['abc', 'limit=abc'],
    ['empty', 'limit='],
    ['bare name', 'limit'],
    ['+5 (encoded)', 'limit=%2B5'],
    ['+5 (raw, decodes to " 5")', 'limit=+5'],
    ['5 with a trailing space', 'limit=5%20'],
    ['1e2', 'limit=1e2'],
    ['0x10', 'limit=0x10'],
    ['Arabic-Indic digit five', 'limit=%D9%A5'],
    ['Infinity', 'limit=Infinity'],
  ])('limit %s → 400 VALIDATION_ERROR naming limit', async (_name, query) => {
    await rejected(query, ['limit']);
  });
});

describe('offset', () => {
  it('defaults to 0', async () => {
    expect((await page('limit=1')).offset).toBe(0);
  });

  it('skips that many sessions; "05" is 5', async () => {
    const data = await page('limit=3&offset=05');
    expect(data.offset).toBe(5);
    expect(data.limit).toBe(3);
    expect(data.sessions.map((s) => s.id)).toEqual(BULK.slice(5, 8).map((s) => s.id));
    expect(data.total).toBe(TOTAL);
  });

  it('offset=0 and offset=00 start at the first session', async () => {
    expect(await ids('limit=2&offset=0')).toEqual(BULK.slice(0, 2).map((s) => s.id));
    expect(await ids('limit=2&offset=00')).toEqual(BULK.slice(0, 2).map((s) => s.id));
  });

  it('an offset at or past the end gives an empty page with the full total', async () => {
    const data = await page(`offset=${TOTAL}`);
    expect(data).toEqual({ sessions: [], total: TOTAL, limit: 50, offset: TOTAL });
    expect((await page(`offset=${TOTAL - 1}`)).sessions.map((s) => s.id)).toEqual([MILLIS.id]);
  });

  it('accepts 2^53 − 1 (empty page, echoed exactly)', async () => {
    const response = await t.get('/api/v1/sessions?offset=9007199254740991', key);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toContain('"offset":9007199254740991');
    expect(JSON.parse(text)).toEqual({ data: { sessions: [], total: TOTAL, limit: 50, offset: 9007199254740991 } });
  });

  it.each([
    ['2^53', 'offset=9007199254740992'],
    ['2^53 + 1', 'offset=9007199254740993'],
    ['400 digits', `offset=${FOUR_HUNDRED_DIGITS}`],
    ['-1', 'offset=-1'],
    ['-0', 'offset=-0'],
    ['1.5', 'offset=1.5'],
    ['abc', 'offset=abc'],
    ['empty', 'offset='],
    ['+5 (encoded)', 'offset=%2B5'],
    ['+5 (raw)', 'offset=+5'],
    ['1e2', 'offset=1e2'],
    ['0x10', 'offset=0x10'],
  ])('offset %s → 400 VALIDATION_ERROR naming offset', async (_name, query) => {
    await rejected(query, ['offset']);
  });
});

describe('start_date and end_date', () => {
  it('date-only means 00:00:00Z of that day for end_date: the 31st ends at its first instant', async () => {
    expect(await ids(q({ start_date: '2024-01-30', end_date: '2024-01-31' }))).toEqual([BEFORE_31.id, AT_31.id]);
    const data = await page(q({ end_date: '2024-01-31' }));
    expect(data.total).toBe(BULK.length + 2);
    expect(data.sessions.map((s) => s.id)).not.toContain(AFTER_31.id);
  });

  it('date-only means 00:00:00Z of that day for start_date', async () => {
    expect(await ids(q({ start_date: '2024-01-31', end_date: '2024-02-01' }))).toEqual([AT_31.id, AFTER_31.id]);
  });

  it('both bounds are inclusive', async () => {
    expect(await ids(q({ start_date: '2024-01-31', end_date: '2024-01-31' }))).toEqual([AT_31.id]);
    expect(await ids(q({ start_date: '2024-01-31T00:00:01Z', end_date: '2024-01-31T00:00:01Z' }))).toEqual([AFTER_31.id]);
    expect(await ids(q({ start_date: '2024-01-30T23:59:59.999Z', end_date: '2024-01-31T00:00:00Z' }))).toEqual([
      BEFORE_31.id,
      AT_31.id,
    ]);
    expect(await ids(q({ start_date: '2024-01-31T00:00:00.001Z', end_date: '2024-01-31T00:00:00.999Z' }))).toEqual([]);
  });

  it('a single bound filters on its own side only', async () => {
    expect(await ids(q({ start_date: '2024-02-29T12:00:00Z' }))).toEqual([LEAP_DAY.id, TEN_UTC.id, MILLIS.id]);
    const before = await page(q({ end_date: '2023-06-01T00:04:00Z' }));
    expect(before.total).toBe(5);
    expect(before.sessions.map((s) => s.id)).toEqual(BULK.slice(0, 5).map((s) => s.id));
  });

  it('fractions finer than a millisecond are truncated, never rounded', async () => {
    // MILLIS started at 12:00:00.123Z.
    expect(await ids(q({ start_date: '2024-03-01T12:00:00.1239Z' }))).toEqual([MILLIS.id]);
    expect(await ids(q({ start_date: '2024-03-01T12:00:00.123999999Z' }))).toEqual([MILLIS.id]);
    expect(await ids(q({ start_date: '2024-03-01T12:00:00.124Z' }))).toEqual([]);
    expect(await ids(q({ start_date: '2024-03-01T11:00:00Z', end_date: '2024-03-01T12:00:00.1229Z' }))).toEqual([]);
    expect(await ids(q({ start_date: '2024-03-01T11:00:00Z', end_date: '2024-03-01T12:00:00.1239Z' }))).toEqual([MILLIS.id]);
  });

  it('short fractions are tenths and hundredths of a second', async () => {
    expect(await ids(q({ start_date: '2024-03-01T12:00:00.1Z' }))).toEqual([MILLIS.id]);
    expect(await ids(q({ start_date: '2024-03-01T12:00:00.12Z' }))).toEqual([MILLIS.id]);
    expect(await ids(q({ start_date: '2024-03-01T12:00:00.13Z' }))).toEqual([]);
    expect(await ids(q({ start_date: '2024-03-01T11:00:00Z', end_date: '2024-03-01T12:00:00.1Z' }))).toEqual([]);
  });

  it('offsets are converted to UTC', async () => {
    // TEN_UTC started at 10:00:00Z = 12:00:00+02:00 = 05:00:00-05:00.
    expect(await ids(q({ start_date: '2024-03-01T12:00:00+02:00', end_date: '2024-03-01T12:00:00+02:00' }))).toEqual([TEN_UTC.id]);
    expect(await ids(q({ start_date: '2024-03-01T05:00:00-05:00', end_date: '2024-03-01T05:00:00-05:00' }))).toEqual([TEN_UTC.id]);
    expect(await ids(q({ start_date: '2024-03-01T11:30:00+01:30' }))).toEqual([TEN_UTC.id, MILLIS.id]);
    expect(await ids(q({ start_date: '2024-03-01T12:00:01+02:00' }))).toEqual([MILLIS.id]);
    expect(await ids(q({ start_date: '2024-03-01T00:00:00Z', end_date: '2024-03-01T11:59:59+02:00' }))).toEqual([]);
    expect(await ids(q({ start_date: '2024-03-01T14:00:00.123+02:00', end_date: '2024-03-01T12:00:00.123Z' }))).toEqual([MILLIS.id]);
    expect(await ids(q({ start_date: '2024-03-01T10:00:00+00:00', end_date: '2024-03-01T10:00:00-00:00' }))).toEqual([TEN_UTC.id]);
  });

  it('2024-02-29 is a date; 2000-02-29 too', async () => {
    expect(await ids(q({ start_date: '2024-02-29', end_date: '2024-03-01' }))).toEqual([LEAP_DAY.id]);
    expect(await ids(q({ start_date: '2024-02-29T12:00:00Z', end_date: '2024-02-29T23:59:59.999Z' }))).toEqual([LEAP_DAY.id]);
    expect((await page(q({ start_date: '2000-02-29' }))).total).toBe(TOTAL);
  });

  it('years 0000 to 9999 are accepted', async () => {
    expect((await page(q({ start_date: '0000-01-01', end_date: '9999-12-31' }))).total).toBe(TOTAL);
    expect((await page(q({ start_date: '0000-01-01T00:00:00Z', end_date: '9999-12-31T23:59:59.999Z' }))).total).toBe(TOTAL);
    expect((await page(q({ end_date: '0000-01-01' }))).total).toBe(0);
    expect((await page(q({ start_date: '9999-12-31T23:59:59Z' }))).total).toBe(0);
  });

  const IMPOSSIBLE = [
    '2024-02-30',
    '2023-02-29',
    '1900-02-29',
    '2024-04-31',
    '2024-13-01',
    '2024-00-10',
    '2024-01-00',
    '2024-01-32',
    '2024-02-30T10:00:00Z',
    '2023-02-29T00:00:00Z',
    '2024-01-15T25:00:00Z',
    '2024-01-15T24:00:00Z',
    '2024-01-15T12:60:00Z',
    '2024-01-15T25:00',
  ];
  const MALFORMED = [
    '',
    'yesterday',
    '2024-1-15',
    '20240115',
    '2024-01-15T10:00Z',
    '2024-01-15T10:00:00',
    '2024-01-15 10:00:00Z',
    '2024-01-15T10:00:00+0200',
    '2024-01-15T10:00:00.Z',
    '10000-01-01',
    '1705312800000',
  ];
  for (const field of ['start_date', 'end_date']) {
    it.each(IMPOSSIBLE)(`${field}=%s (impossible) → 400 naming ${field}`, async (value) => {
      await rejected(q({ [field]: value }), [field]);
    });
    it.each(MALFORMED)(`${field}=%j (not the contract's format) → 400 naming ${field}`, async (value) => {
      await rejected(q({ [field]: value }), [field]);
    });
  }

  it.each([
    ['dates', '2024-02-01', '2024-01-31'],
    ['one millisecond', '2024-01-31T00:00:00.001Z', '2024-01-31'],
    ['after converting offsets', '2024-01-31T00:00:00Z', '2024-01-31T01:00:00+02:00'],
  ])('start_date later than end_date (%s) → 400 naming the dates', async (_name, start, end) => {
    const response = await t.get(`/api/v1/sessions?${q({ start_date: start, end_date: end })}`, key);
    const body = (await response.json()) as { error: { details?: { field: string }[] } };
    expect(response.status).toBe(400);
    expectErrorEnvelope(body, 'VALIDATION_ERROR');
    // Which bound is to blame is not fixed; it must be one of the two.
    const fields = (body.error.details ?? []).map((d) => d.field);
    expect(fields.length).toBeGreaterThan(0);
    for (const f of fields) expect(['start_date', 'end_date']).toContain(f);
  });

  it('a start_date that reads later locally but is earlier in UTC is accepted', async () => {
    // 2024-01-31T01:00:00+02:00 is 2024-01-30T23:00:00Z, before the end's 2024-01-31T00:00:00Z.
    expect(await ids(q({ start_date: '2024-01-31T01:00:00+02:00', end_date: '2024-01-31' }))).toEqual([BEFORE_31.id, AT_31.id]);
  });
});

describe('repeated, combined, unknown and misplaced parameters', () => {
  it.each([
    ['limit', 'limit=5&limit=5'],
    ['limit', 'limit=5&limit=6'],
    ['offset', 'offset=0&offset=0'],
    ['start_date', 'start_date=2024-01-01&start_date=2024-01-01'],
    ['end_date', 'end_date=2024-01-31&end_date=2024-02-01'],
    ['limit', 'limit=5&offset=1&limit=5'],
  ])('%s given twice → 400 naming it (%s)', async (field, query) => {
    await rejected(query, [field]);
  });

  it('reports every bad parameter at once', async () => {
    await rejected('limit=0&offset=-1&start_date=2024-02-30&end_date=soon', ['limit', 'offset', 'start_date', 'end_date']);
    await rejected('limit=abc&offset=1&offset=2', ['limit', 'offset']);
  });

  it('ignores unknown parameters, even repeated or malformed ones', async () => {
    const plain = await page('');
    expect(await page('foo=bar&foo=baz&sort=desc&page=3&limits=0&start=garbage')).toEqual(plain);
    const filtered = await page('limit=2&direction=desc&end_date=2024-01-31&unknown');
    expect(filtered.limit).toBe(2);
    expect(filtered.sessions.map((s) => s.id)).toEqual(BULK.slice(0, 2).map((s) => s.id));
  });

  it.each(['api_key', 'apiKey', 'key', 'x-api-key', 'X-API-Key', 'access_token', 'token'])(
    'a valid key in the query string as %s is ignored: 401',
    async (name) => {
      const response = await t.get(`/api/v1/sessions?${name}=${key}`, null);
      expect(response.status).toBe(401);
      expect(await response.text()).toBe('{"error":{"code":"UNAUTHORIZED","message":"Missing or invalid API key."}}');
    },
  );

  it('a key in the query string does not disturb a valid header key', async () => {
    const response = await t.get('/api/v1/sessions?api_key=ct_live_00000000000000000000000000000000&limit=1', key);
    expect(response.status).toBe(200);
  });
});
