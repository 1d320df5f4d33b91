import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshAccount } from './support/ingest-support.js';
import {
  HOOK_EVENT_TABLE, codePoints, everythingStored, HOOK_PATH, postHook, REPO_ROOT, storedRows,
} from './support/hooks-support.js';
import { expectErrorEnvelope } from './support/rest-read-helpers.js';
import { SESSION_A, SESSION_B, startTestGateway, type TestGateway } from './support/test-gateway.js';

// docs/api.md#claude-code-hooks: POST /api/v1/hooks/claude-code takes what a Claude Code "type": "http" hook posts.

const T0 = Date.parse('2026-03-01T12:00:00.250Z');
let clock = T0;
let t: TestGateway;

beforeAll(async () => {
  t = await startTestGateway({ now: () => clock });
});
afterAll(() => t.close());

async function writer(scopes: ('read:analytics' | 'write:events')[] = ['write:events', 'read:analytics']) {
  const account = freshAccount('hooks');
  const key = await t.key({ account, scopes, tier: 'unlimited' });
  return { account, key };
}

function payload(hook: string, extra: Record<string, unknown> = {}, sessionId = SESSION_A) {
  return {
    session_id: sessionId,
    transcript_path: '/home/someone/.claude/projects/-home-someone-proj/x.jsonl',
    cwd: '/home/someone/proj',
    hook_event_name: hook,
    ...extra,
  };
}

describe('mapping of hook events to event types', () => {
  it('stores each mapped hook event as its event type, at the receipt time, answering 200 {}', async () => {
    const { account, key } = await writer();
    const hooks = Object.keys(HOOK_EVENT_TABLE);
    expect(hooks).toHaveLength(11);
    for (const [i, hook] of hooks.entries()) {
      clock = T0 + i * 1000;
      const r = await postHook(t, key, payload(hook, { tool_name: 'Bash', tool_use_id: `toolu_map_${i}` }));
      expect(r.status, hook).toBe(200);
      expect(r.body).toEqual({});
      expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    }
    const rows = await storedRows(t, account);
    expect(rows.map((r) => r.event_type)).toEqual(hooks.map((h) => HOOK_EVENT_TABLE[h]));
    expect(rows.map((r) => r.ts)).toEqual(hooks.map((_, i) => T0 + i * 1000));
    expect(rows.every((r) => r.session_id === SESSION_A)).toBe(true);
  });

  it('marks PostToolUseFailure as an error, and PostToolUse only when its response says so', async () => {
    const { account, key } = await writer();
    await postHook(t, key, payload('PostToolUseFailure', { tool_name: 'Bash', tool_use_id: 'toolu_f', error: 'exit 1', is_interrupt: false }));
    await postHook(t, key, payload('PostToolUse', { tool_name: 'Read', tool_use_id: 'toolu_ok', tool_response: { content: 'fine' } }));
    await postHook(t, key, payload('PostToolUse', { tool_name: 'mcp__x__y', tool_use_id: 'toolu_bad', tool_response: { is_error: true } }));
    await postHook(t, key, payload('PostToolUse', { tool_name: 'Bash', tool_use_id: 'toolu_str', tool_response: 'is_error: true' }));
    const rows = await storedRows(t, account);
    expect(rows.map((r) => [r.event_type, r.data['tool_use_id'], r.data['is_error']])).toEqual([
      ['tool_result', 'toolu_f', true],
      ['tool_result', 'toolu_ok', false],
      ['tool_result', 'toolu_bad', true],
      ['tool_result', 'toolu_str', false],
    ]);
  });

  it('keeps tool_name and tool_use_id (also as the indexed column) and drops fields it does not know', async () => {
    const { account, key } = await writer();
    clock = T0;
    await postHook(t, key, payload('PreToolUse', {
      tool_name: 'Bash', tool_use_id: 'toolu_keep', tool_input: { command: 'ls' }, permission_mode: 'default',
      agent_id: 'a1', agent_type: 'builder', logged_at: '2026-03-30T23:25:13', detected_skills: ['x'], future_field: { a: 1 },
    }));
    const [row] = await storedRows(t, account);
    expect(row!.data).toEqual({
      tool_name: 'Bash', tool_use_id: 'toolu_keep', tool_input_preview: '{"command":"ls"}',
      permission_mode: 'default', agent_id: 'a1', agent_type: 'builder',
    });
    expect(row!.tool_use_id).toBe('toolu_keep');
  });

  it('stores an upper-case session id in lower case', async () => {
    const { account, key } = await writer();
    const r = await postHook(t, key, payload('Stop', {}, SESSION_B.toUpperCase()));
    expect(r.status).toBe(200);
    expect((await storedRows(t, account)).map((row) => row.session_id)).toEqual([SESSION_B]);
  });
});

