import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestGateway } from './test-gateway.js';

export const HOOK_PATH = '/api/v1/hooks/claude-code';

/** The repository root, and the shared samples beside it (CI clones the repo next to `shared/`). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SAMPLES = resolve(REPO_ROOT, '..', 'shared', 'samples');

/** CONTRACT §6's table, written out here (not imported from src) so the spec pins it. */
export const CONTRACT_HOOK_MAP: Readonly<Record<string, string>> = {
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

export interface SampleLog {
  repo: string;
  file: string;
  payloads: Record<string, unknown>[];
}

/** Every hook log in the shared samples: `<repo>/logs/*.json`, each a JSON array of payloads. */
export function sampleHookLogs(): SampleLog[] {
  const logs: SampleLog[] = [];
  for (const repo of readdirSync(SAMPLES, { withFileTypes: true })) {
    if (!repo.isDirectory()) continue;
    const folder = join(SAMPLES, repo.name, 'logs');
    let files: string[];
    try {
      files = readdirSync(folder).filter((f) => f.endsWith('.json')).sort();
    } catch {
      continue;
    }
    for (const file of files) {
      const payloads = JSON.parse(readFileSync(join(folder, file), 'utf8')) as Record<string, unknown>[];
      logs.push({ repo: repo.name, file: basename(file), payloads });
    }
  }
  return logs;
}

/** Code points of a string (what CONTRACT §6 calls characters). */
export function codePoints(text: string): number {
  return [...text].length;
}
