// Helpers for the fuzz specs (test/fuzz-*.test.ts): raw requests, JSON answers, and the checks every
// generated request shares (never a 5xx, the server still answers).
import fc from 'fast-check';
import { expect } from 'vitest';
import { storedRows } from './hooks-support.js';
import { allSessions } from './ingest-support.js';
import { rawRequest, type RawResponse } from './rest-read-helpers.js';
import { sideQuery } from './side-connection.js';
import type { TestGateway } from './test-gateway.js';

export interface JsonAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The parsed body, or undefined when the body is not JSON. */
  json: any;
}

function parsed(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** One request through node:http (exact headers, raw path and body), its body parsed when it is JSON. */
export async function send(
  t: TestGateway,
  path: string,
  options: { method?: string; headers?: Record<string, string | string[]>; body?: Buffer | string } = {},
): Promise<JsonAnswer> {
  const response: RawResponse = await rawRequest(`${t.url}${path}`, {
    method: options.method,
    headers: options.headers as Record<string, string>,
    body: options.body,
  });
  return { ...response, json: parsed(response.text) };
}

/**
 * A POST of `body` (a string or Buffer is sent as it is) with a JSON content type unless `headers`
 * says otherwise (a null value leaves that header out).
 */
export function postBody(t: TestGateway, path: string, key: string | null, body: unknown, headers: Record<string, string | null> = {}) {
  const all: Record<string, string | null> = { 'content-type': 'application/json', ...(key === null ? {} : { 'x-api-key': key }), ...headers };
  return send(t, path, {
    method: 'POST',
    headers: Object.fromEntries(Object.entries(all).filter((entry): entry is [string, string] => entry[1] !== null)),
    body: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
  });
}

/** What every answer to a generated request owes: no 5xx, and a JSON body. `what` is printed on failure. */
export function expectSaneAnswer(answer: JsonAnswer, what: unknown): void {
  const label = `${shown(what)} → ${answer.status} ${answer.text.slice(0, 500)}`;
  expect(answer.status, label).toBeLessThan(500);
  expect(answer.json, label).not.toBe(undefined);
}

/** A short printable description of a generated input, for failure messages. */
export function shown(what: unknown): string {
  const text = typeof what === 'string' ? what : JSON.stringify(what);
  return text === undefined ? String(what) : text.length > 400 ? `${text.slice(0, 400)}… (${text.length} chars)` : text;
}

/** The server is still up and serving after a run. */
export async function expectStillServing(t: TestGateway): Promise<void> {
  const health = await send(t, '/healthz');
  expect(health.status).toBe(200);
  const ready = await send(t, '/readyz');
  expect(ready.status).toBe(200);
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');
/** Mostly a plausible day of the month, sometimes anything from 0 to 32. */
const dayArb = fc.oneof({ weight: 5, arbitrary: fc.integer({ min: 1, max: 28 }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 32 }) });

const zoneArb = fc.oneof(
  { weight: 4, arbitrary: fc.constant('Z') },
  {
    weight: 4,
    arbitrary: fc
      .tuple(fc.constantFrom('+', '-'), fc.integer({ min: 0, max: 25 }), fc.integer({ min: 0, max: 61 }))
      .map(([sign, h, m]) => `${sign}${pad(h, 2)}:${pad(m, 2)}`),
  },
  { weight: 1, arbitrary: fc.constantFrom('', 'z', '+0530', '+05', 'UTC', ' Z', '-00:00', '+23:59', '-23:59', '+24:00', '+00:60') },
);

const timeArb = fc.record({
  hour: fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 0, max: 23 }) }, { weight: 1, arbitrary: fc.constantFrom(24, 25) }),
  minute: fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 0, max: 59 }) }, { weight: 1, arbitrary: fc.constant(60) }),
  second: fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 0, max: 59 }) }, { weight: 1, arbitrary: fc.constant(60) }),
  fraction: fc.option(fc.stringMatching(/^[0-9]{0,12}$/)),
  zone: zoneArb,
  separator: fc.constantFrom('T', 'T', 'T', 'T', 't', ' '),
});

