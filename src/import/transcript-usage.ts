// The tokens of each model request in Claude Code transcripts, read as ccusage 20 reads them (its line filter, its
// dedupe, its session from the file's path), so per-session sums equal `ccusage claude session`.
import { createHash } from 'node:crypto';
import { basename, dirname, sep } from 'node:path';
import { normalizeSessionId } from '../ingest/session-id.js';
import { parseDateTime } from '../time/iso-time.js';
import type { ModelRequest } from '../usage/model-request.js';
import { sessionIdFromPath } from './find-transcripts.js';
import { byCodeUnit } from '../by-code-unit.js';

export interface TranscriptUsageStats {
  /** Lines given (parsed or not). */
  lines: number;
  /** Lines with a `message.usage` that ccusage's filter accepts. */
  usageLines: number;
  /** Lines with a `message.usage` that the filter refuses (a null field, a bad timestamp or version…). */
  refusedLines: number;
  /** Accepted lines whose session could not be told (neither the path nor the line names a UUID). */
  sessionlessLines: number;
  /** Accepted lines whose own `sessionId` is not the session their path names (they count for the path's). */
  sessionMismatchLines: number;
}

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Fields ccusage refuses a line for when any of them, anywhere in the line, is `null`. */
const NOT_NULL = new Set([
  'id', 'cwd', 'model', 'speed', 'costUSD', 'version', 'sessionId', 'requestId', 'isApiErrorMessage',
  'cache_read_input_tokens', 'cache_creation_input_tokens',
]);

function hasRefusedNull(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasRefusedNull);
  if (!isRecord(value)) return false;
  for (const [key, inner] of Object.entries(value)) {
    if (inner === null && NOT_NULL.has(key)) return true;
    if (inner !== null && typeof inner === 'object' && hasRefusedNull(inner)) return true;
  }
  return false;
}

/** ccusage takes whole seconds or exactly milliseconds, then `Z` or `±HH:MM`. */
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{3})?(?:Z|[+-]\d{2}:\d{2})$/;
const SEMVER_PREFIX = /^\d+\.\d+\.\d/;

const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;

/** A string field that may be absent; `false` when it is present but not a string. */
function optionalString(value: unknown): string | undefined | false {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : false;
}

/** One accepted usage line. */
interface Entry {
  sessionId: string;
  path: string;
  messageId: string | null;
  requestId: string | null;
  sidechain: boolean;
  model: string;
  ts: number;
  input: number;
  output: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
  cacheRead: number;
  /** `usage.speed` was given (ccusage prefers such a copy among equal totals). */
  hasSpeed: boolean;
  fast: boolean;
  costUsd: number | null;
  /** For lines without `message.id`, which are never deduplicated: a hash of the line. */
  lineHash: string | null;
}

const total = (e: Entry) => e.input + e.output + e.cacheWrite5m + e.cacheWrite1h + e.cacheRead;

/**
 * Which copy of a request ccusage keeps: a main-thread copy over a sidechain one, then the largest token total (Claude
 * Code writes a line per content block and the output count grows), then one that states its speed. Beyond that
 * ccusage keeps the first it read, in path order; the remaining ties are broken on the content, so the choice does
 * not depend on the order the lines arrive in.
 */
function better(a: Entry, b: Entry): Entry {
  if (a.sidechain !== b.sidechain) return a.sidechain ? b : a;
  if (total(a) !== total(b)) return total(a) > total(b) ? a : b;
  if (a.hasSpeed !== b.hasSpeed) return a.hasSpeed ? a : b;
  if (a.path !== b.path) return a.path < b.path ? a : b;
  const order: (keyof Entry)[] = ['output', 'input', 'cacheWrite1h', 'cacheWrite5m', 'cacheRead', 'ts', 'model', 'sessionId'];
  for (const field of order) {
    if (a[field] !== b[field]) return (a[field] as number | string) > (b[field] as number | string) ? a : b;
  }
  return a;
}

