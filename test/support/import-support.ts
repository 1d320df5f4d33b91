import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { runCli, type CliResult } from './cli-run.js';
import { FIXTURES, REPO_ROOT, SAMPLES_DIR } from './hooks-support.js';

/** What a spec pins about a set of transcripts, read off the files by hand (their README or PROVENANCE.md). */
export interface TranscriptFacts {
  /** The reader's counts over the four files: every non-blank line, and those it must skip. */
  stats: { lines: number; malformedLines: number; unknownTypeLines: number; unusableLines: number };
  short: {
    lines: number;
    firstTs: string;
    /** Its tool calls in order, and whether each result is an error. */
    tools: string[];
    errors: boolean[];
    events: number;
    bash: { id: string; callTs: string; resultTs: string };
    /** Its one response, written over five lines. */
    stop: { timestamp: string; data: Record<string, unknown> };
    prompts: string[];
    promptUuid: string;
  };
  toolHeavy: { tools: number; prompts: string[] };
  subagent: {
    /** Calls of the main thread, and of its Task subagent. */
    mainTools: number;
    agentId: string;
    agentTools: number;
    prompts: number;
    lastPrompt: string;
    /** A response whose lines grow: its final output token count. */
    grown: { messageId: string; outputTokens: number };
  };
}

/** Four transcripts (~/.claude/projects JSONL) of four sessions, and what is known of them. */
export interface TranscriptSource {
  name: string;
  folder: string;
  short: string;
  toolHeavy: string;
  subagent: string;
  /** A compaction's transcript, `<session>/subagents/agent-acompact-*.jsonl`. */
  compact: string;
  all: readonly string[];
  sessionOf: Readonly<Record<string, string>>;
  facts: TranscriptFacts;
}

function transcriptSource(
  name: string,
  folder: string,
  sessions: { short: string; toolHeavy: string; subagent: string; compact: string },
  compactAgent: string,
  facts: TranscriptFacts,
): TranscriptSource {
  const short = join(folder, 'short.jsonl');
  const toolHeavy = join(folder, 'tool_heavy.jsonl');
  const subagent = join(folder, 'subagent.jsonl');
  const compact = join(folder, sessions.compact, 'subagents', `agent-${compactAgent}.jsonl`);
  return {
    name, folder, short, toolHeavy, subagent, compact,
    all: [compact, short, subagent, toolHeavy],
    sessionOf: { [short]: sessions.short, [toolHeavy]: sessions.toolHeavy, [subagent]: sessions.subagent, [compact]: sessions.compact },
    facts,
  };
}

/** test/fixtures/claude-code/transcripts, as its README describes them. */
export const FIXTURE_TRANSCRIPTS = transcriptSource(
  'the project fixtures',
  join(FIXTURES, 'transcripts'),
  {
    short: 'cb1d709c-57ae-4606-b640-7c1a5ff2ce47',
    toolHeavy: '418cd41a-d3a3-4f52-b2f1-9f7712fcecb2',
    subagent: '994325c5-b689-47b6-9cb1-2fdd36d813c5',
    compact: '44747988-64a3-4e19-a63f-2b8d4014e43f',
  },
  'acompact-757941',
  {
    stats: { lines: 113, malformedLines: 0, unknownTypeLines: 1, unusableLines: 0 },
    short: {
      lines: 15,
      firstTs: '2025-09-16T08:02:11.204Z',
      tools: ['Bash', 'Glob'],
      errors: [true, true],
      events: 7,
      bash: { id: 'toolu_01EXsg1vRieGNCtabI9qWJgn', callTs: '2025-09-16T08:02:19.869Z', resultTs: '2025-09-16T08:02:21.222Z' },
      stop: {
        timestamp: '2025-09-16T08:02:20.416Z',
        data: { model: 'claude-opus-4-6', usage: { input_tokens: 4, output_tokens: 17, cache_creation_input_tokens: 9210, cache_read_input_tokens: 12044 } },
      },
      prompts: ['the dev server exits right after it starts'],
      promptUuid: '21258a62-2521-4f40-ad6f-466422a3df70',
    },
    toolHeavy: {
      tools: 7,
      prompts: [
        'run the migrations in the background',
        '<command-name>/mcp</command-name>\n            <command-message>mcp</command-message>\n            <co',
        'the chart still flickers when I resize the window (maybe the ResizeObserver fires twice?) search for',
      ],
    },
    subagent: {
      mainTools: 12,
      agentId: '871bbf6',
      agentTools: 4,
      prompts: 2,
      lastPrompt: 'go ahead and open the tasks',
      grown: { messageId: 'msg_01D5w3LjkIBgefdMv7pHh2yk', outputTokens: 412 },
    },
  },
);

