import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transcriptEvents, type RawEvent } from '../src/import/transcript-events.js';
import { formatUtc } from '../src/time/iso-time.js';
import { allSessions, freshAccount } from './support/ingest-support.js';
import {
  ALL_TRANSCRIPTS, COMPACT, computeFromTranscripts, jsonLines, runTrenchcoat, SESSION_OF, SHORT, SUBAGENT, TOOL_HEAVY, TRANSCRIPTS,
} from './support/import-support.js';
import { codePoints } from './support/hooks-support.js';
import { startTestGateway, type TestGateway } from './support/test-gateway.js';

// The Claude Code integration issue, part 2: `trenchcoat import` backfills sessions from the real
// transcripts in ../shared/samples (see its PROVENANCE.md). Expected values are read from the files here.

const read = (path: string) => ({ text: readFileSync(path, 'utf8'), sessionId: SESSION_OF[path] ?? null });
const ofType = (events: RawEvent[], type: string) => events.filter((e) => e.event_type === type);
const bySession = (events: RawEvent[], id: string) => events.filter((e) => e.session_id === id);

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'trenchcoat-import-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('transcript lines → events (unit, on the real samples)', () => {
  const computed = computeFromTranscripts(ALL_TRANSCRIPTS);
  const { events, stats, sessions } = transcriptEvents(ALL_TRANSCRIPTS.map(read), 100);

  it('sees the four sample sessions and skips no line of them', () => {
    expect(sessions.sort()).toEqual([...computed.keys()].sort());
    expect(sessions).toHaveLength(4);
    expect(stats).toEqual({ lines: 155, malformedLines: 0, unknownTypeLines: 0, unusableLines: 0 });
  });

  it('starts each session at its first timestamped line', () => {
    for (const [id, c] of computed) {
      const starts = ofType(bySession(events, id), 'session_start');
      expect(starts.map((e) => [e.timestamp, e.event_id])).toEqual([[new Date(c.firstTs).toISOString(), `import:start:${id}`]]);
    }
    expect(ofType(bySession(events, SESSION_OF[SHORT]!), 'session_start')[0]!.timestamp).toBe('2026-02-10T21:11:52.438Z');
  });

  it('makes one tool_use per tool_use id and one tool_result per result, keeping is_error and the tool name', () => {
    for (const [id, c] of computed) {
      const mine = bySession(events, id);
      expect(ofType(mine, 'tool_use').map((e) => [e.data['tool_use_id'], e.data['tool_name']]).sort()).toEqual([...c.toolUses].sort());
      expect(ofType(mine, 'tool_result').map((e) => [e.data['tool_use_id'], e.data['is_error']]).sort()).toEqual([...c.toolResults].sort());
      for (const result of ofType(mine, 'tool_result')) {
        expect(result.data['tool_name']).toBe(c.toolUses.get(result.data['tool_use_id'] as string));
        expect(result.event_id).toBe(`import:tool_result:${result.data['tool_use_id'] as string}`);
      }
    }
  });

  it('matches PROVENANCE.md: short has 2 failed calls, tool_heavy 6 calls, subagent 16 calls plus its Task subagent’s 9', () => {
    const short = bySession(events, SESSION_OF[SHORT]!);
    expect(ofType(short, 'tool_use').map((e) => e.data['tool_name'])).toEqual(['Bash', 'Glob']);
    expect(ofType(short, 'tool_result').map((e) => e.data['is_error'])).toEqual([true, true]);
    expect(ofType(bySession(events, SESSION_OF[TOOL_HEAVY]!), 'tool_use')).toHaveLength(6);
    const sub = ofType(bySession(events, SESSION_OF[SUBAGENT]!), 'tool_use');
    const c = computed.get(SESSION_OF[SUBAGENT]!)!;
    expect(sub.filter((e) => !('agent_id' in e.data))).toHaveLength(16);
    expect(sub.filter((e) => e.data['agent_id'] === 'afb92ff').map((e) => e.data['tool_use_id']).sort()).toEqual([...c.subagentToolUses].sort());
    expect(c.subagentToolUses.size).toBe(9);
    expect(sub).toHaveLength(25);
  });

  it('times a result from its call, in the transcript’s own timestamps', () => {
    const short = bySession(events, SESSION_OF[SHORT]!);
    const bash = ofType(short, 'tool_result').find((e) => e.data['tool_name'] === 'Bash')!;
    expect(bash.timestamp).toBe('2026-02-10T21:12:02.480Z');
    expect(bash.data['duration_ms']).toBe(Date.parse('2026-02-10T21:12:02.480Z') - Date.parse('2026-02-10T21:12:01.117Z'));
  });

  it('makes one assistant_stop per distinct response, with its token usage counted once', () => {
    for (const [id, c] of computed) {
      const stops = ofType(bySession(events, id), 'assistant_stop');
      expect(stops.map((e) => e.event_id).sort()).toEqual([...c.responses.keys()].map((m) => `import:stop:${m}`).sort());
      for (const stop of stops) expect(stop.data['usage']).toEqual(c.responses.get(stop.event_id.slice('import:stop:'.length)));
    }
    // short.jsonl writes one response over five lines: its usage is counted once, not five times.
    const [shortStop] = ofType(bySession(events, SESSION_OF[SHORT]!), 'assistant_stop');
    expect(shortStop!.data).toEqual({
      model: 'claude-opus-4-6',
      usage: { input_tokens: 3, output_tokens: 13, cache_creation_input_tokens: 13835, cache_read_input_tokens: 11515 },
    });
    expect(shortStop!.timestamp).toBe('2026-02-10T21:12:01.669Z');
    // A response whose lines grow (8 → 472 output tokens) keeps the final count.
    const grown = ofType(bySession(events, SESSION_OF[SUBAGENT]!), 'assistant_stop').find((e) => e.event_id.endsWith('msg_0179FgGtJzf3MkRAWS4a4tbE'))!;
    expect((grown.data['usage'] as Record<string, number>)['output_tokens']).toBe(472);
  });

  it('makes a prompt_submit per typed prompt only (not tool results, meta lines, command output, interruptions, subagent prompts)', () => {
    const prompts = (path: string) => ofType(bySession(events, SESSION_OF[path]!), 'prompt_submit').map((e) => e.data['prompt_preview']);
    expect(prompts(SHORT)).toEqual(['mix phx.server doesnt seem to start']);
    expect(prompts(TOOL_HEAVY)).toEqual([
      'start phoenix in background',
      // A slash command is typed too (UserPromptSubmit fires for them); 100 characters of it.
      '<command-name>/mcp</command-name>\n            <command-message>mcp</command-message>\n            <co',
      'scrolling back in xterm.js still does not work (maybe because outer web catches it)? websearch xterm',
    ]);
    expect(prompts(SUBAGENT)).toHaveLength(2);
    expect(prompts(SUBAGENT)[1]).toBe('create the beads');
    expect(prompts(COMPACT)).toEqual([]);
    const ids = ofType(events, 'prompt_submit').map((e) => e.event_id);
    expect(ids).toContain('import:prompt:7d48cbd2-6615-4dd8-87f6-38f12b8167d6');
  });

  it('keeps prompt text, tool input and output only as previews of the given length', () => {
    for (const chars of [0, 1, 7, 100]) {
      const { events: evs } = transcriptEvents(ALL_TRANSCRIPTS.map(read), chars);
      const previews = evs.flatMap((e) => Object.entries(e.data).filter(([k]) => k.endsWith('_preview')));
      if (chars === 0) expect(previews).toEqual([]);
      else {
        expect(previews.length).toBeGreaterThan(50);
        for (const [, v] of previews) expect(codePoints(v as string)).toBeLessThanOrEqual(chars);
      }
      for (const e of evs) {
        expect(Object.keys(e.data).filter((k) => !k.endsWith('_preview')).every((k) =>
          ['source', 'tool_name', 'tool_use_id', 'is_error', 'duration_ms', 'agent_id', 'model', 'stop_reason', 'usage'].includes(k))).toBe(true);
      }
    }
  });

  it('gives the same events whatever the order of lines and files, and again on a second read', () => {
    const again = transcriptEvents(ALL_TRANSCRIPTS.map(read), 100).events;
    expect(again).toEqual(events);
    const reversed = transcriptEvents(
      [...ALL_TRANSCRIPTS].reverse().map((p) => ({ ...read(p), text: read(p).text.split('\n').reverse().join('\n') })),
      100,
    ).events;
    const key = (e: RawEvent) => e.event_id;
    expect([...reversed].sort((a, b) => key(a).localeCompare(key(b)))).toEqual([...events].sort((a, b) => key(a).localeCompare(key(b))));
  });

  it("counts a subagent's own transcript (subagents/*.jsonl) toward the parent, once per tool_use id", () => {
    // The subagent's messages, as Claude Code also writes them to <session>/subagents/agent-<id>.jsonl.
    const lines = jsonLines(SUBAGENT);
    const sessionId = SESSION_OF[SUBAGENT]!;
    const agentFile = lines
      .filter((l) => l['type'] === 'progress' && l['data']?.['type'] === 'agent_progress')
      .map((l) => JSON.stringify({ ...l['data']['message'], sessionId, isSidechain: true, agentId: l['data']['agentId'] }))
      .join('\n');
    const withoutProgress = lines.filter((l) => l['type'] !== 'progress').map((l) => JSON.stringify(l)).join('\n');
    const both = transcriptEvents([read(SUBAGENT), { text: agentFile, sessionId }], 100).events;
    const split = transcriptEvents([{ text: withoutProgress, sessionId }, { text: agentFile, sessionId }], 100).events;
    for (const evs of [both, split]) {
      expect(ofType(evs, 'tool_use')).toHaveLength(25);
      expect(ofType(evs, 'tool_use').filter((e) => e.data['agent_id'] === 'afb92ff')).toHaveLength(9);
      expect(ofType(evs, 'tool_result')).toHaveLength(25);
      expect(ofType(evs, 'prompt_submit')).toHaveLength(2);
    }
  });

  it('skips and counts malformed lines and unknown line types, never failing', () => {
    const text = [
      'not json at all',
      '[1, 2, 3]',
      '"a string"',
      '{"type": "mystery-line", "sessionId": "55604662-cf2a-4331-851a-ec234028f8ca", "timestamp": "2020-01-01T00:00:00Z"}',
      '{"no": "type"}',
      '',
      '   ',
      '{"type": "user", "sessionId": "55604662-cf2a-4331-851a-ec234028f8ca", "timestamp": "yesterday", "uuid": "u1", "message": {"role": "user", "content": "hi"}}',
      readFileSync(SHORT, 'utf8'),
      '{"type": "assistant", "truncated": ',
    ].join('\n');
    const { events: evs, stats } = transcriptEvents([{ text, sessionId: null }], 100);
    expect(stats).toEqual({ lines: 15 + 7, malformedLines: 4, unknownTypeLines: 2, unusableLines: 1 });
    expect(evs).toEqual(transcriptEvents([read(SHORT)], 100).events);
  });
});