/** The copies of one message seen with one request id, on the main thread or on a sidechain. */
interface Copies {
  best: Entry;
  /** Timestamps of every copy: a sidechain replay repeats the original line's. */
  times: Set<number>;
}

/**
 * The requests among the copies of one message, as ccusage 20.0.24 merges them: copies with the same request id
 * are one request; a sidechain copy with the same timestamp as another copy is that copy replayed (a `/btw` side
 * question replays the parent's message under a new request id). Of merged copies a main-thread one wins, and
 * main-thread copies with different request ids stay different requests. (ccusage merges as it reads, so in chains
 * of replays of replays its result can depend on the read order; this takes the connected copies together.)
 */
function requestsOfMessage(groups: Copies[]): Entry[] {
  const parent = groups.map((_, i) => i);
  const root = (i: number): number => (parent[i] === i ? i : (parent[i] = root(parent[i]!)));
  for (let i = 0; i < groups.length; i++) {
    for (let j = i + 1; j < groups.length; j++) {
      const a = groups[i]!.best;
      const b = groups[j]!.best;
      const sameRequest = a.requestId === b.requestId;
      const replay = (a.sidechain || b.sidechain) && [...groups[i]!.times].some((t) => groups[j]!.times.has(t));
      if (sameRequest || replay) parent[root(j)] = root(i);
    }
  }
  const components = new Map<number, Copies[]>();
  for (let i = 0; i < groups.length; i++) {
    const members = components.get(root(i)) ?? [];
    members.push(groups[i]!);
    components.set(root(i), members);
  }
  const out: Entry[] = [];
  for (const members of components.values()) {
    const main = members.filter((m) => !m.best.sidechain);
    if (main.length > 0) out.push(...main.map((m) => m.best));
    else out.push(members.map((m) => m.best).reduce(better));
  }
  return out;
}

/**
 * The session ccusage files a transcript under, from its path below `projects/`: `<project>/<id>.jsonl` is `<id>`,
 * `<project>/…/<id>/subagents/<agent>.jsonl` belongs to `<id>`, and any other file to the folder holding it. Null
 * when that is not a session id (a UUID), or the path has no `projects` folder and is not one of our own layouts.
 */
export function usageSessionIdFromPath(path: string): string | null {
  const parts = path.split(sep).filter((part) => part !== '');
  const projects = parts.indexOf('projects');
  if (projects >= 0) {
    const relative = parts.slice(projects + 1);
    const file = relative[relative.length - 1] ?? '';
    let named: string | undefined;
    if (relative.length === 2) named = file.replace(/\.jsonl$/, '');
    else if (relative.length >= 4 && relative[relative.length - 2] === 'subagents') named = relative[relative.length - 3];
    else named = relative[relative.length - 2];
    const id = normalizeSessionId(named);
    if (id !== null) return id;
  }
  const own = sessionIdFromPath(path);
  if (own !== null) return own;
  // Not under `projects/`: ccusage would name the session after the folder holding the file.
  return basename(dirname(path)) === 'subagents' ? null : normalizeSessionId(basename(dirname(path)));
}

/**
 * Reads transcript lines (any files, any order) and gives one {@link ModelRequest} per model request, as ccusage 20
 * counts them:
 * - a line counts when it has `message.usage` (with whole `input_tokens` and `output_tokens`), a valid `timestamp`,
 *   no `null` in the fields ccusage refuses, a semver-like `version` and non-empty ids and model if it has them;
 * - copies sharing `message.id` and `requestId` are one request, the copy {@link better} picks; a sidechain copy of a
 *   message with another `requestId` but the same timestamp (a `/btw` replay) is the same request
 *   ({@link requestsOfMessage}); lines without `message.id` each count;
 * - the session is the one the file's path names ({@link usageSessionIdFromPath}), else the line's `sessionId`;
 * - cache writes are split 5-minute/1-hour by `usage.cache_creation` when present (then its sum is the count), else
 *   all 5-minute.
 * Deduplication spans everything read, as ccusage's spans every file: a request copied into a resumed session's file
 * counts once. Requests of no tokens at all (`<synthetic>` messages) are left out.
 */
