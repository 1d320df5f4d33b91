import pino, { type Logger } from 'pino';

export type { Logger };

const LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

export class InvalidLogLevelError extends Error {
  override name = 'InvalidLogLevelError';
}

/** Structured JSON logs on stdout. Keys never reach a log line: only their prefix does. */
export function createLogger(level: string): Logger {
  if (!LEVELS.has(level)) {
    throw new InvalidLogLevelError(`LOG_LEVEL must be one of ${[...LEVELS].join(', ')}; got "${level}".`);
  }
  return pino(
    {
      level,
      base: { service: 'trenchcoat-gateway' },
      redact: { paths: ['req.headers["x-api-key"]', 'req.headers.authorization', 'key'], censor: '[redacted]' },
    },
    // Asynchronous writes keep logging off the request's critical path; pino flushes on exit.
    pino.destination({ dest: 1, sync: false }),
  );
}
