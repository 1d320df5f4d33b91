import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Kysely } from 'kysely';
import type { Principal } from '../auth/principal.js';
import type { Tables } from '../db/tables.js';
import { normalizeSessionId } from '../ingest/session-id.js';
import { ingestEvents, MAX_BATCH_SIZE } from '../use-cases/ingest-events.js';
import { runGuarded } from '../use-cases/use-case.js';
import { storeUsage } from '../usage/store-usage.js';
import { createUseCaseContext, type UseCaseServices } from '../use-cases/use-case-context.js';
import { sessionIdFromPath } from './find-transcripts.js';
import { skippedLines, TranscriptReader, type RawEvent } from './transcript-events.js';
import { TranscriptUsageReader } from './transcript-usage.js';

export interface ImportSummary {
  files: number;
  sessions: number;
  /** Events read from the transcripts and sent to ingestion. */
  events: number;
  /** Valid events, including those already stored (`accepted` of POST /api/v1/events). */
  accepted: number;
  /** Events already stored (an earlier import, or a repeat within these files). */
  duplicates: number;
  rejected: number;
  skipped_lines: number;
  /** Model requests read from the transcripts' usage (each once, however often its lines repeat it) and stored. */
  model_requests: number;
}

export interface ImportProgress {
  filesDone: number;
  filesTotal: number;
  events: number;
}

export interface ImportOptions {
  /** The same services HTTP ingestion uses: live changes, rate limit and metrics as the caller has them. */
  services: UseCaseServices;
  /** The account's principal: `write:events` is all the import needs. */
  principal: Principal;
  files: readonly string[];
  previewChars: number;
  onProgress?: (progress: ImportProgress) => void;
}

/** The principal a local command (import, seed, demo) writes as: the account, `write:events` only, no key, no rate limit. */
export function importPrincipal(accountId: number, accountSlug: string): Principal {
  return {
    keyId: 'cli-import',
    keyPrefix: 'cli-import',
    accountId,
    accountSlug,
    scopes: new Set(['write:events']),
    tier: 'unlimited',
  };
}

/**
 * Files of one session are read together (`<id>.jsonl` with `<id>/subagents/*.jsonl`), so a tool
 * call seen in two of them counts once and a result learns its call's tool name.
 */
function groupBySession(files: readonly string[]): { sessionId: string | null; files: string[] }[] {
  const groups = new Map<string, { sessionId: string | null; files: string[] }>();
  for (const file of files) {
    const sessionId = sessionIdFromPath(file);
    const key = sessionId ?? `file:${file}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { sessionId, files: [] }));
    group.files.push(file);
  }
  return [...groups.values()];
}

const LOOKUP_CHUNK = 500;

/**
 * The tool events among `events` whose call (session, type, tool_use_id) is already stored under
 * another event id — recorded live by the hooks endpoint. Tool calls are identified by their
 * tool_use id wherever they come from, so importing a session that hooks recorded does not count
 * its calls twice.
 */
async function recordedByHooks(db: Kysely<Tables>, accountId: number, events: readonly RawEvent[]): Promise<RawEvent[]> {
  const tools = events.filter((e) => (e.event_type === 'tool_use' || e.event_type === 'tool_result') && typeof e.data['tool_use_id'] === 'string');
  if (tools.length === 0) return [];
  const stored = new Set<string>();
  const bySession = new Map<string, string[]>();
  for (const e of tools) {
    const ids = bySession.get(e.session_id) ?? [];
    ids.push(e.data['tool_use_id'] as string);
    bySession.set(e.session_id, ids);
  }
  for (const [sessionId, ids] of bySession) {
    const unique = [...new Set(ids)];
    for (let i = 0; i < unique.length; i += LOOKUP_CHUNK) {
      const rows = await db
        .selectFrom('events')
        .select(['event_type', 'tool_use_id', 'event_id'])
        .where('account_id', '=', accountId)
        .where('session_id', '=', sessionId)
        .where('tool_use_id', 'in', unique.slice(i, i + LOOKUP_CHUNK))
        .where('event_type', 'in', ['tool_use', 'tool_result'])
        .execute();
      for (const r of rows) {
        if (r.event_id === null || !r.event_id.startsWith('import:')) stored.add(`${sessionId}\u0000${r.event_type}\u0000${r.tool_use_id}`);
      }
    }
  }
  return tools.filter((e) => stored.has(`${e.session_id}\u0000${e.event_type}\u0000${e.data['tool_use_id'] as string}`));
}

/**
 * Backfills sessions from Claude Code transcripts through the same `ingestEvents` use case as
 * `POST /api/v1/events`, in batches of at most 1,000, and stores the tokens of each model request
 * (TranscriptUsageReader, as ccusage counts them) once every file is read. Event ids and request
 * keys come from the transcripts, so importing the same files again stores nothing new.
 */
export async function importTranscripts(options: ImportOptions): Promise<ImportSummary> {
  const ctx = createUseCaseContext(options.services, options.principal);
  const summary: ImportSummary = {
    files: options.files.length, sessions: 0, events: 0, accepted: 0, duplicates: 0, rejected: 0, skipped_lines: 0, model_requests: 0,
  };
  // One usage reader for the whole import: a request copied into another session's file counts once, as in ccusage.
  const usage = new TranscriptUsageReader();
  const sessions = new Set<string>();
  let filesDone = 0;

  async function send(events: RawEvent[]): Promise<void> {
    for (let i = 0; i < events.length; i += MAX_BATCH_SIZE) {
      const batch = events.slice(i, i + MAX_BATCH_SIZE);
      const result = await runGuarded(ingestEvents, ctx, () => ({ events: batch }));
      summary.accepted += result.accepted;
      summary.duplicates += result.duplicates;
      summary.rejected += result.rejected;
    }
  }

  for (const group of groupBySession(options.files)) {
    const reader = new TranscriptReader(options.previewChars);
    for (const file of group.files) {
      const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
      for await (const line of lines) usage.addText(line, file, reader.addLine(line, group.sessionId));
      filesDone += 1;
      options.onProgress?.({ filesDone, filesTotal: options.files.length, events: summary.events });
    }
    summary.skipped_lines += skippedLines(reader.stats);
    const events = reader.takeEvents();
    for (const e of events) if (normalizeSessionId(e.session_id) !== null) sessions.add(e.session_id);
    summary.events += events.length;
    const recorded = await recordedByHooks(options.services.db, options.principal.accountId, events);
    // A tool call that hooks already recorded is that call: stored, so counted as a duplicate.
    summary.accepted += recorded.length;
    summary.duplicates += recorded.length;
    const skip = new Set(recorded);
    await send(events.filter((e) => !skip.has(e)));
    options.onProgress?.({ filesDone, filesTotal: options.files.length, events: summary.events });
  }
  const modelRequests = usage.takeRequests();
  await storeUsage(options.services.db, options.principal.accountId, { modelRequests, errors: [], metricPoints: [] });
  summary.model_requests = modelRequests.length;
  summary.sessions = sessions.size;
  return summary;
}
