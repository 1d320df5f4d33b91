import { readdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { normalizeSessionId } from '../ingest/session-id.js';

/** Where Claude Code keeps its transcripts. */
export function defaultTranscriptRoot(): string {
  return join(homedir(), '.claude', 'projects');
}

export class MissingPathError extends Error {
  override name = 'MissingPathError';
}

async function statOrNull(path: string) {
  try {
    return await stat(path);
  } catch {
    return null;
  }
}

async function jsonlUnder(folder: string, found: string[]): Promise<void> {
  const entries = await readdir(folder, { withFileTypes: true });
  for (const entry of entries) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) await jsonlUnder(path, found);
    else if (entry.name.endsWith('.jsonl') && (entry.isFile() || (entry.isSymbolicLink() && (await statOrNull(path))?.isFile()))) {
      found.push(path);
    }
  }
}

/**
 * The transcript files named by `paths`: files as given, folders searched recursively for
 * `*.jsonl` (symbolic links to folders are not followed). Every path must exist: a missing one
 * is a MissingPathError before anything is read. Sorted, each file once.
 */
export async function findTranscripts(paths: readonly string[]): Promise<string[]> {
  const kinds: { path: string; folder: boolean }[] = [];
  for (const given of paths) {
    const path = resolve(given);
    const info = await statOrNull(path);
    if (info === null) throw new MissingPathError(`No such file or folder: ${given}`);
    kinds.push({ path, folder: info.isDirectory() });
  }
  const found: string[] = [];
  for (const { path, folder } of kinds) {
    if (folder) await jsonlUnder(path, found);
    else found.push(path);
  }
  return [...new Set(found)].sort();
}

/**
 * The session a transcript's path names: `<id>.jsonl`, or `<id>/subagents/<agent>.jsonl` for a
 * subagent's transcript (which belongs to its parent session). Null when the path names none.
 */
export function sessionIdFromPath(path: string): string | null {
  const own = normalizeSessionId(basename(path).replace(/\.jsonl$/, ''));
  if (own !== null) return own;
  const folder = dirname(path);
  return basename(folder) === 'subagents' ? normalizeSessionId(basename(dirname(folder))) : null;
}
