/** `serve` could not start; the message names the part that failed (database, live relay, listening socket) and why. */
export class StartupError extends Error {
  override name = 'StartupError';

  /** "what: why", the why taken from the cause. */
  static because(what: string, cause: unknown): StartupError {
    return new StartupError(`${what}: ${reasonOf(cause)}`, { cause });
  }
}

function reasonOf(error: unknown): string {
  // A connection tried on IPv4 and IPv6 fails with an AggregateError whose own message is empty.
  if (error instanceof AggregateError && error.message === '') return error.errors.map(reasonOf).join('; ');
  if (error instanceof Error) return error.message || String((error as { code?: unknown }).code ?? error.name);
  return String(error);
}