describe('hook events it does not map', () => {
  it.each(['PermissionRequest', 'Setup', 'PostCompact', 'SomeFutureEvent', 'sessionstart'])('%s → 200 {} and nothing stored', async (hook) => {
    const { account, key } = await writer();
    const r = await postHook(t, key, payload(hook, { prompt: 'x' }));
    expect(r.status).toBe(200);
    expect(r.body).toEqual({});
    expect(await storedRows(t, account)).toEqual([]);
    const sessions = await t.get('/api/v1/sessions', key);
    expect((await sessions.json()).data.total).toBe(0);
  });
});

describe('validation (only session_id and hook_event_name are required)', () => {
  it('accepts a payload with nothing but the two required fields', async () => {
    const { account, key } = await writer();
    const r = await postHook(t, key, { session_id: SESSION_A, hook_event_name: 'Notification' });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({});
    expect((await storedRows(t, account)).map((row) => [row.event_type, row.data])).toEqual([['notification', {}]]);
  });

  const cases: [string, unknown, string[]][] = [
    ['session_id missing', { hook_event_name: 'Stop' }, ['session_id']],
    ['session_id null', { session_id: null, hook_event_name: 'Stop' }, ['session_id']],
    ['session_id not a UUID', { session_id: 'not-a-uuid', hook_event_name: 'Stop' }, ['session_id']],
    ['session_id a number', { session_id: 42, hook_event_name: 'Stop' }, ['session_id']],
    ['hook_event_name missing', { session_id: SESSION_A }, ['hook_event_name']],
    ['hook_event_name not a string', { session_id: SESSION_A, hook_event_name: 7 }, ['hook_event_name']],
    ['both missing', { cwd: '/x' }, ['session_id', 'hook_event_name']],
    ['an unmapped event without a session', { hook_event_name: 'SomeFutureEvent' }, ['session_id']],
    ['a JSON array', [{ session_id: SESSION_A, hook_event_name: 'Stop' }], ['body']],
    ['a JSON string', '"Stop"', ['body']],
    ['JSON null', 'null', ['body']],
    ['not JSON', '{"session_id": ', ['body']],
    ['empty', '', ['body']],
  ];
  it.each(cases)('%s → 400 VALIDATION_ERROR naming %j, nothing stored', async (_name, body, fields) => {
    const { account, key } = await writer();
    const r = await postHook(t, key, body);
    expect(r.status).toBe(400);
    expectErrorEnvelope(r.body, 'VALIDATION_ERROR', fields);
    expect(r.headers.get('x-request-id')).toBeTruthy();
    expect(await storedRows(t, account)).toEqual([]);
  });
});

describe('authentication and scope: 401 without a valid key, 403 without write:events', () => {
  const unauthorized = { error: { code: 'UNAUTHORIZED', message: 'Missing or invalid API key.' } };

  it('refuses a request without a key, or with a malformed or unknown key, with 401', async () => {
    for (const key of [null, 'nope', `ct_live_${'a'.repeat(32)}`]) {
      const r = await postHook(t, key, payload('Stop'));
      expect(r.status).toBe(401);
      expect(r.body).toEqual(unauthorized);
    }
  });

  it('checks the key before the body: a bad body without a key is still 401', async () => {
    const r = await postHook(t, null, '{broken');
    expect(r.status).toBe(401);
    expect(r.body).toEqual(unauthorized);
  });

  it('refuses a read-only key with 403 naming write:events', async () => {
    const { account, key } = await writer(['read:analytics']);
    const r = await postHook(t, key, payload('Stop'));
    expect(r.status).toBe(403);
    expect(r.body).toEqual({ error: { code: 'FORBIDDEN', message: 'This API key does not have the required scope: write:events' } });
    expect(await storedRows(t, account)).toEqual([]);
  });

  it('refuses a revoked key at once', async () => {
    const account = freshAccount('hooks');
    const created = await t.gateway.keys.create({ account, scopes: ['write:events'], tier: 'unlimited' });
    expect((await postHook(t, created.key, payload('Stop'))).status).toBe(200);
    await t.gateway.keys.revoke(created.id);
    const r = await postHook(t, created.key, payload('Stop'));
    expect(r.status).toBe(401);
    expect(r.body).toEqual(unauthorized);
    expect(await storedRows(t, account)).toHaveLength(1);
  });

  it('accepts Authorization: Bearer as well', async () => {
    const { account, key } = await writer();
    const r = await t.post(HOOK_PATH, payload('Stop'), null, { authorization: `Bearer ${key}` });
    expect(r.status).toBe(200);
    expect(await storedRows(t, account)).toHaveLength(1);
  });

  it('answers other methods with 405 and Allow: POST', async () => {
    const { key } = await writer();
    const r = await t.get(HOOK_PATH, key);
    expect(r.status).toBe(405);
    expect(r.headers.get('allow')).toBe('POST');
    expectErrorEnvelope(await r.json(), 'METHOD_NOT_ALLOWED');
  });
});

