/** A mistake in how a command was called or what it was given: one line on stderr, exit 1. */
export class UsageError extends Error {
  override name = 'UsageError';
}
