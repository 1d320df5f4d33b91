const SQLITE_UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|CANTOPEN|IOERR|FULL|READONLY|NOTADB|CORRUPT)/;
const NETWORK_UNAVAILABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', '57P01', '57P03', '53300']);

const PG_CONNECTION_LOST = new Set([
  'Connection terminated unexpectedly',
  'Connection terminated',
  'Client has encountered a connection error and is not queryable',
]);

/** True when an error means the database cannot serve now (503), not that the request was wrong. */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e = error; e instanceof Error; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (SQLITE_UNAVAILABLE.test(code) || NETWORK_UNAVAILABLE.has(code))) return true;
    if (e.message === 'driver has already been destroyed') return true;
    // pg's words for a connection the server or the network ended: they carry no code.
    if (PG_CONNECTION_LOST.has(e.message)) return true;
  }
  return false;
}