export class TranscriptUsageReader {
  readonly stats: TranscriptUsageStats = { lines: 0, usageLines: 0, refusedLines: 0, sessionlessLines: 0, sessionMismatchLines: 0 };
  /** Per message id, per main-thread or sidechain copy and request id: the best copy and every timestamp seen. */
  readonly #byMessage = new Map<string, Map<string, Copies>>();
  readonly #unkeyed: Entry[] = [];

  /**
   * One line as text; only lines containing `"usage":{` are read (ccusage's own prefilter). `parsed` is the line
   * already parsed by another reader, when there is one.
   */
  addText(text: string, path: string, parsed?: unknown): void {
    if (!text.includes('"usage":{')) {
      if (text.trim() !== '') this.stats.lines += 1;
      return;
    }
    let line: unknown = parsed;
    try {
      line ??= JSON.parse(text);
    } catch {
      this.stats.lines += 1;
      this.stats.refusedLines += 1;
      return;
    }
    this.addLine(line, path);
  }

  /** One parsed line of the transcript at `path`. */
  addLine(line: unknown, path: string): void {
    this.stats.lines += 1;
    if (!isRecord(line) || !isRecord(line['message']) || !isRecord(line['message']['usage'])) return;
    const entry = this.#entry(line, path);
    if (entry === null) {
      this.stats.refusedLines += 1;
      return;
    }
    if (entry === 'sessionless') {
      this.stats.sessionlessLines += 1;
      return;
    }
    this.stats.usageLines += 1;
    if (entry.messageId === null) {
      this.#unkeyed.push(entry);
      return;
    }
    let held = this.#byMessage.get(entry.messageId);
    if (!held) this.#byMessage.set(entry.messageId, (held = new Map()));
    const key = `${entry.sidechain ? 's' : 'm'}:${entry.requestId ?? ''}`;
    const copies = held.get(key);
    if (copies === undefined) held.set(key, { best: entry, times: new Set([entry.ts]) });
    else {
      copies.best = better(copies.best, entry);
      copies.times.add(entry.ts);
    }
  }

  #entry(line: Json, path: string): Entry | null | 'sessionless' {
    const message = line['message'] as Json;
    const usage = message['usage'] as Json;
    if (hasRefusedNull(line)) return null;
    const timestamp = line['timestamp'];
    if (typeof timestamp !== 'string' || !TIMESTAMP.test(timestamp)) return null;
    const parsed = parseDateTime(timestamp);
    if (!parsed.ok) return null;
    const version = optionalString(line['version']);
    const lineSession = optionalString(line['sessionId']);
    const requestId = optionalString(line['requestId']);
    const messageId = optionalString(message['id']);
    const model = optionalString(message['model']);
    if (version === false || lineSession === false || requestId === false || messageId === false || model === false) return null;
    if (version !== undefined && !SEMVER_PREFIX.test(version)) return null;
    if (lineSession === '' || requestId === '' || messageId === '' || model === '') return null;
    const cost = line['costUSD'];
    if (cost !== undefined && (typeof cost !== 'number' || !Number.isFinite(cost))) return null;
    for (const flag of ['isApiErrorMessage', 'isSidechain']) {
      if (line[flag] !== undefined && line[flag] !== null && typeof line[flag] !== 'boolean') return null;
    }

