import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transcriptEvents, type RawEvent, type TranscriptStats } from '../src/import/transcript-events.js';
import { formatUtc } from '../src/time/iso-time.js';
import { allSessions, freshAccount } from './support/ingest-support.js';
import {
  computeFromTranscripts, FIXTURE_TRANSCRIPTS, jsonLines, runTrenchcoat, SAMPLE_TRANSCRIPTS, type Computed, type TranscriptSource,
} from './support/import-support.js';
import { codePoints } from './support/hooks-support.js';
import { describeNeeding } from './support/requirements.js';
import { startTestGateway, type TestGateway } from './support/test-gateway.js';

// The Claude Code integration issue, part 2: `trenchcoat import` backfills sessions from Claude Code
// transcripts: the project's fixtures, and the real public samples when TRENCHCOAT_SAMPLES_DIR names
// them. Expected values are read from the files here (and, where pinned, off the files by hand).

const ofType = (events: RawEvent[], type: string) => events.filter((e) => e.event_type === type);
const bySession = (events: RawEvent[], id: string) => events.filter((e) => e.session_id === id);
const skippedLines = (s: TranscriptStats) => s.malformedLines + s.unknownTypeLines + s.unusableLines;

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'trenchcoat-import-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function imports(source: TranscriptSource): void {
  const { all, compact: COMPACT, facts, sessionOf: SESSION_OF, short: SHORT, subagent: SUBAGENT, toolHeavy: TOOL_HEAVY } = source;
  const read = (path: string) => ({ text: readFileSync(path, 'utf8'), sessionId: SESSION_OF[path] ?? null });

  describe('transcript lines → events (unit)', () => {
    let computed: Map<string, Computed>;
    let events: RawEvent[];
    let stats: TranscriptStats;
    let sessions: string[];
    beforeAll(() => {
      computed = computeFromTranscripts(all);
      ({ events, stats, sessions } = transcriptEvents(all.map(read), 100));
    });

    it('sees the four sessions and skips only the lines it cannot use', () => {
      expect(sessions.sort()).toEqual([...computed.keys()].sort());
      expect(sessions).toHaveLength(4);
      expect(stats).toEqual(facts.stats);
    });

    it('starts each session at its first timestamped line', () => {
      for (const [id, c] of computed) {
        const starts = ofType(bySession(events, id), 'session_start');
        expect(starts.map((e) => [e.timestamp, e.event_id])).toEqual([[new Date(c.firstTs).toISOString(), `import:start:${id}`]]);
      }
      expect(ofType(bySession(events, SESSION_OF[SHORT]!), 'session_start')[0]!.timestamp).toBe(facts.short.firstTs);
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

    it('counts what the README or PROVENANCE.md says: short’s failed calls, tool_heavy’s calls, subagent’s calls plus its Task subagent’s', () => {
      const short = bySession(events, SESSION_OF[SHORT]!);
      expect(ofType(short, 'tool_use').map((e) => e.data['tool_name'])).toEqual(facts.short.tools);
      expect(ofType(short, 'tool_result').map((e) => e.data['is_error'])).toEqual(facts.short.errors);
      expect(ofType(bySession(events, SESSION_OF[TOOL_HEAVY]!), 'tool_use')).toHaveLength(facts.toolHeavy.tools);
      const sub = ofType(bySession(events, SESSION_OF[SUBAGENT]!), 'tool_use');
      const c = computed.get(SESSION_OF[SUBAGENT]!)!;
      expect(sub.filter((e) => !('agent_id' in e.data))).toHaveLength(facts.subagent.mainTools);
      expect(sub.filter((e) => e.data['agent_id'] === facts.subagent.agentId).map((e) => e.data['tool_use_id']).sort()).toEqual([...c.subagentToolUses].sort());
      expect(c.subagentToolUses.size).toBe(facts.subagent.agentTools);
      expect(sub).toHaveLength(facts.subagent.mainTools + facts.subagent.agentTools);
    });

    it('times a result from its call, in the transcript’s own timestamps', () => {
      const short = bySession(events, SESSION_OF[SHORT]!);
      const bash = ofType(short, 'tool_result').find((e) => e.data['tool_name'] === 'Bash')!;
      expect(bash.data['tool_use_id']).toBe(facts.short.bash.id);
      expect(bash.timestamp).toBe(facts.short.bash.resultTs);
      expect(bash.data['duration_ms']).toBe(Date.parse(facts.short.bash.resultTs) - Date.parse(facts.short.bash.callTs));
    });

    it('makes one assistant_stop per distinct response, with its token usage counted once', () => {
      for (const [id, c] of computed) {
        const stops = ofType(bySession(events, id), 'assistant_stop');
        expect(stops.map((e) => e.event_id).sort()).toEqual([...c.responses.keys()].map((m) => `import:stop:${m}`).sort());
        for (const stop of stops) expect(stop.data['usage']).toEqual(c.responses.get(stop.event_id.slice('import:stop:'.length)));
      }
      // short.jsonl writes one response over five lines: its usage is counted once, not five times.
      const [shortStop] = ofType(bySession(events, SESSION_OF[SHORT]!), 'assistant_stop');
      expect(shortStop!.data).toEqual(facts.short.stop.data);
      expect(shortStop!.timestamp).toBe(facts.short.stop.timestamp);
      // A response whose lines grow keeps the final count.
      const grown = ofType(bySession(events, SESSION_OF[SUBAGENT]!), 'assistant_stop').find((e) => e.event_id.endsWith(facts.subagent.grown.messageId))!;
      expect((grown.data['usage'] as Record<string, number>)['output_tokens']).toBe(facts.subagent.grown.outputTokens);
    });

    it('makes a prompt_submit per typed prompt only (not tool results, meta lines, command output, interruptions, subagent prompts)', () => {
      const prompts = (path: string) => ofType(bySession(events, SESSION_OF[path]!), 'prompt_submit').map((e) => e.data['prompt_preview']);
      expect(prompts(SHORT)).toEqual(facts.short.prompts);
      // A slash command is typed too (UserPromptSubmit fires for them): it is among these, cut to 100 characters.
      expect(prompts(TOOL_HEAVY)).toEqual(facts.toolHeavy.prompts);
      expect(prompts(SUBAGENT)).toHaveLength(facts.subagent.prompts);
      expect(prompts(SUBAGENT).at(-1)).toBe(facts.subagent.lastPrompt);
      expect(prompts(COMPACT)).toEqual([]);
      const ids = ofType(events, 'prompt_submit').map((e) => e.event_id);
      expect(ids).toContain(`import:prompt:${facts.short.promptUuid}`);
    });

    it('keeps prompt text, tool input and output only as previews of the given length', () => {
      for (const chars of [0, 1, 7, 100]) {
        const { events: evs } = transcriptEvents(all.map(read), chars);
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
      const again = transcriptEvents(all.map(read), 100).events;
      expect(again).toEqual(events);
      const reversed = transcriptEvents(
        [...all].reverse().map((p) => ({ ...read(p), text: read(p).text.split('\n').reverse().join('\n') })),
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
      const calls = facts.subagent.mainTools + facts.subagent.agentTools;
      for (const evs of [both, split]) {
        expect(ofType(evs, 'tool_use')).toHaveLength(calls);
        expect(ofType(evs, 'tool_use').filter((e) => e.data['agent_id'] === facts.subagent.agentId)).toHaveLength(facts.subagent.agentTools);
        expect(ofType(evs, 'tool_result')).toHaveLength(calls);
        expect(ofType(evs, 'prompt_submit')).toHaveLength(facts.subagent.prompts);
      }
    });

    it('skips and counts malformed lines and unknown line types, never failing', () => {
      const shortSession = SESSION_OF[SHORT]!;
      const text = [
        'not json at all',
        '[1, 2, 3]',
        '"a string"',
        `{"type": "mystery-line", "sessionId": "${shortSession}", "timestamp": "2020-01-01T00:00:00Z"}`,
        '{"no": "type"}',
        '',
        '   ',
        `{"type": "user", "sessionId": "${shortSession}", "timestamp": "yesterday", "uuid": "u1", "message": {"role": "user", "content": "hi"}}`,
        readFileSync(SHORT, 'utf8'),
        '{"type": "assistant", "truncated": ',
      ].join('\n');
      const { events: evs, stats: counted } = transcriptEvents([{ text, sessionId: null }], 100);
      expect(counted).toEqual({ lines: facts.short.lines + 7, malformedLines: 4, unknownTypeLines: 2, unusableLines: 1 });
      expect(evs).toEqual(transcriptEvents([read(SHORT)], 100).events);
    });
  });

  // Each run starts a node process: slow on a busy machine, hence the long timeout.
  describe('trenchcoat import (CLI, against a running gateway over the same database)', { timeout: 120_000 }, () => {
    let t: TestGateway;
    let computed: Map<string, Computed>;
    beforeAll(async () => {
      t = await startTestGateway();
      computed = computeFromTranscripts(all);
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

    const prompts = (id: string) =>
      ({
        [SESSION_OF[SHORT]!]: facts.short.prompts.length,
        [SESSION_OF[TOOL_HEAVY]!]: facts.toolHeavy.prompts.length,
        [SESSION_OF[SUBAGENT]!]: facts.subagent.prompts,
        [SESSION_OF[COMPACT]!]: 0,
      })[id]!;
    const expectedEvents = (id: string) => {
      const c = computed.get(id)!;
      return 1 + prompts(id) + c.toolUses.size + c.toolResults.size + c.responses.size;
    };
    const totalEvents = () => [...computed.keys()].reduce((n, id) => n + expectedEvents(id), 0);
    const skipped = skippedLines(facts.stats);

    it('imports the folder: start times, tool counts (subagent calls included), and old sessions closed', async () => {
      const account = freshAccount('import');
      const summary = await importJson(account, [source.folder]);
      const total = totalEvents();
      expect(summary).toEqual({
        files: 4, sessions: 4, events: total, accepted: total, duplicates: 0, rejected: 0, skipped_lines: skipped, model_requests: expect.any(Number),
      });
      const key = await t.key({ account, scopes: ['read:analytics'] });
      const { sessions } = await allSessions(t, key);
      const rows = await t.gateway.database.db.selectFrom('events').innerJoin('accounts', 'accounts.id', 'events.account_id')
        .select(['events.session_id', 'events.ts']).where('accounts.slug', '=', account).execute();
      expect(rows).toHaveLength(total);
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
        [SESSION_OF[SHORT]!]: facts.short.tools.length,
        [SESSION_OF[TOOL_HEAVY]!]: facts.toolHeavy.tools,
        [SESSION_OF[SUBAGENT]!]: facts.subagent.mainTools + facts.subagent.agentTools,
        [SESSION_OF[COMPACT]!]: 0,
      });
    });

    it('changes nothing when the same files are imported again (also as single files)', async () => {
      const account = freshAccount('import');
      await importJson(account, [source.folder]);
      const key = await t.key({ account, scopes: ['read:analytics'] });
      const before = await allSessions(t, key);
      const again = await importJson(account, [source.folder, SHORT]);
      const total = totalEvents();
      expect(again).toEqual({
        files: 4, sessions: 4, events: total, accepted: total, duplicates: total, rejected: 0, skipped_lines: skipped, model_requests: expect.any(Number),
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
        t.post('/api/v1/hooks/claude-code', { session_id: sessionId, tool_name: 'Bash', tool_use_id: facts.short.bash.id, ...body }, key);
      expect((await hook({ hook_event_name: 'PreToolUse', tool_input: { command: 'npm start' } })).status).toBe(200);
      expect((await hook({ hook_event_name: 'PostToolUseFailure', error: 'rejected' })).status).toBe(200);
      const summary = await importJson(account, [SHORT]);
      const events = facts.short.events;
      expect(summary).toEqual({ files: 1, sessions: 1, events, accepted: events, duplicates: 2, rejected: 0, skipped_lines: 0, model_requests: 1 });
      const { sessions } = await allSessions(t, key);
      expect(sessions).toMatchObject([{ id: sessionId, event_count: 2 + (events - 2), tool_invocations: facts.short.tools.length }]);
    });

    it('prints a one-line summary without --json', async () => {
      const r = await runTrenchcoat(['import', SHORT, '--account', freshAccount('import'), '--db', t.dbPath]);
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
      const n = facts.short.events;
      expect(r.stdout).toBe(`Imported 1 file: 1 session, ${n} events (${n} new, 0 already stored, 0 rejected), 0 lines skipped.\n`);
    });

    it('counts malformed and unknown lines as skipped', async () => {
      const messy = join(scratch, source === FIXTURE_TRANSCRIPTS ? 'messy-fixtures' : 'messy-samples');
      const folder = join(messy, 'project');
      mkdirSync(folder, { recursive: true });
      writeFileSync(join(folder, 'messy.jsonl'), `garbage\n{"type":"brand-new-kind"}\n${readFileSync(SHORT, 'utf8')}\n{"type":`);
      writeFileSync(join(folder, 'notes.txt'), 'not a transcript');
      const summary = await importJson(freshAccount('import'), [messy]);
      const n = facts.short.events;
      expect(summary).toEqual({ files: 1, sessions: 1, events: n, accepted: n, duplicates: 0, rejected: 0, skipped_lines: 3, model_requests: 1 });
    });

    it('reads ~/.claude/projects when no path is given', async () => {
      const home = join(scratch, source === FIXTURE_TRANSCRIPTS ? 'home-fixtures' : 'home-samples');
      const project = join(home, '.claude', 'projects', '-home-me-tidepool');
      mkdirSync(project, { recursive: true });
      copyFileSync(SHORT, join(project, `${SESSION_OF[SHORT]}.jsonl`));
      const summary = await importJson(freshAccount('import'), [], { HOME: home });
      const n = facts.short.events;
      expect(summary).toMatchObject({ files: 1, sessions: 1, events: n, accepted: n });
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
}

describe('the project fixtures', () => imports(FIXTURE_TRANSCRIPTS));
describeNeeding('samples', 'the real Claude Code samples (set TRENCHCOAT_SAMPLES_DIR to run the real Claude Code samples)', () => imports(SAMPLE_TRANSCRIPTS));
