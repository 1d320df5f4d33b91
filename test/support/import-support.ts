import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { REPO_ROOT, SAMPLES } from './hooks-support.js';

/** The transcripts PROVENANCE.md lists (marot/spotter's fixtures). */
export const TRANSCRIPTS = join(SAMPLES, 'marot-spotter', 'test', 'fixtures', 'transcripts');
export const SHORT = join(TRANSCRIPTS, 'short.jsonl');
export const TOOL_HEAVY = join(TRANSCRIPTS, 'tool_heavy.jsonl');
export const SUBAGENT = join(TRANSCRIPTS, 'subagent.jsonl');
export const COMPACT = join(TRANSCRIPTS, '4d5611e5-241a-462a-8d15-5122611a9569', 'subagents', 'agent-acompact-e1f845.jsonl');
export const ALL_TRANSCRIPTS = [COMPACT, SHORT, SUBAGENT, TOOL_HEAVY];

export const SESSION_OF: Record<string, string> = {
  [SHORT]: '55604662-cf2a-4331-851a-ec234028f8ca',
  [TOOL_HEAVY]: 'd6e0bada-1959-4eec-a9d2-0bfade768d8f',
  [SUBAGENT]: '491e126e-1e71-469c-ade2-fcc8af567c74',
  [COMPACT]: '4d5611e5-241a-462a-8d15-5122611a9569',
};

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

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `node bin/trenchcoat.js ...args`, with pipes (so stderr is not a terminal). */
export function runTrenchcoat(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const base = { ...process.env };
    for (const name of ['DATABASE_URL', 'TRENCHCOAT_HOOK_PREVIEW_CHARS']) delete base[name];
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'trenchcoat.js'), ...args], {
      cwd: REPO_ROOT, env: { ...base, LOG_LEVEL: 'silent', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`trenchcoat ${args.join(' ')} timed out; stderr: ${stderr}`));
    }, 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
