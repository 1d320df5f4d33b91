import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allSessions, freshAccount } from './support/ingest-support.js';
import {
  HOOK_EVENT_TABLE, codePoints, FIXTURE_HOOKS, FIXTURES, postHook, SAMPLE_HOOKS, storedRows, type HookLog, type HookSource,
} from './support/hooks-support.js';
import { describeNeeding } from './support/requirements.js';
import { startTestGateway, type TestGateway } from './support/test-gateway.js';
import { formatUtc } from '../src/time/iso-time.js';
import { fixtureFiles } from './fixtures/claude-code/generate.js';

// Claude Code hook payloads (old and new formats, subagent events, fields Claude Code does not send,
// odd events) replayed through POST /api/v1/hooks/claude-code: the project's own fixtures, and the
// real public samples when TRENCHCOAT_SAMPLES_DIR names them. The expected counts are computed here
// from the files themselves.

const T0 = Date.parse('2026-04-01T08:00:00Z');
let clock = T0;
let t: TestGateway;

beforeAll(async () => {
  t = await startTestGateway({ now: () => clock });
});
afterAll(() => t.close());

interface Expected {
  eventCount: number;
  toolInvocations: number;
  firstAt: number;
  firstStartAt: number | null;
}

function replays(source: HookSource): void {
  it('finds the hook logs of every group its README or PROVENANCE.md lists', () => {
    const logs = source.logs();
    expect([...new Set(logs.map((l) => l.group))]).toEqual([...source.groups].sort());
    expect(logs.reduce((n, l) => n + l.payloads.length, 0)).toBe(source.payloadCount);
  });

  describe.each(source.groups)('replaying %s', (group) => {
    let groupLogs: HookLog[];
    let account: string;
    let key: string;
    const expected = new Map<string, Expected>();
    const replies: { status: number; body: unknown }[] = [];

    beforeAll(async () => {
      groupLogs = source.logs().filter((l) => l.group === group);
      account = freshAccount('samples');
      key = await t.key({ account, scopes: ['read:analytics', 'write:events'], tier: 'unlimited' });
      for (const log of groupLogs) {
        for (const payload of log.payloads) {
          clock += 1000;
          const r = await postHook(t, key, payload);
          replies.push({ status: r.status, body: r.body });
          const hook = payload['hook_event_name'] as string;
          if (!(hook in HOOK_EVENT_TABLE)) continue;
          const id = (payload['session_id'] as string).toLowerCase();
          const e = expected.get(id) ?? { eventCount: 0, toolInvocations: 0, firstAt: clock, firstStartAt: null };
          e.eventCount += 1;
          if (hook === 'PreToolUse') e.toolInvocations += 1;
          if (hook === 'SessionStart' && e.firstStartAt === null) e.firstStartAt = clock;
          expected.set(id, e);
        }
      }
    });

    it('answers every payload 200 {}', () => {
      expect(replies.length).toBe(groupLogs.reduce((n, l) => n + l.payloads.length, 0));
      for (const reply of replies) expect(reply).toEqual({ status: 200, body: {} });
    });

    it("gives each session the event and tool counts of its payloads, and starts it at its first SessionStart (else its first event)", async () => {
      const { sessions } = await allSessions(t, key);
      const got = Object.fromEntries(sessions.map((s) => [s.id, s]));
      expect(Object.keys(got).sort()).toEqual([...expected.keys()].sort());
      for (const [id, e] of expected) {
        expect(got[id], id).toMatchObject({
          event_count: e.eventCount,
          tool_invocations: e.toolInvocations,
          started_at: formatUtc(e.firstStartAt ?? e.firstAt),
        });
      }
      // A session ends with its SessionEnd (unless a SessionStart comes later); otherwise it is still open.
      for (const log of groupLogs) {
        for (const p of log.payloads.filter((x) => x['hook_event_name'] === 'SessionEnd')) {
          expect(got[(p['session_id'] as string).toLowerCase()]!.ended_at).not.toBeNull();
        }
      }
    });

    it('stores tool results with is_error as the payload says, and previews of at most 100 characters', async () => {
      const rows = await storedRows(t, account);
      const posts = groupLogs.flatMap((l) => l.payloads).filter((p) => p['hook_event_name'] === 'PostToolUse' || p['hook_event_name'] === 'PostToolUseFailure');
      const results = rows.filter((r) => r.event_type === 'tool_result');
      expect(results.map((r) => r.data['is_error'])).toEqual(
        posts.map((p) => p['hook_event_name'] === 'PostToolUseFailure' || (p['tool_response'] as any)?.is_error === true),
      );
      expect(results.map((r) => r.data['tool_name'])).toEqual(posts.map((p) => p['tool_name']));
      for (const row of rows) {
        for (const [field, value] of Object.entries(row.data)) {
          if (field.endsWith('_preview')) expect(codePoints(value as string)).toBeLessThanOrEqual(100);
          else expect(JSON.stringify(value).length, field).toBeLessThan(256);
        }
        for (const dropped of ['logged_at', 'detected_skills', 'cwd', 'transcript_path', 'agent_transcript_path', 'tool_input', 'tool_response', 'prompt', 'message', 'last_assistant_message']) {
          expect(row.data).not.toHaveProperty(dropped);
        }
      }
      const uses = groupLogs.flatMap((l) => l.payloads).filter((p) => p['hook_event_name'] === 'PreToolUse');
      expect(rows.filter((r) => r.event_type === 'tool_use').map((r) => [r.data['tool_name'], r.tool_use_id])).toEqual(
        uses.map((p) => [p['tool_name'], typeof p['tool_use_id'] === 'string' ? p['tool_use_id'] : null]),
      );
    });
  });
}

describe('the project fixtures', () => {
  it('are what test/fixtures/claude-code/generate.ts writes', () => {
    for (const [path, text] of fixtureFiles()) expect(readFileSync(join(FIXTURES, path), 'utf8'), path).toBe(text);
  });

  it('hold every hook event the gateway maps, old-format, subagent and odd payloads', () => {
    const payloads = FIXTURE_HOOKS.logs().flatMap((l) => l.payloads);
    const names = new Set(payloads.map((p) => p['hook_event_name'] as string));
    for (const hook of Object.keys(HOOK_EVENT_TABLE)) expect(names, hook).toContain(hook);
    expect([...names].filter((n) => !Object.hasOwn(HOOK_EVENT_TABLE, n)).length).toBeGreaterThan(0);
    const tools = payloads.filter((p) => p['hook_event_name'] === 'PreToolUse');
    expect(tools.some((p) => !('tool_use_id' in p) && !('permission_mode' in p))).toBe(true);
    expect(tools.some((p) => typeof p['agent_id'] === 'string' && typeof p['agent_type'] === 'string')).toBe(true);
    for (const extra of ['logged_at', 'detected_skills']) expect(payloads.some((p) => extra in p), extra).toBe(true);
    expect(payloads.some((p) => (p['session_id'] as string) !== (p['session_id'] as string).toLowerCase())).toBe(true);
    expect(new Set(payloads.map((p) => (p['session_id'] as string).toLowerCase())).size).toBeGreaterThan(5);
  });

  replays(FIXTURE_HOOKS);
});

describeNeeding('samples', 'the real Claude Code samples (set TRENCHCOAT_SAMPLES_DIR to run the real Claude Code samples)', () => {
  replays(SAMPLE_HOOKS);
});