    const { input_tokens: input, output_tokens: output } = usage;
    if (!isCount(input) || !isCount(output)) return null;
    const counts: number[] = [];
    for (const field of ['cache_creation_input_tokens', 'cache_read_input_tokens']) {
      const n = usage[field] ?? 0;
      if (!isCount(n)) return null;
      counts.push(n);
    }
    const [cacheCreation, cacheRead] = counts as [number, number];
    const speed = usage['speed'];
    if (speed !== undefined && speed !== 'standard' && speed !== 'fast') return null;
    let cacheWrite5m = cacheCreation;
    let cacheWrite1h = 0;
    const split = usage['cache_creation'];
    if (split !== undefined && split !== null) {
      if (!isRecord(split)) return null;
      const five = split['ephemeral_5m_input_tokens'] ?? 0;
      const hour = split['ephemeral_1h_input_tokens'] ?? 0;
      if (!isCount(five) || !isCount(hour)) return null;
      cacheWrite5m = five;
      cacheWrite1h = hour;
    }

    const named = lineSession === undefined ? null : normalizeSessionId(lineSession);
    const fromPath = usageSessionIdFromPath(path);
    const sessionId = fromPath ?? named;
    if (sessionId === null) return 'sessionless';
    if (fromPath !== null && named !== null && named !== fromPath) this.stats.sessionMismatchLines += 1;
    return {
      sessionId,
      path,
      messageId: messageId ?? null,
      requestId: requestId ?? null,
      sidechain: line['isSidechain'] === true,
      model: model ?? '',
      ts: parsed.ms,
      input,
      output,
      cacheWrite5m,
      cacheWrite1h,
      cacheRead,
      hasSpeed: speed !== undefined,
      fast: speed === 'fast',
      costUsd: typeof cost === 'number' ? cost : null,
      lineHash: messageId === undefined ? createHash('sha256').update(JSON.stringify(line)).digest('hex').slice(0, 32) : null,
    };
  }

  /** The requests read so far, ordered by session and key; then forgets them. */
  takeRequests(): ModelRequest[] {
    const kept: { entry: Entry; key: string }[] = [];
    for (const [messageId, held] of this.#byMessage) {
      for (const entry of requestsOfMessage([...held.values()])) kept.push({ entry, key: entry.requestId ?? `message:${messageId}` });
    }
    // Identical lines without message.id each count (ccusage never merges them): the n-th copy gets its own key.
    const copies = new Map<string, number>();
    for (const entry of [...this.#unkeyed].sort((a, b) => byCodeUnit(a.lineHash!, b.lineHash!))) {
      const n = copies.get(entry.lineHash!) ?? 0;
      copies.set(entry.lineHash!, n + 1);
      kept.push({ entry, key: `line:${entry.lineHash!}${n === 0 ? '' : `:${n}`}` });
    }
    // Two messages under one requestId would share a row: the later message ids get keys of their own.
    kept.sort((a, b) => byCodeUnit(a.entry.sessionId, b.entry.sessionId) || byCodeUnit(a.key, b.key) || byCodeUnit(a.entry.messageId ?? '', b.entry.messageId ?? ''));
    const requests: ModelRequest[] = [];
    let previous: { sessionId: string; key: string } | null = null;
    for (const { entry, key } of kept) {
      const clash = previous !== null && previous.sessionId === entry.sessionId && previous.key === key;
      previous = { sessionId: entry.sessionId, key };
      if (total(entry) === 0) continue;
      requests.push({
        sessionId: entry.sessionId,
        requestKey: clash ? `${key}#message:${entry.messageId ?? ''}` : key,
        model: entry.model,
        ts: entry.ts,
        inputTokens: entry.input,
        outputTokens: entry.output,
        cacheWrite5mTokens: entry.cacheWrite5m,
        cacheWrite1hTokens: entry.cacheWrite1h,
        cacheReadTokens: entry.cacheRead,
        reportedCostNanos: entry.costUsd === null ? null : Math.round(entry.costUsd * 1e9),
        fast: entry.fast,
        source: 'transcript',
      });
    }
    this.#byMessage.clear();
    this.#unkeyed.length = 0;
    return requests;
  }
}