describe('each delivery is its own event', () => {
  it('stores two identical payloads, even at the same instant, as two events with distinct event ids', async () => {
    const { account, key } = await writer();
    clock = T0;
    const body = payload('Notification', { message: 'Claude is waiting for your input', notification_type: 'idle_prompt' });
    expect((await postHook(t, key, body)).status).toBe(200);
    expect((await postHook(t, key, body)).status).toBe(200);
    const rows = await storedRows(t, account);
    expect(rows).toHaveLength(2);
    expect(rows[0]!.ts).toBe(rows[1]!.ts);
    expect(rows[0]!.data).toEqual(rows[1]!.data);
    expect(rows[0]!.event_id).not.toBe(rows[1]!.event_id);
    for (const row of rows) expect(row.event_id).toMatch(/^hook:[0-9a-f-]{36}$/);
    const sessions = await (await t.get('/api/v1/sessions', key)).json();
    expect(sessions.data.sessions).toEqual([{
      id: SESSION_A, started_at: '2026-03-01T12:00:00.250Z', ended_at: null, duration_ms: null, event_count: 2, tool_invocations: 0,
    }]);
  });

  it('counts every PreToolUse as a tool invocation, and a SessionEnd closes the session', async () => {
    const { key } = await writer();
    clock = T0;
    await postHook(t, key, payload('SessionStart', { source: 'startup' }));
    clock = T0 + 1000;
    await postHook(t, key, payload('PreToolUse', { tool_name: 'Read', tool_use_id: 'toolu_1' }));
    clock = T0 + 2000;
    await postHook(t, key, payload('PreToolUse', { tool_name: 'Read', tool_use_id: 'toolu_2' }));
    clock = T0 + 5000;
    await postHook(t, key, payload('SessionEnd', { reason: 'exit' }));
    const sessions = await (await t.get('/api/v1/sessions', key)).json();
    expect(sessions.data.sessions).toEqual([{
      id: SESSION_A, started_at: '2026-03-01T12:00:00.250Z', ended_at: '2026-03-01T12:00:05.250Z',
      duration_ms: 5000, event_count: 4, tool_invocations: 2,
    }]);
  });
});