/** The samples' transcripts (marot/spotter's test fixtures), as their PROVENANCE.md describes them. */
export const SAMPLE_TRANSCRIPTS = transcriptSource(
  'the real Claude Code samples',
  join(SAMPLES_DIR, 'marot-spotter', 'test', 'fixtures', 'transcripts'),
  {
    short: '55604662-cf2a-4331-851a-ec234028f8ca',
    toolHeavy: 'd6e0bada-1959-4eec-a9d2-0bfade768d8f',
    subagent: '491e126e-1e71-469c-ade2-fcc8af567c74',
    compact: '4d5611e5-241a-462a-8d15-5122611a9569',
  },
  'acompact-e1f845',
  {
    stats: { lines: 155, malformedLines: 0, unknownTypeLines: 0, unusableLines: 0 },
    short: {
      lines: 15,
      firstTs: '2026-02-10T21:11:52.438Z',
      tools: ['Bash', 'Glob'],
      errors: [true, true],
      events: 7,
      bash: { id: 'toolu_0116Hyi5v8ut7Ffb7d8qV1Sc', callTs: '2026-02-10T21:12:01.117Z', resultTs: '2026-02-10T21:12:02.480Z' },
      stop: {
        timestamp: '2026-02-10T21:12:01.669Z',
        data: { model: 'claude-opus-4-6', usage: { input_tokens: 3, output_tokens: 13, cache_creation_input_tokens: 13835, cache_read_input_tokens: 11515 } },
      },
      prompts: ['mix phx.server doesnt seem to start'],
      promptUuid: '7d48cbd2-6615-4dd8-87f6-38f12b8167d6',
    },
    toolHeavy: {
      tools: 6,
      prompts: [
        'start phoenix in background',
        '<command-name>/mcp</command-name>\n            <command-message>mcp</command-message>\n            <co',
        'scrolling back in xterm.js still does not work (maybe because outer web catches it)? websearch xterm',
      ],
    },
    subagent: {
      mainTools: 16,
      agentId: 'afb92ff',
      agentTools: 9,
      prompts: 2,
      lastPrompt: 'create the beads',
      grown: { messageId: 'msg_0179FgGtJzf3MkRAWS4a4tbE', outputTokens: 472 },
    },
  },
);

type Json = Record<string, any>;

/** Each line of a JSONL file, parsed. */
export function jsonLines(path: string): Json[] {
  return readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Json);
}

/** What the test itself reads from a set of transcripts, per session, independently of src/. */
export interface Computed {
  firstTs: string;
  /** tool_use id → tool name, from main-thread messages and from subagents (progress lines, subagent files). */
  toolUses: Map<string, string>;
  /** tool_use ids called by a subagent. */
  subagentToolUses: Set<string>;
  /** tool_use id → is_error of its result. */
  toolResults: Map<string, boolean>;
  /** message.id → largest token counts seen across its lines. */
  responses: Map<string, Record<string, number>>;
}

const TOKENS = ['input_tokens', 'output_tokens', 'cache_creation_input_tokens', 'cache_read_input_tokens'];

export function computeFromTranscripts(paths: readonly string[]): Map<string, Computed> {
  const out = new Map<string, Computed>();
  for (const path of paths) {
    const fromPath = basename(dirname(path)) === 'subagents' ? basename(dirname(dirname(path))) : basename(path, '.jsonl');
    for (const line of jsonLines(path)) {
      const sessionId: string = line['sessionId'] ?? fromPath;
      if (typeof line['timestamp'] !== 'string') continue;
      let c = out.get(sessionId);
      if (!c) {
        c = { firstTs: line['timestamp'], toolUses: new Map(), subagentToolUses: new Set(), toolResults: new Map(), responses: new Map() };
        out.set(sessionId, c);
      }
      if (Date.parse(line['timestamp']) < Date.parse(c.firstTs)) c.firstTs = line['timestamp'];
      const messages: [Json, boolean][] = [];
      if (line['message'] && typeof line['message'] === 'object') messages.push([line['message'], line['isSidechain'] === true]);
      const nested = line['data']?.['message']?.['message'];
      if (line['type'] === 'progress' && nested && typeof nested === 'object') messages.push([nested, true]);
      for (const [m, bySubagent] of messages) {
        const content = Array.isArray(m['content']) ? m['content'] : [];
        for (const b of content) {
          if (b?.type === 'tool_use') {
            c.toolUses.set(b.id, b.name);
            if (bySubagent) c.subagentToolUses.add(b.id);
          }
          if (b?.type === 'tool_result') c.toolResults.set(b.tool_use_id, (c.toolResults.get(b.tool_use_id) ?? false) || b.is_error === true);
        }
        if (m['role'] === 'assistant' && typeof m['id'] === 'string' && m['model'] !== '<synthetic>') {
          const seen = c.responses.get(m['id']) ?? {};
          for (const k of TOKENS) if (typeof m['usage']?.[k] === 'number') seen[k] = Math.max(seen[k] ?? 0, m['usage'][k]);
          c.responses.set(m['id'], seen);
        }
      }
    }
  }
  return out;
}

export type { CliResult };

/** `node bin/trenchcoat.js ...args` in the repository, with pipes (so stderr is not a terminal). */
export function runTrenchcoat(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return runCli(args, { cwd: REPO_ROOT, env });
}
