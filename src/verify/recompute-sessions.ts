import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/open-database.js';
import type { SessionRow, SessionToolsTable, Tables, ToolHoursTable } from '../db/tables.js';
import { dayOf, dayStart } from '../time/utc-days.js';
import { hourOf, hourStart } from '../time/utc-hours.js';
import type { Difference, FoldedTable } from './difference.js';
import { sessionAggregates, toolAggregates, type SessionAggregate, type ToolAggregate } from './event-aggregates.js';
import { byCodeUnit } from '../by-code-unit.js';

export interface VerifyOptions {
  /** Only this account (its id); default every account that has any row. */
  accountId?: number;
  /** Session ids per round trip (default 1000). */
  chunkSize?: number;
  /** Called with each difference as it is found, so nothing accumulates. */
  onDifference(difference: Difference): void;
}

export interface VerifySummary {
  accounts_checked: number;
  sessions_checked: number;
  differences: number;
}


const SESSION_FIELDS = [
  'started_at', 'min_start_at', 'max_start_at', 'max_end_at', 'min_event_at', 'max_event_at', 'event_count', 'tool_invocations',
  'r_min_start_at', 'r_max_start_at', 'r_max_end_at', 'r_min_event_at', 'r_max_event_at', 'r_event_count', 'r_tool_invocations', 'direct_events',
] as const satisfies readonly (keyof SessionRow & keyof SessionAggregate)[];

const TOOL_FIELDS = [
  'invocations', 'results', 'errors', 'duration_sum_us', 'duration_count',
] as const satisfies readonly (keyof SessionToolsTable & keyof ToolAggregate)[];

const ACCOUNT_TABLES = ['accounts', 'sessions', 'events', 'session_tools', 'session_days', 'tool_hours'] as const;

const TOOL_HOUR_FIELDS = ['invocations', 'errors', 'duration_sum_us', 'duration_count'] as const satisfies readonly (keyof ToolHoursTable)[];

type ToolHourSums = Record<(typeof TOOL_HOUR_FIELDS)[number], number>;

/** One hour and tool: its stored tool_hours row (zeros when there is none) and the recomputed rows summed. */
interface ToolHourCell {
  hour: number;
  toolName: string;
  stored: ToolHourSums;
  recomputed: ToolHourSums;
}

const noSums = (): ToolHourSums => ({ invocations: 0, errors: 0, duration_sum_us: 0, duration_count: 0 });

/** Distinct account ids of a table by skipping along the index that leads with them. */
async function accountIdsIn(db: Kysely<Tables>, table: (typeof ACCOUNT_TABLES)[number]): Promise<number[]> {
  const column = sql.ref(table === 'accounts' ? 'id' : 'account_id');
  const from = sql.table(table);
  const result = await sql<{ id: number }>`
    with recursive ids(id) as (
      select min(${column}) from ${from}
      union all
      select (select min(${column}) from ${from} where ${column} > ids.id) from ids where ids.id is not null
    )
    select id from ids where id is not null`.execute(db);
  return result.rows.map((r) => Number(r.id));
}

async function accountsToCheck(db: Kysely<Tables>, only: number | undefined): Promise<{ id: number; label: string }[]> {
  const slugs = new Map((await db.selectFrom('accounts').select(['id', 'slug']).execute()).map((a) => [Number(a.id), a.slug]));
  let ids: number[];
  if (only !== undefined) ids = [only];
  else {
    const found = new Set<number>();
    for (const table of ACCOUNT_TABLES) for (const id of await accountIdsIn(db, table)) found.add(id);
    ids = [...found].sort((a, b) => a - b);
  }
  return ids.map((id) => ({ id, label: slugs.get(id) ?? `#${id}` }));
}

/**
 * The session ids to check come from three disjoint sources, each paged in the database's own
 * order (keyset on the last id of the previous page, so each page costs the same wherever it is):
 * sessions rows; sessions that have events but no row; sessions that have per-tool rows only.
 * A page is the ids to check (in that order, possibly none) and the id to continue after.
 */
type IdSource = (db: Kysely<Tables>, accountId: number, after: string, limit: number) => Promise<{ ids: string[]; next: string | null }>;

function page(ids: string[], limit: number): string | null {
  return ids.length < limit ? null : ids[ids.length - 1]!;
}

async function withRows(db: Kysely<Tables>, accountId: number, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.selectFrom('sessions').select('id').where('account_id', '=', accountId).where('id', 'in', ids).execute();
  return new Set(rows.map((r) => r.id));
}

async function withEvents(db: Kysely<Tables>, accountId: number, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.selectFrom('events').select('session_id').distinct().where('account_id', '=', accountId).where('session_id', 'in', ids).execute();
  return new Set(rows.map((r) => r.session_id));
}

