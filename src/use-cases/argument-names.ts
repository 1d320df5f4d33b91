import type { FieldProblem } from '../errors/api-error.js';

/**
 * How the caller spells the arguments a use case reports problems with, keyed by the use case's own
 * names (its argument properties, and an event's stored field names); a name left out is spelled
 * the same. Each adapter passes its own on the way in, so a problem names the field the caller sent
 * and no adapter re-spells an error on the way out.
 */
export type ArgumentNames = Readonly<Record<string, string>>;

export function callerName(names: ArgumentNames | undefined, field: string): string {
  return names?.[field] ?? field;
}

/** The use case's own problems, in the caller's spelling. */
export function inCallerNames(names: ArgumentNames | undefined, problems: readonly FieldProblem[]): FieldProblem[] {
  return problems.map((p) => ({ field: callerName(names, p.field), message: p.message }));
}
