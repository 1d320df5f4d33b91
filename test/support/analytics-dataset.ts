// The crafted data set of the analytics specs (analytics-overview, analytics-tools), with the
// figures computed by hand below. Every event carries an event_id so none is a duplicate.
import { expect } from 'vitest';
import type { TestGateway } from './test-gateway.js';

/** The gateway's clock in these specs. Default range: [2024-04-15T12:00:00Z, NOW]. */
export const NOW = Date.parse('2024-05-15T12:00:00Z');

export const S1 = 'a0000000-0000-4000-8000-000000000001';
export const S2 = 'a0000000-0000-4000-8000-000000000002';
export const S3 = 'a0000000-0000-4000-8000-000000000003';
export const S4 = 'a0000000-0000-4000-8000-000000000004';
export const S5 = 'a0000000-0000-4000-8000-000000000005';
export const S6 = 'a0000000-0000-4000-8000-000000000006';
export const S7 = 'a0000000-0000-4000-8000-000000000007';
export const S8 = 'a0000000-0000-4000-8000-000000000008';
export const S9 = 'a0000000-0000-4000-8000-000000000009';
export const S10 = 'a0000000-0000-4000-8000-000000000010';
export const S11 = 'a0000000-0000-4000-8000-000000000011';
export const S12 = 'a0000000-0000-4000-8000-000000000012';

let counter = 0;
function ev(type: string, session: string, timestamp: string, data?: Record<string, unknown>) {
  counter += 1;
  return { event_type: type, session_id: session, timestamp, event_id: `analytics-${counter}`, ...(data ? { data } : {}) };
}
const use = (s: string, ts: string, tool?: unknown) => ev('tool_use', s, ts, tool === undefined ? {} : { tool_name: tool });
const result = (s: string, ts: string, tool: string, extra: Record<string, unknown> = {}) =>
  ev('tool_result', s, ts, { tool_name: tool, ...extra });

/**
 * Account "acme". March range [2024-03-01, 2024-03-31] (i.e. up to 2024-03-31T00:00:00Z):
 * S1, S2, S3, S4, S6 in; S5 (starts 1 ms before) and S7 (1 ms after) out.
 */
