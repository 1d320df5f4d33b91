// The attack's own answers in one cell: `200 ×3 (462.1 MB, 25.1 s)`, `500 ×1 INTERNAL_ERROR (31.0 s)`.
import type { HttpAnswer } from './http-call.js';

/** The first error code in a REST envelope or GraphQL `extensions` (`"code":"RATE_LIMITED"`), else null. */
export function answerCode(head: string): string | null {
  return /"code"\s*:\s*"([A-Z][A-Z0-9_]*)"/.exec(head)?.[1] ?? null;
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  if (bytes >= 1e3) return `${(bytes / 1e3).toFixed(1)} kB`;
  return `${bytes} B`;
}

export function formatSeconds(ms: number): string {
  return ms >= 10_000 ? `${(ms / 1000).toFixed(0)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

/** What one answer was: its status and error code, or what happened instead. */
export function answerKind(answer: HttpAnswer): string {
  if (answer.status === null) return `no answer (${answer.error})`;
  const code = answerCode(answer.head);
  const cut = answer.error ? `, cut: ${answer.error}` : '';
  return `${answer.status}${code ? ` ${code}` : ''}${cut}`;
}

/** Answers grouped by kind, each group with its largest body and its slowest time. */
export function summarizeAnswers(answers: readonly HttpAnswer[]): string {
  const groups = new Map<string, HttpAnswer[]>();
  for (const answer of answers) {
    const kind = answerKind(answer);
    groups.set(kind, [...(groups.get(kind) ?? []), answer]);
  }
  return [...groups]
    .map(([kind, group]) => {
      const bytes = Math.max(...group.map((a) => a.bytes));
      const ms = Math.max(...group.map((a) => a.ms));
      return `${kind} ×${group.length} (${bytes > 0 ? `${formatBytes(bytes)}, ` : ''}${formatSeconds(ms)})`;
    })
    .join('; ');
}