describe('previews (prompt text, tool input and output are not stored beyond them)', () => {
  const SECRET = 'SECRET-BEYOND-THE-PREVIEW';
  const long = (prefix: string) => `${prefix}${'x'.repeat(120)}${SECRET}`;

  it('keeps only the first 100 characters of each sensitive value, and nothing else of it anywhere', async () => {
    const { account, key } = await writer();
    const bodies = [
      payload('UserPromptSubmit', { prompt: long('p') }),
      payload('PreToolUse', { tool_name: 'Write', tool_use_id: 'toolu_w', tool_input: { file_path: '/a', content: long('c') } }),
      payload('PostToolUse', { tool_name: 'Write', tool_use_id: 'toolu_w', tool_input: { content: long('c') }, tool_response: { stdout: long('o') } }),
      payload('PostToolUseFailure', { tool_name: 'Bash', tool_use_id: 'toolu_b', tool_input: { command: long('b') }, error: long('e') }),
      payload('Notification', { message: long('m') }),
      payload('Stop', { stop_hook_active: false, last_assistant_message: long('s') }),
      payload('SubagentStop', { agent_id: 'a1', agent_type: 'builder', agent_transcript_path: `/t/${SECRET}`, last_assistant_message: long('s') }),
      payload('PreCompact', { trigger: 'manual', custom_instructions: long('k') }),
      payload('SessionStart', { source: 'startup', cwd: `/home/${SECRET}` }),
    ];
    for (const body of bodies) expect((await postHook(t, key, body)).status).toBe(200);
    expect(await everythingStored(t)).not.toContain(SECRET);

    const rows = await storedRows(t, account);
    const previews = rows.flatMap((r) => Object.entries(r.data).filter(([k]) => k.endsWith('_preview')));
    expect(previews.map(([k]) => k).sort()).toEqual([
      'custom_instructions_preview', 'last_assistant_message_preview', 'last_assistant_message_preview', 'message_preview',
      'prompt_preview', 'tool_input_preview', 'tool_input_preview', 'tool_input_preview', 'tool_output_preview', 'tool_output_preview',
    ]);
    for (const [, value] of previews) expect(codePoints(value as string)).toBe(100);
    expect(rows[0]!.data).toEqual({ prompt_preview: `p${'x'.repeat(99)}` });
    expect(rows[1]!.data['tool_input_preview']).toBe(JSON.stringify({ file_path: '/a', content: long('c') }).slice(0, 100));
    expect(rows[3]!.data['tool_output_preview']).toBe(`e${'x'.repeat(99)}`);
  });

  it('counts characters as code points: an astral character is one and is never split', async () => {
    const { account, key } = await writer();
    const emoji = '😀'.repeat(150);
    await postHook(t, key, payload('UserPromptSubmit', { prompt: `a${emoji}` }));
    await postHook(t, key, payload('UserPromptSubmit', { prompt: '𝒳'.repeat(100) }));
    await postHook(t, key, payload('UserPromptSubmit', { prompt: 'short é' }));
    const [first, exact, short] = (await storedRows(t, account)).map((r) => r.data['prompt_preview'] as string);
    expect(first).toBe(`a${'😀'.repeat(99)}`);
    expect(codePoints(first!)).toBe(100);
    expect(first!.length).toBe(199);
    expect(exact).toBe('𝒳'.repeat(100));
    expect(short).toBe('short é');
  });

  it('takes the preview length from TRENCHCOAT_HOOK_PREVIEW_CHARS; 0 keeps no previews at all', async () => {
    for (const [chars, expected] of [['5', { prompt_preview: 'he😀lo' }], ['0', {}]] as const) {
      const g = await startTestGateway({ env: { TRENCHCOAT_HOOK_PREVIEW_CHARS: chars } });
      try {
        const account = freshAccount('hooks');
        const key = await g.key({ account, scopes: ['write:events'] });
        const r = await postHook(g, key, payload('UserPromptSubmit', { prompt: `he😀lo world ${SECRET}` }));
        expect(r.status).toBe(200);
        const rows = await storedRows(g, account);
        expect(rows.map((row) => row.data)).toEqual([expected]);
        expect(await everythingStored(g)).not.toContain('world');
      } finally {
        await g.close();
      }
    }
  });

  it('refuses an invalid TRENCHCOAT_HOOK_PREVIEW_CHARS at start', async () => {
    for (const bad of ['-1', 'ten', '1.5', '']) {
      await expect(startTestGateway({ env: { TRENCHCOAT_HOOK_PREVIEW_CHARS: bad } })).rejects.toThrow(/TRENCHCOAT_HOOK_PREVIEW_CHARS/);
    }
  });
});

describe('duration_ms of tool results', () => {
  it("keeps Claude Code's own duration_ms when it sends one", async () => {
    const { account, key } = await writer();
    clock = T0;
    await postHook(t, key, payload('PreToolUse', { tool_name: 'Bash', tool_use_id: 'toolu_own' }));
    clock = T0 + 9000;
    await postHook(t, key, payload('PostToolUse', { tool_name: 'Bash', tool_use_id: 'toolu_own', tool_response: {}, duration_ms: 1234 }));
    await postHook(t, key, payload('PostToolUseFailure', { tool_name: 'Bash', tool_use_id: 'toolu_own2', error: 'x', duration_ms: 0 }));
    const results = (await storedRows(t, account)).filter((r) => r.event_type === 'tool_result');
    expect(results.map((r) => r.data['duration_ms'])).toEqual([1234, 0]);
  });

  it('otherwise times the result from the PreToolUse with the same tool_use_id in the same session', async () => {
    const { account, key } = await writer();
    clock = T0;
    await postHook(t, key, payload('PreToolUse', { tool_name: 'Read', tool_use_id: 'toolu_t1' }));
    clock = T0 + 200;
    await postHook(t, key, payload('PreToolUse', { tool_name: 'Bash', tool_use_id: 'toolu_t2' }));
    clock = T0 + 750;
    await postHook(t, key, payload('PostToolUse', { tool_name: 'Read', tool_use_id: 'toolu_t1', tool_response: { ok: 1 } }));
    clock = T0 + 3200;
    await postHook(t, key, payload('PostToolUseFailure', { tool_name: 'Bash', tool_use_id: 'toolu_t2', error: 'boom' }));
    const results = (await storedRows(t, account)).filter((r) => r.event_type === 'tool_result');
    expect(results.map((r) => r.data)).toEqual([
      { tool_name: 'Read', tool_use_id: 'toolu_t1', is_error: false, duration_ms: 750, tool_output_preview: '{"ok":1}' },
      { tool_name: 'Bash', tool_use_id: 'toolu_t2', is_error: true, duration_ms: 3000, tool_output_preview: 'boom' },
    ]);
  });

  it('leaves duration_ms out when there is no such PreToolUse (other session, other account, or no tool_use_id)', async () => {
    const { account, key } = await writer();
    const other = await writer();
    clock = T0;
    await postHook(t, key, payload('PreToolUse', { tool_name: 'Read', tool_use_id: 'toolu_x' }, SESSION_B));
    await postHook(t, other.key, payload('PreToolUse', { tool_name: 'Read', tool_use_id: 'toolu_x' }));
    clock = T0 + 500;
    await postHook(t, key, payload('PostToolUse', { tool_name: 'Read', tool_use_id: 'toolu_x', tool_response: {} }));
    await postHook(t, key, payload('PostToolUse', { tool_name: 'Read', tool_response: {} }));
    await postHook(t, key, payload('PostToolUse', { tool_name: 'Read', tool_use_id: 'toolu_never', tool_response: {} }));
    const results = (await storedRows(t, account)).filter((r) => r.event_type === 'tool_result');
    expect(results).toHaveLength(3);
    for (const r of results) expect(r.data).not.toHaveProperty('duration_ms');
  });
});