// Each run starts a node process (through tsx): slow on a busy machine, hence the long timeout.
describe('trenchcoat import (CLI, against a running gateway over the same database)', { timeout: 120_000 }, () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway();
  });
  afterAll(() => t.close());

  async function importJson(account: string, paths: string[], env: Record<string, string> = {}) {
    const r = await runTrenchcoat(['import', ...paths, '--account', account, '--db', t.dbPath, '--json'], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    return JSON.parse(lines[0]!) as Record<string, number>;
  }

  const computed = computeFromTranscripts(ALL_TRANSCRIPTS);
  const PROMPTS: Record<string, number> = { [SESSION_OF[SHORT]!]: 1, [SESSION_OF[TOOL_HEAVY]!]: 3, [SESSION_OF[SUBAGENT]!]: 2, [SESSION_OF[COMPACT]!]: 0 };
  const expectedEvents = (id: string) => {
    const c = computed.get(id)!;
    return 1 + PROMPTS[id]! + c.toolUses.size + c.toolResults.size + c.responses.size;
  };
  const totalEvents = [...computed.keys()].reduce((n, id) => n + expectedEvents(id), 0);

  it('imports the sample folder: start times, tool counts (subagent calls included), and old sessions closed', async () => {
    const account = freshAccount('import');
    const summary = await importJson(account, [TRANSCRIPTS]);
    expect(summary).toEqual({
      files: 4, sessions: 4, events: totalEvents, accepted: totalEvents, duplicates: 0, rejected: 0, skipped_lines: 0,
    });
    const key = await t.key({ account, scopes: ['read:analytics'] });
    const { sessions } = await allSessions(t, key);
    const rows = await t.gateway.database.db.selectFrom('events').innerJoin('accounts', 'accounts.id', 'events.account_id')
      .select(['events.session_id', 'events.ts']).where('accounts.slug', '=', account).execute();
    expect(rows).toHaveLength(totalEvents);
    expect(sessions.map((s) => s.id).sort()).toEqual([...computed.keys()].sort());
    for (const s of sessions) {
      const c = computed.get(s.id)!;
      const last = Math.max(...rows.filter((r) => r.session_id === s.id).map((r) => Number(r.ts)));
      expect(Date.now() - last).toBeGreaterThan(24 * 3600_000);
      expect(s).toEqual({
        id: s.id,
        started_at: formatUtc(Date.parse(c.firstTs)),
        ended_at: formatUtc(last),
        duration_ms: last - Date.parse(c.firstTs),
        event_count: expectedEvents(s.id),
        tool_invocations: c.toolUses.size,
      });
    }
    expect(Object.fromEntries(sessions.map((s) => [s.id, s.tool_invocations]))).toEqual({
      [SESSION_OF[SHORT]!]: 2, [SESSION_OF[TOOL_HEAVY]!]: 6, [SESSION_OF[SUBAGENT]!]: 25, [SESSION_OF[COMPACT]!]: 0,
    });
  });

  it('changes nothing when the same files are imported again (also as single files)', async () => {
    const account = freshAccount('import');
    await importJson(account, [TRANSCRIPTS]);
    const key = await t.key({ account, scopes: ['read:analytics'] });
    const before = await allSessions(t, key);
    const again = await importJson(account, [TRANSCRIPTS, SHORT]);
    expect(again).toEqual({
      files: 4, sessions: 4, events: totalEvents, accepted: totalEvents, duplicates: totalEvents, rejected: 0, skipped_lines: 0,
    });
    const single = await importJson(account, [SUBAGENT]);
    expect(single).toMatchObject({ files: 1, sessions: 1, duplicates: single['events'] });
    expect(await allSessions(t, key)).toEqual(before);
  });

  it('does not count twice a tool call that the hooks endpoint already recorded', async () => {
    const account = freshAccount('import');
    const key = await t.key({ account, scopes: ['read:analytics', 'write:events'] });
    const sessionId = SESSION_OF[SHORT]!;
    const hook = (body: Record<string, unknown>) =>
      t.post('/api/v1/hooks/claude-code', { session_id: sessionId, tool_name: 'Bash', tool_use_id: 'toolu_0116Hyi5v8ut7Ffb7d8qV1Sc', ...body }, key);
    expect((await hook({ hook_event_name: 'PreToolUse', tool_input: { command: 'mix phx.server' } })).status).toBe(200);
    expect((await hook({ hook_event_name: 'PostToolUseFailure', error: 'rejected' })).status).toBe(200);
    const summary = await importJson(account, [SHORT]);
    expect(summary).toEqual({ files: 1, sessions: 1, events: 7, accepted: 7, duplicates: 2, rejected: 0, skipped_lines: 0 });
    const { sessions } = await allSessions(t, key);
    expect(sessions).toMatchObject([{ id: sessionId, event_count: 2 + 5, tool_invocations: 2 }]);
  });

  it('prints a one-line summary without --json', async () => {
    const r = await runTrenchcoat(['import', SHORT, '--account', freshAccount('import'), '--db', t.dbPath]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('Imported 1 file: 1 session, 7 events (7 new, 0 already stored, 0 rejected), 0 lines skipped.\n');
  });

  it('counts malformed and unknown lines as skipped', async () => {
    const folder = join(scratch, 'messy', 'project');
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'messy.jsonl'), `garbage\n{"type":"brand-new-kind"}\n${readFileSync(SHORT, 'utf8')}\n{"type":`);
    writeFileSync(join(folder, 'notes.txt'), 'not a transcript');
    const summary = await importJson(freshAccount('import'), [join(scratch, 'messy')]);
    expect(summary).toEqual({ files: 1, sessions: 1, events: 7, accepted: 7, duplicates: 0, rejected: 0, skipped_lines: 3 });
  });

  it('reads ~/.claude/projects when no path is given', async () => {
    const home = join(scratch, 'home');
    const project = join(home, '.claude', 'projects', '-home-me-spotter');
    mkdirSync(project, { recursive: true });
    copyFileSync(SHORT, join(project, `${SESSION_OF[SHORT]}.jsonl`));
    const summary = await importJson(freshAccount('import'), [], { HOME: home });
    expect(summary).toMatchObject({ files: 1, sessions: 1, events: 7, accepted: 7 });
  });

  it('refuses a missing path with one clear line on stderr, exit 1, and imports nothing', async () => {
    const db = join(scratch, 'never.db');
    const missing = join(scratch, 'no-such-folder');
    for (const paths of [[missing], [SHORT, missing]]) {
      const r = await runTrenchcoat(['import', ...paths, '--account', 'acme', '--db', db, '--json']);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(`trenchcoat: No such file or folder: ${missing}\n`);
      expect(existsSync(db)).toBe(false);
    }
    const noHome = await runTrenchcoat(['import', '--account', 'acme', '--db', db], { HOME: join(scratch, 'empty-home') });
    expect(noHome.code).toBe(1);
    expect(noHome.stderr).toBe(`trenchcoat: No such file or folder: ${join(scratch, 'empty-home', '.claude', 'projects')}\n`);
    expect(existsSync(db)).toBe(false);
  });

  it('requires --account and explains itself in --help', async () => {
    const noAccount = await runTrenchcoat(['import', SHORT, '--db', join(scratch, 'never2.db')]);
    expect(noAccount.code).not.toBe(0);
    expect(noAccount.stderr).toMatch(/--account/);
    const help = await runTrenchcoat(['import', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--account <slug>/);
    expect(help.stdout).toMatch(/--json/);
  });
});