const sessionRows: IdSource = async (db, accountId, after, limit) => {
  const ids = (
    await db.selectFrom('sessions').select('id').where('account_id', '=', accountId).where('id', '>', after).orderBy('id').limit(limit).execute()
  ).map((r) => r.id);
  return { ids, next: page(ids, limit) };
};

const eventsWithoutRow: IdSource = async (db, accountId, after, limit) => {
  const all = (
    await db.selectFrom('events').select('session_id').distinct()
      .where('account_id', '=', accountId).where('session_id', '>', after).orderBy('session_id').limit(limit).execute()
  ).map((r) => r.session_id);
  const rows = await withRows(db, accountId, all);
  return { ids: all.filter((id) => !rows.has(id)), next: page(all, limit) };
};

const toolRowsOnly: IdSource = async (db, accountId, after, limit) => {
  const all = (
    await db.selectFrom('session_tools').select('session_id').distinct()
      .where('account_id', '=', accountId).where('session_id', '>', after).orderBy('session_id').limit(limit).execute()
  ).map((r) => r.session_id);
  const rows = await withRows(db, accountId, all);
  const events = await withEvents(db, accountId, all.filter((id) => !rows.has(id)));
  return { ids: all.filter((id) => !rows.has(id) && !events.has(id)), next: page(all, limit) };
};

/** pg may hand back counts and sums as strings or numbers; compare them as numbers. */
function numberOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

function sameValue(a: unknown, b: unknown): boolean {
  return numberOrNull(a) === numberOrNull(b);
}

function utcDay(day: number): string {
  return new Date(dayStart(day)).toISOString().slice(0, 10);
}

/** An hour as the instant it starts, `YYYY-MM-DDTHH:00Z`. */
function utcHour(hour: number): string {
  return `${new Date(hourStart(hour)).toISOString().slice(0, 13)}:00Z`;
}

function bySessionAndTool<Row extends { session_id: string; tool_name: string }>(rows: readonly Row[]): Map<string, Map<string, Row>> {
  const bySession = new Map<string, Map<string, Row>>();
  for (const row of rows) {
    let tools = bySession.get(row.session_id);
    if (!tools) bySession.set(row.session_id, (tools = new Map()));
    tools.set(row.tool_name, row);
  }
  return bySession;
}

class AccountCheck {
  /** Sessions per UTC day of their recomputed start, for the session_days comparison. */
  readonly days = new Map<number, number>();
  /** Per hour of the sessions' (recomputed) start and tool. */
  readonly toolHours = new Map<string, ToolHourCell>();
  sessions = 0;

  constructor(
    private readonly trx: Kysely<Tables>,
    private readonly database: Database,
    private readonly account: { id: number; label: string },
    private readonly report: (difference: Omit<Difference, 'account'>) => void,
  ) {}

  private diff(table: FoldedTable, where: { session_id?: string; tool_name?: string; day?: string; hour?: string }, field: string, stored: Difference['stored'], recomputed: Difference['recomputed']) {
    this.report({
      table, session_id: where.session_id ?? null, tool_name: where.tool_name ?? null, day: where.day ?? null, hour: where.hour ?? null,
      field, stored, recomputed,
    });
  }

  /** Checks the sessions `ids`, given in the database's order (the aggregates bound their range by it). */
  async chunk(ids: string[]): Promise<void> {
    const accountId = this.account.id;
    // One connection holds the snapshot, so these run one after another.
    const storedSessions = await this.trx.selectFrom('sessions').selectAll().where('account_id', '=', accountId).where('id', 'in', ids).execute();
    const recomputed = await sessionAggregates(this.trx, accountId, ids);
    const storedTools = await this.trx.selectFrom('session_tools').selectAll()
      .where('account_id', '=', accountId).where('session_id', 'in', ids).execute();
    const recomputedTools = await toolAggregates(this.trx, this.database.dialect, accountId, ids);
    const stored = new Map(storedSessions.map((s) => [s.id, s]));
    const fresh = new Map(recomputed.map((s) => [s.session_id, s]));
    const storedToolsBySession = bySessionAndTool(storedTools);
    const freshToolsBySession = bySessionAndTool(recomputedTools);

    for (const id of ids) {
      this.sessions += 1;
      const s = stored.get(id);
      const f = fresh.get(id);
      if (f) {
        const day = dayOf(Number(f.started_at));
        this.days.set(day, (this.days.get(day) ?? 0) + 1);
        const hour = hourOf(Number(f.started_at));
        for (const tool of freshToolsBySession.get(id)?.values() ?? []) this.addToolHour(hour, tool);
      }
      if (s && !f) this.diff('sessions', { session_id: id }, 'row', 'present', 'absent');
      else if (!s && f) this.diff('sessions', { session_id: id }, 'row', 'absent', 'present');
      else if (s && f) {
        for (const field of SESSION_FIELDS) {
          if (!sameValue(s[field], f[field])) this.diff('sessions', { session_id: id }, field, numberOrNull(s[field]), numberOrNull(f[field]));
        }
      }

      const storedToolRows = storedToolsBySession.get(id) ?? new Map<string, SessionToolsTable>();
      const freshToolRows = freshToolsBySession.get(id) ?? new Map<string, ToolAggregate>();
      const names = [...new Set([...storedToolRows.keys(), ...freshToolRows.keys()])].sort();
      for (const name of names) {
        const st = storedToolRows.get(name);
        const ft = freshToolRows.get(name);
        const where = { session_id: id, tool_name: name };
        if (st && !ft) this.diff('session_tools', where, 'row', 'present', 'absent');
        else if (!st && ft) this.diff('session_tools', where, 'row', 'absent', 'present');
        else if (st && ft) {
          for (const field of TOOL_FIELDS) {
            if (!sameValue(st[field], ft[field])) this.diff('session_tools', where, field, numberOrNull(st[field]), numberOrNull(ft[field]));
          }
        }
      }
    }
  }