describe("the README's ~/.claude/settings.json block works as pasted", () => {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Claude Code hooks'));
  const jsonBlock = /```json\n([\s\S]*?)\n```/.exec(section)?.[1];
  const settings = JSON.parse(jsonBlock ?? 'null') as { hooks: Record<string, { matcher?: string; hooks: Record<string, any>[] }[]> };
  const URL_IN_README = 'http://127.0.0.1:4000/api/v1/hooks/claude-code';
  const hookOf = (event: string) => settings.hooks[event]![0]!.hooks[0]!;

  it('has a hook for every mapped event, http ones taking the key from TRENCHCOAT_KEY through allowedEnvVars', () => {
    expect(Object.keys(settings.hooks).sort()).toEqual(Object.keys(HOOK_EVENT_TABLE).sort());
    for (const event of Object.keys(HOOK_EVENT_TABLE)) {
      expect(settings.hooks[event]).toHaveLength(1);
      const hook = hookOf(event);
      if (event === 'SessionStart') {
        expect(hook['type']).toBe('command');
        continue;
      }
      expect(hook).toEqual({
        type: 'http', url: URL_IN_README, headers: { 'X-API-Key': '$TRENCHCOAT_KEY' }, allowedEnvVars: ['TRENCHCOAT_KEY'], timeout: 5,
      });
    }
  });

  it('stores what each http hook posts, with the header filled as Claude Code fills it', async () => {
    const { account, key } = await writer();
    const env: Record<string, string> = { TRENCHCOAT_KEY: key };
    const events = Object.keys(HOOK_EVENT_TABLE).filter((e) => e !== 'SessionStart');
    for (const event of events) {
      const hook = hookOf(event);
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(hook['headers'] as Record<string, string>)) {
        headers[name] = value.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (_m, v: string) =>
          (hook['allowedEnvVars'] as string[]).includes(v) ? (env[v] ?? '') : '');
      }
      const response = await fetch((hook['url'] as string).replace('http://127.0.0.1:4000', t.url), {
        method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(payload(event)),
      });
      expect(response.status, event).toBe(200);
      expect(await response.json()).toEqual({});
    }
    expect((await storedRows(t, account)).map((r) => r.event_type)).toEqual(events.map((e) => HOOK_EVENT_TABLE[e]));
  });

  it('stores what the SessionStart command hook pipes to it, printing nothing', async () => {
    const { account, key } = await writer();
    const command = (hookOf('SessionStart')['command'] as string).replace(URL_IN_README, `${t.url}/api/v1/hooks/claude-code`);
    // Asynchronously: the gateway answers from this very process.
    const run = await new Promise<{ status: number | null; stdout: string }>((resolve, reject) => {
      const child = spawn('bash', ['-c', command], { env: { ...process.env, TRENCHCOAT_KEY: key }, stdio: ['pipe', 'pipe', 'inherit'] });
      let stdout = '';
      child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
      child.on('error', reject);
      child.on('close', (status) => resolve({ status, stdout }));
      child.stdin.end(JSON.stringify(payload('SessionStart', { source: 'startup', model: 'claude-sonnet-4-6' })));
    });
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('');
    expect((await storedRows(t, account)).map((r) => [r.event_type, r.data])).toEqual([
      ['session_start', { source: 'startup', model: 'claude-sonnet-4-6' }],
    ]);
  });
});