/**
 * Date and date-time texts near the contract's syntax: mostly well-formed, with impossible days,
 * hours 24–25, second 60, years at and past 0000/9999, odd separators, fractions of 0–12 digits and
 * offsets from -25:61 to +25:61 (and some that are not offsets at all).
 */
export function dateTextArb({ withTime }: { withTime: 'always' | 'sometimes' }): fc.Arbitrary<string> {
  return fc
    .record({
      year: fc.oneof(fc.integer({ min: 0, max: 9999 }), fc.constantFrom(0, 1, 1969, 1970, 2024, 9999), fc.constantFrom(10000, 99, -1)),
      month: fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 1, max: 12 }) }, { weight: 1, arbitrary: fc.constantFrom(0, 13) }),
      day: dayArb,
      time: withTime === 'always' ? timeArb : fc.option(timeArb),
    })
    .map(({ year, month, day, time }) => {
      const date = `${year < 0 ? `-${pad(-year, 4)}` : pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
      if (!time) return date;
      const fraction = time.fraction === null ? '' : `.${time.fraction}`;
      return `${date}${time.separator}${pad(time.hour, 2)}:${pad(time.minute, 2)}:${pad(time.second, 2)}${fraction}${time.zone}`;
    });
}

/** The writable text of the event identity indexes: PostgreSQL text holds no U+0000, and a lone surrogate has no UTF-8 form. */
export function storableText(text: string): boolean {
  return !/\u0000|\p{Cs}/u.test(text);
}

/**
 * Nothing half-written: the account holds exactly `inserted` events (the sum of `accepted − duplicates`
 * of its 200s), and its sessions and per-tool counters are folded from exactly those events.
 */
export async function expectNothingHalfWritten(t: TestGateway, account: string, key: string, inserted: number): Promise<void> {
  const rows = await storedRows(t, account);
  expect(rows.length, 'events stored').toBe(inserted);
  const { total, sessions } = await allSessions(t, key);
  expect(total, 'sessions').toBe(new Set(rows.map((r) => r.session_id)).size);
  expect(sessions.reduce((n, s) => n + s.event_count, 0), 'sum of event_count').toBe(inserted);
  const toolUses = rows.filter((r) => r.event_type === 'tool_use');
  expect(sessions.reduce((n, s) => n + s.tool_invocations, 0), 'sum of tool_invocations').toBe(toolUses.length);
  const named = toolUses.filter((r) => typeof r.data['tool_name'] === 'string' && storableText(r.data['tool_name'])).length;
  const [counted] = await sideQuery<{ n: number | string | null }>(
    t,
    `select sum(invocations) as n from session_tools where account_id = (select id from accounts where slug = '${account}')`,
  );
  expect(Number(counted?.n ?? 0), 'session_tools invocations').toBe(named);
}

/**
 * A JSON value nested `depth` levels deep (an object at the top, then arrays and objects alternating),
 * kept as text: the test's own JSON.stringify would overflow its stack past a few thousand levels.
 */
export class DeepJson {
  constructor(readonly depth: number) {}
  text(): string {
    const open = Array.from({ length: this.depth - 1 }, (_, i) => (i % 2 === 0 ? '[' : '{"d":'));
    const close = open.map((o) => (o === '[' ? ']' : '}')).reverse();
    return `{"d":${open.join('')}"leaf"${close.join('')}}`;
  }
}

const DEEP_TOKEN = '\u0000\u0001deep';

/** JSON.stringify, with each DeepJson in `value` spliced in as its text. */
export function jsonText(value: unknown): string {
  const deep: DeepJson[] = [];
  const json = JSON.stringify(value, (_key, v: unknown) => (v instanceof DeepJson ? `${DEEP_TOKEN}${deep.push(v) - 1}` : v));
  return json.replace(/"\\u0000\\u0001deep(\d+)"/g, (_m, i: string) => deep[Number(i)]!.text());
}
