/** Why the gateway did not answer with data, in the terms the page explains to its reader. */
export type ProblemKind = 'unauthenticated' | 'forbidden' | 'rate-limited' | 'unavailable' | 'refused' | 'network';

export class ApiProblem extends Error {
  constructor(
    readonly kind: ProblemKind,
    message: string,
    /** Seconds the gateway asked to wait (Retry-After), when it did. */
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
    this.name = 'ApiProblem';
  }
}

interface WireError {
  message?: string;
  extensions?: { code?: string };
}

const KIND_BY_CODE: Record<string, ProblemKind> = {
  UNAUTHENTICATED: 'unauthenticated',
  FORBIDDEN: 'forbidden',
  RATE_LIMITED: 'rate-limited',
  UNAVAILABLE: 'unavailable',
};

const KIND_BY_STATUS: Record<number, ProblemKind> = { 401: 'unauthenticated', 403: 'forbidden', 429: 'rate-limited', 503: 'unavailable' };

function retryAfter(headers: Headers): number | null {
  const value = headers.get('retry-after');
  if (value === null) return null;
  if (/^\d+$/.test(value.trim())) return Number(value);
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

/** The problem an answer's status and GraphQL errors describe. */
export function problemOf(status: number, headers: Headers, errors: readonly WireError[] | undefined): ApiProblem {
  const first = errors?.[0];
  const code = first?.extensions?.code;
  const kind = (code !== undefined ? KIND_BY_CODE[code] : undefined) ?? KIND_BY_STATUS[status] ?? 'refused';
  return new ApiProblem(kind, first?.message ?? `The gateway answered ${status}.`, retryAfter(headers));
}