export const ACME_EVENTS = [
  // S1: 12 events, 5 tool_use. Read ×3 (100, 200 error, 301 ms); Bash ×2 (10 error, 11 ms).
  ev('session_start', S1, '2024-03-01T10:00:00Z'),
  use(S1, '2024-03-01T10:01:00Z', 'Read'),
  use(S1, '2024-03-01T10:02:00Z', 'Read'),
  use(S1, '2024-03-01T10:03:00Z', 'Read'),
  result(S1, '2024-03-01T10:01:01Z', 'Read', { duration_ms: 100 }),
  result(S1, '2024-03-01T10:02:01Z', 'Read', { duration_ms: 200, is_error: true }),
  result(S1, '2024-03-01T10:03:01Z', 'Read', { duration_ms: 301, is_error: false }),
  use(S1, '2024-03-01T10:10:00Z', 'Bash'),
  use(S1, '2024-03-01T10:11:00Z', 'Bash'),
  result(S1, '2024-03-01T10:10:01Z', 'Bash', { duration_ms: 10, is_error: true }),
  result(S1, '2024-03-01T10:11:01Z', 'Bash', { duration_ms: 11 }),
  ev('session_end', S1, '2024-03-01T10:30:00Z'),

  // S2 crosses midnight UTC: starts on 03-01, every tool event on 03-02. 8 events, 4 tool_use
  // (Edit, Bash, one without tool_name, one whose tool_name is not a string).
  ev('session_start', S2, '2024-03-01T23:30:00Z'),
  use(S2, '2024-03-02T00:10:00Z', 'Edit'),
  result(S2, '2024-03-02T00:11:00Z', 'Edit'),
  use(S2, '2024-03-02T00:20:00Z', 'Bash'),
  result(S2, '2024-03-02T00:21:00Z', 'Bash', { is_error: false }),
  use(S2, '2024-03-02T00:30:00Z'),
  use(S2, '2024-03-02T00:31:00Z', 42),
  ev('session_end', S2, '2024-03-02T00:45:00Z'),

  // S3: 14 events, 5 tool_use. Edit ×2 (one error result, no durations); Glob ×1 (no result);
  // Flaky ×1 with two error results (5, 6 ms); Write ×1 with three results (0.4, 0.4, 0.7 ms);
  // Ghost: a result only, never invoked.
  ev('session_start', S3, '2024-03-03T08:00:00Z'),
  use(S3, '2024-03-03T08:01:00Z', 'Edit'),
  use(S3, '2024-03-03T08:02:00Z', 'Edit'),
  result(S3, '2024-03-03T08:02:30Z', 'Edit', { is_error: true }),
  use(S3, '2024-03-03T08:05:00Z', 'Glob'),
  use(S3, '2024-03-03T08:06:00Z', 'Flaky'),
  result(S3, '2024-03-03T08:06:01Z', 'Flaky', { is_error: true, duration_ms: 5 }),
  result(S3, '2024-03-03T08:06:02Z', 'Flaky', { is_error: true, duration_ms: 6 }),
  use(S3, '2024-03-03T08:10:00Z', 'Write'),
  result(S3, '2024-03-03T08:10:01Z', 'Write', { duration_ms: 0.4 }),
  result(S3, '2024-03-03T08:10:02Z', 'Write', { duration_ms: 0.4 }),
  result(S3, '2024-03-03T08:10:03Z', 'Write', { duration_ms: 0.7 }),
  result(S3, '2024-03-03T08:20:00Z', 'Ghost', { duration_ms: 50, is_error: true }),
  ev('notification', S3, '2024-03-03T08:30:00Z'),

  // S4 has no session_start: it starts at its first event. 2 events, 1 tool_use (Grep, 7 ms).
  use(S4, '2024-03-05T12:00:00Z', 'Grep'),
  result(S4, '2024-03-05T12:00:01Z', 'Grep', { duration_ms: 7 }),

  // S5 starts 1 ms before the March range: out, although its tool_use falls inside it.
  ev('session_start', S5, '2024-02-29T23:59:59.999Z'),
  use(S5, '2024-03-01T00:00:01Z', 'Read'),
  use(S5, '2024-03-01T00:00:02Z', 'Zeta'),

  // S6 starts exactly at end_date=2024-03-31: in, with its tool_use two days after the range.
  ev('session_start', S6, '2024-03-31T00:00:00Z'),
  use(S6, '2024-04-02T00:00:00Z', 'Read'),

  // S7 starts 1 ms after the March range's end.
  ev('session_start', S7, '2024-03-31T00:00:00.001Z'),
  use(S7, '2024-03-31T01:00:00Z', 'Read'),

  // Around the default range [2024-04-15T12:00:00Z, 2024-05-15T12:00:00Z] (30 days before NOW, NOW):
  ev('session_start', S8, '2024-04-15T12:00:00Z'), // exactly its start: in
  use(S8, '2024-04-15T12:05:00Z', 'Task'),
  ev('session_start', S9, '2024-04-15T11:59:59.999Z'), // 1 ms before: out
  use(S9, '2024-04-15T12:05:00Z', 'Task'),
  use(S9, '2024-04-15T12:06:00Z', 'Task'),
  ev('session_start', S12, '2024-04-20T09:00:00Z'),
  use(S12, '2024-04-20T09:01:00Z', 'Read'),
  use(S12, '2024-04-20T09:02:00Z', 'Task'),
  use(S12, '2024-04-20T09:03:00Z', 'Read'),
  ev('session_start', S10, '2024-05-15T12:00:00Z'), // exactly now: in
  ev('session_start', S11, '2024-05-15T12:00:00.001Z'), // 1 ms in the future: out
  use(S11, '2024-05-15T12:00:01Z', 'Task'),
  use(S11, '2024-05-15T12:00:02Z', 'Task'),
];

/** Account "rival": same session id as S1, same days, other tools. Never visible to acme. */
export const RIVAL_EVENTS = [
  ev('session_start', S1, '2024-03-01T11:00:00Z'),
  ...['Read', 'Read', 'Read', 'Read', 'Secret'].map((tool, i) => use(S1, `2024-03-01T11:0${i + 1}:00Z`, tool)),
  result(S1, '2024-03-01T11:01:30Z', 'Read', { duration_ms: 9999, is_error: true }),
  ev('session_start', S2, '2024-04-20T09:00:00Z'),
  use(S2, '2024-04-20T09:01:00Z', 'Secret'),
  use(S2, '2024-04-20T09:02:00Z', 'Secret'),
  use(S2, '2024-04-20T09:03:00Z', 'Secret'),
];

