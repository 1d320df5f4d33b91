import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { available } from './requirements.js';
import type { TestGateway } from './test-gateway.js';

export const HOOK_PATH = '/api/v1/hooks/claude-code';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The project's own Claude Code files (hook payloads, transcripts): see its README.md. */
export const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'claude-code');

/**
 * The real Claude Code samples (opt-in: TRENCHCOAT_SAMPLES_DIR; their specs are skipped without it). Without
 * them this names a folder that does not exist and is never read.
 */
export const SAMPLES_DIR = resolve(available('samples') ?? join(REPO_ROOT, 'TRENCHCOAT_SAMPLES_DIR-unset'));

/** The hook event → event type table (docs/api.md#claude-code-hooks), written out here (not imported from src) so the spec pins it. */
export const HOOK_EVENT_TABLE: Readonly<Record<string, string>> = {
  SessionStart: 'session_start',
  SessionEnd: 'session_end',
  PreToolUse: 'tool_use',
  PostToolUse: 'tool_result',
  PostToolUseFailure: 'tool_result',
  Stop: 'assistant_stop',
  SubagentStart: 'subagent_start',
  SubagentStop: 'subagent_stop',
  UserPromptSubmit: 'prompt_submit',
  PreCompact: 'pre_compact',
  Notification: 'notification',
};

export interface StoredRow {
  session_id: string;
  event_type: string;
  ts: number;
  event_id: string | null;
  tool_use_id: string | null;
  data: Record<string, unknown>;
  /** The stored `data` column as it is. */
  raw: string;
}

/** POST a hook payload (an object, or a raw string body) and return status and parsed body. */
export async function postHook(t: TestGateway, key: string | null, payload: unknown): Promise<{ status: number; body: any; headers: Headers }> {
  const response = await t.post(HOOK_PATH, payload, key);
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // left as text
  }
  return { status: response.status, body, headers: response.headers };
}

/** Every stored event of an account, read straight from the events table. */
export async function storedRows(t: TestGateway, account: string): Promise<StoredRow[]> {
  const db = t.gateway.database.db;
  const rows = await db
    .selectFrom('events')
    .innerJoin('accounts', 'accounts.id', 'events.account_id')
    .select(['events.session_id', 'events.event_type', 'events.ts', 'events.event_id', 'events.tool_use_id', 'events.data'])
    .where('accounts.slug', '=', account)
    .orderBy('events.id')
    .execute();
  return rows.map((r) => ({
    session_id: r.session_id,
    event_type: r.event_type,
    ts: Number(r.ts),
    event_id: r.event_id,
    tool_use_id: r.tool_use_id,
    data: JSON.parse(r.data) as Record<string, unknown>,
    raw: r.data,
  }));
}

/** Every column of every stored event and session row, as one text (to prove something is absent). */
export async function everythingStored(t: TestGateway): Promise<string> {
  const db = t.gateway.database.db;
  const events = await db.selectFrom('events').selectAll().execute();
  const sessions = await db.selectFrom('sessions').selectAll().execute();
  return JSON.stringify([events, sessions]);
}

export interface HookLog {
  /** The folder the log is in: a fixture group, or a sample repository. */
  group: string;
  file: string;
  payloads: Record<string, unknown>[];
}

/** A set of hook logs, with what its README (or PROVENANCE.md) says it holds. */
export interface HookSource {
  name: string;
  groups: readonly string[];
  payloadCount: number;
  /** The logs, read on first call (so a skipped source reads nothing). */
  logs: () => HookLog[];
}

/** `<root>/<group>/<inner>/*.json`, each a JSON array of hook payloads; groups and files in name order. */
function readHookLogs(root: string, inner: string): HookLog[] {
  const logs: HookLog[] = [];
  const groups = readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  for (const group of groups) {
    const folder = join(root, group, inner);
    let files: string[];
    try {
      files = readdirSync(folder).filter((f) => f.endsWith('.json')).sort();
    } catch {
      continue;
    }
    for (const file of files) {
      const payloads = JSON.parse(readFileSync(join(folder, file), 'utf8')) as Record<string, unknown>[];
      logs.push({ group, file, payloads });
    }
  }
  return logs;
}

function once<T>(read: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= read());
}

/** test/fixtures/claude-code/hooks/<group>/*.json, as its README lists them. */
export const FIXTURE_HOOKS: HookSource = {
  name: 'the project fixtures',
  groups: ['http-deliveries', 'old-format', 'per-event-logger', 'subagents'],
  // README.md: 36 + 28 + 85 + 44.
  payloadCount: 193,
  logs: once(() => readHookLogs(join(FIXTURES, 'hooks'), '')),
};

/** The samples' `<owner>-<repo>/logs/*.json`, as their PROVENANCE.md lists them. */
export const SAMPLE_HOOKS: HookSource = {
  name: 'the real Claude Code samples',
  groups: ['CursorTouch-Operator-Use', 'ranaroussi-quantstats', 'rickithadi-jekyll-netlify-boilerplate'],
  // PROVENANCE.md: 7+20+16+18+3+234, 1+26+33+51, 20+14.
  payloadCount: 298 + 111 + 34,
  logs: once(() => readHookLogs(SAMPLES_DIR, 'logs')),
};

/** Code points of a string (what previews count as characters). */
export function codePoints(text: string): number {
  return [...text].length;
}
