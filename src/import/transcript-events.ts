// Claude Code transcripts (`~/.claude/projects/**/*.jsonl`) as raw events, without any I/O:
// lines go in one at a time, the events of every session seen come out.
import { firstCodePoints, preview } from '../hooks/preview.js';
import { normalizeSessionId } from '../ingest/session-id.js';
import { parseDateTime } from '../time/iso-time.js';
import { byCodeUnit } from '../by-code-unit.js';

/** An event in the shape `ingestEvents` takes (docs/api.md#ingestion). */
export interface RawEvent {
  event_type: 'session_start' | 'prompt_submit' | 'tool_use' | 'tool_result' | 'assistant_stop';
  session_id: string;
  timestamp: string;
  event_id: string;
  data: Record<string, unknown>;
}

export interface TranscriptStats {
  /** Non-blank lines read. */
  lines: number;
  /** Lines that are not a JSON object. */
  malformedLines: number;
  /** JSON objects whose `type` is not a transcript line type this reader knows. */
  unknownTypeLines: number;
  /** Known lines that cannot be used: a message without a session or a valid timestamp. */
  unusableLines: number;
}

export function skippedLines(stats: TranscriptStats): number {
  return stats.malformedLines + stats.unknownTypeLines + stats.unusableLines;
}

/** Line types Claude Code writes; only `user`, `assistant` and `progress` carry events. */
export const KNOWN_LINE_TYPES: ReadonlySet<string> = new Set([
  'user',
  'assistant',
  'progress',
  'system',
  'summary',
  'file-history-snapshot',
  'queue-operation',
  'custom-title',
]);

/**
 * Text that Claude Code writes as a user message but the user did not type: command output,
 * the caveat before it, interruption notices, reminders.
 */
const NOT_TYPED = [
  '<local-command-stdout>',
  '<local-command-stderr>',
  '<local-command-caveat>',
  '<bash-stdout>',
  '<bash-stderr>',
  '<system-reminder>',
  '[Request interrupted by user',
];

const TOKEN_FIELDS = ['input_tokens', 'output_tokens', 'cache_creation_input_tokens', 'cache_read_input_tokens'] as const;
type Usage = Partial<Record<(typeof TOKEN_FIELDS)[number], number>>;

interface ToolUse { ts: number; name: string | null; inputPreview: string | undefined; agentId: string | null }
interface ToolResult { ts: number; isError: boolean; outputPreview: string | undefined; agentId: string | null }
interface Response {
  lastTs: number;
  model: string | null;
  stopReason: string | null;
  agentId: string | null;
  /** Usage by `requestId`: the lines of one response repeat it, growing; the largest count is kept. */
  usageByRequest: Map<string, Usage>;
}

interface SessionState {
  firstTs: number | null;
  prompts: Map<string, { ts: number; preview: string | undefined }>;
  toolUses: Map<string, ToolUse>;
  toolResults: Map<string, ToolResult>;
  responses: Map<string, Response>;
}

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function timeOf(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const parsed = parseDateTime(value);
  return parsed.ok ? parsed.ms : null;
}

/** The text of a message's content: a string, or its text blocks joined. Null when it has none. */
function contentText(content: unknown): string | null {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return null;
  const texts = content.filter((b) => isRecord(b) && b['type'] === 'text' && typeof b['text'] === 'string').map((b) => (b as Json)['text'] as string);
  return texts.length > 0 ? texts.join('\n') : null;
}

function blocks(content: unknown): Json[] {
  return Array.isArray(content) ? content.filter(isRecord) : [];
}

/** A user line the user typed (a prompt or a slash command), not a tool result or generated text. */
function typedPrompt(line: Json, message: Json): string | null {
  if (line['isMeta'] === true || line['isSidechain'] === true || line['isCompactSummary'] === true) return null;
  if (line['isVisibleInTranscriptOnly'] === true) return null;
  const content = message['content'];
  if (blocks(content).some((b) => b['type'] === 'tool_result')) return null;
  const text = contentText(content);
  const hasImage = blocks(content).some((b) => b['type'] === 'image');
  if (text === null) return hasImage ? '' : null;
  const start = text.trimStart();
  if (NOT_TYPED.some((marker) => start.startsWith(marker))) return null;
  if (start === '' && !hasImage) return null;
  return text;
}

function earlier(a: number | null, b: number): number {
  return a === null || b < a ? b : a;
}

function usageOf(message: Json): Usage {
  const usage = message['usage'];
  const kept: Usage = {};
  if (!isRecord(usage)) return kept;
  for (const field of TOKEN_FIELDS) {
    const n = usage[field];
    if (typeof n === 'number' && Number.isFinite(n) && n >= 0) kept[field] = n;
  }
  return kept;
}