export const MARCH = 'start_date=2024-03-01&end_date=2024-03-31';

/** GET /api/v1/analytics/overview for the March range, by hand. */
export const MARCH_OVERVIEW = {
  data: {
    total_sessions: 5, // S1, S2, S3, S4, S6
    total_events: 38, // 12 + 8 + 14 + 2 + 2
    total_tool_invocations: 16, // 5 + 4 + 5 + 1 + 1 (two of S2's have no string tool_name)
    active_days: 4, // 03-01 (S1, S2), 03-03, 03-05, 03-31; not 03-02, where only S2's events fell
    top_tools: [
      { name: 'Read', invocation_count: 4 },
      { name: 'Bash', invocation_count: 3 },
      { name: 'Edit', invocation_count: 3 },
      { name: 'Flaky', invocation_count: 1 },
      { name: 'Glob', invocation_count: 1 },
    ],
  },
};

/** GET /api/v1/analytics/tools for the March range, by hand. */
export const MARCH_TOOLS = [
  // (100 + 200 + 301) / 3 = 200.33 → 200; 1 error / 4 invocations.
  { name: 'Read', invocation_count: 4, avg_duration_ms: 200, error_rate: 0.25 },
  // (10 + 11) / 2 = 10.5 → 11 (S2's result has no duration); 1 error / 3.
  { name: 'Bash', invocation_count: 3, avg_duration_ms: 11, error_rate: 1 / 3 },
  // Results without durations: null; 1 error / 3. Ties with Bash: by name.
  { name: 'Edit', invocation_count: 3, avg_duration_ms: null, error_rate: 1 / 3 },
  // (5 + 6) / 2 = 5.5 → 6; 2 errors / 1 invocation, capped at 1.
  { name: 'Flaky', invocation_count: 1, avg_duration_ms: 6, error_rate: 1 },
  // No result at all.
  { name: 'Glob', invocation_count: 1, avg_duration_ms: null, error_rate: 0 },
  { name: 'Grep', invocation_count: 1, avg_duration_ms: 7, error_rate: 0 },
  // (0.4 + 0.4 + 0.7) / 3 = 0.5 → 1 (rounding each duration first would give 0).
  { name: 'Write', invocation_count: 1, avg_duration_ms: 1, error_rate: 0 },
  // Ghost (results only) is not listed: it has no invocation to rank or divide by.
];

/** The default range [2024-04-15T12:00:00Z, NOW]: S8, S12, S10 (not S9, S11). */
export const DEFAULT_OVERVIEW = {
  data: {
    total_sessions: 3,
    total_events: 7, // 2 + 4 + 1
    total_tool_invocations: 4,
    active_days: 3, // 04-15, 04-20, 05-15
    top_tools: [
      { name: 'Read', invocation_count: 2 },
      { name: 'Task', invocation_count: 2 }, // S8 1 + S12 1; ties with Read: by name
    ],
  },
};

export const EMPTY_OVERVIEW = {
  data: { total_sessions: 0, total_events: 0, total_tool_invocations: 0, active_days: 0, top_tools: [] },
};

/** Ingests both accounts' events; returns keys (unlimited tier) of each scope shape. */
export async function loadAnalyticsDataset(t: TestGateway) {
  const acme = await t.key({ account: 'acme', scopes: ['read:analytics', 'write:events'], tier: 'unlimited' });
  const rival = await t.key({ account: 'rival', scopes: ['read:analytics', 'write:events'], tier: 'unlimited' });
  const writeOnly = await t.key({ account: 'acme', scopes: ['write:events'], tier: 'unlimited' });
  for (const [key, events] of [[acme, ACME_EVENTS], [rival, RIVAL_EVENTS]] as const) {
    const response = await t.post('/api/v1/events', { events }, key);
    const body = await response.json();
    expect(body).toEqual({ data: { accepted: events.length, rejected: 0, duplicates: 0, errors: [] } });
  }
  return { acme, rival, writeOnly };
}

/** GET and return status plus the raw text (to pin key order) and the parsed body. */
export async function getJson(t: TestGateway, path: string, key?: string | null) {
  const response = await t.get(path, key);
  const text = await response.text();
  return { status: response.status, text, body: JSON.parse(text) as any };
}
