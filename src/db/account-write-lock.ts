import { sql, type Kysely } from 'kysely';
import { runsOnPostgres } from './runs-on-postgres.js';

/**
 * Serializes one account's ingestion transactions across every gateway process on PostgreSQL
 * (a transaction-scoped advisory lock, released at commit or rollback). Two writers folding the
 * same sessions would otherwise lock session and per-day rows in different orders and deadlock.
 * SQLite allows one writer at a time already, so there it does nothing.
 */
export async function lockAccountForWrite(trx: Kysely<any>, accountId: number): Promise<void> {
  if (!runsOnPostgres(trx)) return;
  await sql`select pg_advisory_xact_lock(${accountId})`.execute(trx);
}