  private toolHour(hour: number, toolName: string): ToolHourCell {
    const key = `${hour}\u0000${toolName}`;
    let cell = this.toolHours.get(key);
    if (!cell) this.toolHours.set(key, (cell = { hour, toolName, stored: noSums(), recomputed: noSums() }));
    return cell;
  }

  private addToolHour(hour: number, tool: ToolAggregate): void {
    const sums = this.toolHour(hour, tool.tool_name).recomputed;
    for (const field of TOOL_HOUR_FIELDS) sums[field] += Number(tool[field]);
  }

  async compareToolHours(): Promise<void> {
    const rows = await this.trx.selectFrom('tool_hours').selectAll().where('account_id', '=', this.account.id).execute();
    for (const row of rows) {
      const sums = this.toolHour(Number(row.hour), row.tool_name).stored;
      for (const field of TOOL_HOUR_FIELDS) sums[field] = Number(row[field]);
    }
    const cells = [...this.toolHours.values()].sort((a, b) => a.hour - b.hour || byCodeUnit(a.toolName, b.toolName));
    // An hour and tool whose sessions all moved away keeps its row at 0: the same as no row.
    for (const { hour, toolName, stored, recomputed } of cells) {
      for (const field of TOOL_HOUR_FIELDS) {
        if (stored[field] !== recomputed[field]) this.diff('tool_hours', { hour: utcHour(hour), tool_name: toolName }, field, stored[field], recomputed[field]);
      }
    }
  }

  async compareDays(): Promise<void> {
    const rows = await this.trx.selectFrom('session_days').select(['day', 'sessions']).where('account_id', '=', this.account.id).execute();
    const stored = new Map(rows.map((r) => [Number(r.day), Number(r.sessions)]));
    const days = [...new Set([...stored.keys(), ...this.days.keys()])].sort((a, b) => a - b);
    for (const day of days) {
      // A day whose sessions all moved away keeps its row at 0: the same as no row.
      const s = stored.get(day) ?? 0;
      const f = this.days.get(day) ?? 0;
      if (s !== f) this.diff('session_days', { day: utcDay(day) }, 'sessions', s, f);
    }
  }
}

/**
 * Recomputes every session, its per-tool counters, the per-day session counts and per-hour tool sums from the stored
 * events, account by account (each in one read snapshot), sessions in chunks, events aggregated by
 * the database; and reports every value where the folded rows disagree.
 */
export async function verifySessions(database: Database, options: VerifyOptions): Promise<VerifySummary> {
  const chunkSize = options.chunkSize ?? 1000;
  const summary: VerifySummary = { accounts_checked: 0, sessions_checked: 0, differences: 0 };
  const accounts = await accountsToCheck(database.db, options.accountId);
  for (const account of accounts) {
    const snapshot =
      database.dialect === 'postgres'
        ? database.db.transaction().setIsolationLevel('repeatable read').setAccessMode('read only')
        : database.db.transaction();
    const checked = await snapshot.execute(async (trx) => {
      const check = new AccountCheck(trx, database, account, (d) => {
        summary.differences += 1;
        options.onDifference({ account: account.label, ...d });
      });
      for (const source of [sessionRows, eventsWithoutRow, toolRowsOnly]) {
        for (let after: string | null = ''; after !== null; ) {
          const { ids, next }: { ids: string[]; next: string | null } = await source(trx, account.id, after, chunkSize);
          if (ids.length > 0) await check.chunk(ids);
          after = next;
        }
      }
      await check.compareDays();
      await check.compareToolHours();
      return check.sessions;
    });
    summary.accounts_checked += 1;
    summary.sessions_checked += checked;
  }
  return summary;
}