function mergeUsage(into: Usage, from: Usage): void {
  for (const field of TOKEN_FIELDS) {
    const n = from[field];
    if (n !== undefined && (into[field] === undefined || n > into[field]!)) into[field] = n;
  }
}

/** A tool_result's output as text: its text blocks when it has them, else the value itself. */
function resultOutput(content: unknown): unknown {
  return Array.isArray(content) ? (contentText(content) ?? content) : content;
}

/**
 * Reads transcript lines (from any number of files, in any order) and yields, per session:
 * `session_start` at its earliest timestamped line, `prompt_submit` per typed user prompt,
 * `tool_use` per tool_use block, `tool_result` per tool_result block, `assistant_stop` per
 * distinct assistant response (with its token usage). Tool calls count once per tool_use id,
 * wherever they appear: a subagent's calls (in `progress` lines or `subagents/*.jsonl`) count
 * toward the parent session, as hooks count them. Event ids are derived from the transcript, so
 * reading the same lines again yields the same events.
 */
export class TranscriptReader {
  readonly #previewChars: number;
  readonly #sessions = new Map<string, SessionState>();
  readonly stats: TranscriptStats = { lines: 0, malformedLines: 0, unknownTypeLines: 0, unusableLines: 0 };

  constructor(previewChars: number) {
    this.#previewChars = previewChars;
  }

  #session(id: string): SessionState {
    let s = this.#sessions.get(id);
    if (!s) {
      s = { firstTs: null, prompts: new Map(), toolUses: new Map(), toolResults: new Map(), responses: new Map() };
      this.#sessions.set(id, s);
    }
    return s;
  }

  /**
   * One line of a transcript. `fileSessionId` is the session the file's path names
   * (`<id>.jsonl`, `<id>/subagents/…`), used for lines that do not say. Returns the line as parsed (undefined when
   * blank or not JSON), so another reader of the same line need not parse it again.
   */
  addLine(text: string, fileSessionId: string | null = null): unknown {
    const trimmed = text.trim();
    if (trimmed === '') return undefined;
    this.stats.lines += 1;
    let line: unknown;
    try {
      line = JSON.parse(trimmed);
    } catch {
      this.stats.malformedLines += 1;
      return undefined;
    }
    this.#addParsed(line, fileSessionId);
    return line;
  }

  #addParsed(line: unknown, fileSessionId: string | null): void {
    if (!isRecord(line)) {
      this.stats.malformedLines += 1;
      return;
    }
    const type = line['type'];
    if (typeof type !== 'string' || !KNOWN_LINE_TYPES.has(type)) {
      this.stats.unknownTypeLines += 1;
      return;
    }
    const named = str(line['sessionId']) ?? fileSessionId;
    const sessionId = named === null ? null : (normalizeSessionId(named) ?? named);
    const ts = timeOf(line['timestamp']);
    const carriesEvents = type === 'user' || type === 'assistant';
    if (sessionId === null || (ts === null && carriesEvents)) {
      // A message that cannot be placed in a session or in time is of no use; other lines
      // without them (snapshots, summaries) are simply not events.
      if (carriesEvents) this.stats.unusableLines += 1;
      return;
    }
    if (ts === null) return;
    const session = this.#session(sessionId);
    session.firstTs = earlier(session.firstTs, ts);
    const agentId = str(line['agentId']);
    if (type === 'user' || type === 'assistant') {
      this.#message(session, line, ts, line['isSidechain'] === true || agentId !== null, agentId);
    } else if (type === 'progress' && isRecord(line['data'])) {
      // A subagent's messages, relayed to the parent's transcript while it runs.
      const data = line['data'];
      const nested = data['message'];
      if (isRecord(nested) && isRecord(nested['message'])) {
        this.#message(session, nested, timeOf(nested['timestamp']) ?? ts, true, str(data['agentId']));
      }
    }
  }

  #message(session: SessionState, line: Json, ts: number, sidechain: boolean, agentId: string | null): void {
    const message = line['message'];
    if (!isRecord(message)) return;
    const role = message['role'] ?? line['type'];
    if (role === 'user') {
      for (const block of blocks(message['content'])) {
        if (block['type'] !== 'tool_result') continue;
        const id = str(block['tool_use_id']);
        if (id === null) continue;
        const seen = session.toolResults.get(id);
        const isError = block['is_error'] === true;
        if (seen) {
          seen.ts = Math.min(seen.ts, ts);
          seen.isError ||= isError;
        } else {
          session.toolResults.set(id, {
            ts, isError, agentId, outputPreview: preview(resultOutput(block['content']), this.#previewChars),
          });
        }
      }
      if (!sidechain) {
        const prompt = typedPrompt(line, message);
        const uuid = str(line['uuid']);
        if (prompt !== null && uuid !== null && !session.prompts.has(uuid)) {
          session.prompts.set(uuid, { ts, preview: preview(prompt, this.#previewChars) });
        }
      }
    } else if (role === 'assistant') {
      for (const block of blocks(message['content'])) {
        if (block['type'] !== 'tool_use') continue;
        const id = str(block['id']);
        if (id === null) continue;
        const seen = session.toolUses.get(id);
        if (seen) seen.ts = Math.min(seen.ts, ts);
        else {
          session.toolUses.set(id, {
            ts, agentId, name: str(block['name']), inputPreview: preview(block['input'], this.#previewChars),
          });
        }
      }
      const model = str(message['model']);
      // Messages Claude Code writes itself (errors, "No response requested.") are not responses.
      if (model === '<synthetic>') return;
      const key = str(message['id']) ?? (str(line['uuid']) === null ? null : `line-${line['uuid'] as string}`);
      if (key === null) return;
      let response = session.responses.get(key);
      if (!response) {
        response = { lastTs: ts, model, stopReason: null, agentId, usageByRequest: new Map() };
        session.responses.set(key, response);
      }
      response.lastTs = Math.max(response.lastTs, ts);
      response.model ??= model;
      response.stopReason = str(message['stop_reason']) ?? response.stopReason;
      const requestId = str(line['requestId']) ?? '';
      const usage = response.usageByRequest.get(requestId) ?? {};
      mergeUsage(usage, usageOf(message));
      response.usageByRequest.set(requestId, usage);
    }
  }

  /** Sessions seen so far (with at least one timestamped line). */
  get sessionIds(): string[] {
    return [...this.#sessions.entries()].filter(([, s]) => s.firstTs !== null).map(([id]) => id);
  }

  /** The events of every session read so far, oldest first per session; then forgets them. */
  takeEvents(): RawEvent[] {
    const events: RawEvent[] = [];
    for (const [sessionId, s] of this.#sessions) {
      if (s.firstTs === null) continue;
      const session_id = sessionId;
      const own: RawEvent[] = [];
      const push = (event_type: RawEvent['event_type'], ts: number, event_id: string, data: Json) => {
        own.push({ event_type, session_id, timestamp: new Date(ts).toISOString(), event_id, data });
      };
      push('session_start', s.firstTs, `import:start:${session_id}`, { source: 'import' });
      for (const [uuid, p] of s.prompts) {
        push('prompt_submit', p.ts, `import:prompt:${uuid}`, p.preview === undefined ? {} : { prompt_preview: p.preview });
      }
      for (const [id, use] of s.toolUses) {
        const data: Json = { tool_use_id: id };
        if (use.name !== null) data['tool_name'] = firstCodePoints(use.name, 200);
        if (use.inputPreview !== undefined) data['tool_input_preview'] = use.inputPreview;
        if (use.agentId !== null) data['agent_id'] = use.agentId;
        push('tool_use', use.ts, `import:tool_use:${id}`, data);
      }
      for (const [id, result] of s.toolResults) {
        const use = s.toolUses.get(id);
        const data: Json = { tool_use_id: id, is_error: result.isError };
        if (use?.name) data['tool_name'] = firstCodePoints(use.name, 200);
        if (use && result.ts >= use.ts) data['duration_ms'] = result.ts - use.ts;
        if (result.outputPreview !== undefined) data['tool_output_preview'] = result.outputPreview;
        const agentId = result.agentId ?? use?.agentId ?? null;
        if (agentId !== null) data['agent_id'] = agentId;
        push('tool_result', result.ts, `import:tool_result:${id}`, data);
      }
      for (const [key, r] of s.responses) {
        const usage: Usage = {};
        for (const perRequest of r.usageByRequest.values()) {
          for (const field of TOKEN_FIELDS) {
            const n = perRequest[field];
            if (n !== undefined) usage[field] = (usage[field] ?? 0) + n;
          }
        }
        const data: Json = {};
        if (r.model !== null) data['model'] = r.model;
        if (r.stopReason !== null) data['stop_reason'] = r.stopReason;
        if (Object.keys(usage).length > 0) data['usage'] = usage;
        if (r.agentId !== null) data['agent_id'] = r.agentId;
        push('assistant_stop', r.lastTs, `import:stop:${key}`, data);
      }
      own.sort((a, b) => byCodeUnit(a.timestamp, b.timestamp));
      events.push(...own);
    }
    this.#sessions.clear();
    return events;
  }
}

/** All events of some transcripts given as whole texts (tests and small inputs). */
export function transcriptEvents(
  files: readonly { text: string; sessionId?: string | null }[],
  previewChars: number,
): { events: RawEvent[]; stats: TranscriptStats; sessions: string[] } {
  const reader = new TranscriptReader(previewChars);
  for (const file of files) for (const line of file.text.split('\n')) reader.addLine(line, file.sessionId ?? null);
  const sessions = reader.sessionIds;
  return { events: reader.takeEvents(), stats: reader.stats, sessions };
}
