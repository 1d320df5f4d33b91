import type { Session } from '../../sessions/session.js';
import type { SessionToolCount, SessionToolRow, TimelineEvent, TimelineRow } from '../../sessions/session-detail-queries.js';
import { apiError, validationError, type FieldProblem } from '../../errors/api-error.js';
import { getSession } from '../../use-cases/get-session.js';
import { authorized } from '../authorized.js';
import { builder } from '../builder.js';
import { countJsonContainers } from '../count-json-containers.js';
import { formatBytes } from '../format-bytes.js';
import type { BudgetRoom, Charge, ResponseBudget } from '../response-budget.js';
import { responsePath } from '../response-path.js';
import { ScopeMemo } from '../scope-memo.js';
import { selectsField } from '../selects-field.js';
import { sessionLoaders, type Loaded } from '../session-loaders.js';

export const DEFAULT_TIMELINE_LIMIT = 50;
export const MAX_TIMELINE_LIMIT = 500;

/** Memory an object or array of `data` takes once read, besides its text (measured: about 37 bytes in V8). */
const CONTAINER_BYTES = 40;

/**
 * A page of events, parsed on first read. A class, not an object literal with a getter: such a literal's accessors
 * are kept in V8's old generation, where they would hold the page past young-generation collections.
 */
class ParsedPage {
  #events: TimelineEvent[] | null = null;

  constructor(
    private readonly loaded: Loaded<TimelineRow>,
    readonly containers: number,
  ) {}

  get events(): TimelineEvent[] {
    return (this.#events ??= this.loaded.rows.map((row) => ({
      type: row.type,
      timestamp: row.timestamp,
      data: row.data === null ? {} : (JSON.parse(row.data) as Record<string, unknown>),
    })));
  }
}

/** A page read once per request (or message) is parsed once, however many aliases answer it. */
const parsedPages = new ScopeMemo<ParsedPage>('parsed page');

function parsedPage(loaded: Loaded<TimelineRow>): ParsedPage {
  return parsedPages.get(loaded, () => {
    let containers = 0;
    for (const row of loaded.rows) if (row.data !== null) containers += countJsonContainers(row.data);
    // Parsed lazily: the containers are charged before any text becomes objects.
    return new ParsedPage(loaded, containers);
  });
}

function eventsAdvice(count: number, bytes: number) {
  return (room: BudgetRoom) => {
    // A little under the room: the objects and arrays of `data` are charged too, once it is read.
    const fit = count > 0 && bytes > 0 ? Math.floor((room.bytes * 0.98 * count) / bytes) : 0;
    return fit >= 1
      ? `Ask for fewer events at a time: about ${fit} of these fit (limit: ${fit}, then page with offset), or use fewer aliases.`
      : 'Not one of these events fits in what is left: leave out data, or ask for less elsewhere in the query.';
  };
}

/**
 * Refuses a field whose text was left unread (session-loaders.ts): its bytes in flight had no room (429
 * or 503), or the text read together with it had no room in the answer. Its own bytes are charged first,
 * so that a page too large alone is refused naming itself, with how much would fit.
 */
function refuseUnread(budget: ResponseBudget, loaded: Loaded<unknown>, charge: Charge): void {
  const { unread } = loaded;
  if (!unread) return;
  if (unread.bound !== 'answer') throw budget.refuseInFlight(unread.bound);
  budget.charge(charge);
  throw budget.refuse(apiError(
    'RESPONSE_TOO_LARGE',
    `The answer would be larger than ${formatBytes(budget.maxBytes)}: ${charge.path} (${charge.what}) and what is read with it ` +
      `need about ${formatBytes(unread.bytes)} besides the ${formatBytes(budget.bytes)} counted. ` +
      'Ask for less at a time: smaller limits, fewer aliases or fewer sessions.',
    [{ field: charge.path, message: `needs about ${formatBytes(unread.bytes)} with what is read with it` }],
  ));
}

const SessionEventType = builder.objectRef<TimelineEvent>('SessionEvent').implement({
  description: 'One stored event of a session.',
  fields: (t) => ({
    type: t.exposeString('type', { description: 'The event_type.' }),
    timestamp: t.expose('timestamp', { type: 'DateTime' }),
    data: t.expose('data', { type: 'JSONObject', description: 'The event\'s data (`{}` when it had none).' }),
  }),
});

const SessionToolType = builder.objectRef<SessionToolCount>('SessionTool').implement({
  description: 'A tool the session used.',
  fields: (t) => ({
    name: t.exposeString('name', { description: 'data.tool_name of its tool_use events.' }),
    count: t.expose('count', { type: 'SafeInt', description: 'Its tool_use events.' }),
  }),
});

export const SessionType = builder.objectRef<Session>('Session').implement({
  description: 'A Claude Code session, folded from its events.',
  fields: (t) => ({
    id: t.exposeID('id'),
    startedAt: t.expose('startedAt', { type: 'DateTime' }),
    endedAt: t.expose('endedAt', { type: 'DateTime', nullable: true }),
    durationMs: t.expose('durationMs', { type: 'SafeInt', nullable: true }),
    eventCount: t.expose('eventCount', { type: 'SafeInt' }),
    toolInvocations: t.expose('toolInvocations', { type: 'SafeInt' }),
    events: t.field({
      type: [SessionEventType],
      description: 'The timeline: oldest first, ties in storage order.',
      args: {
        limit: t.arg.int({ defaultValue: DEFAULT_TIMELINE_LIMIT, description: 'Default 50; above 500 is applied as 500; below 1 is an error.' }),
        offset: t.arg.int({ defaultValue: 0, description: 'Events to skip; at least 0.' }),
      },
      resolve: async (session, args, ctx, info) => {
        const limit = args.limit ?? DEFAULT_TIMELINE_LIMIT;
        const offset = args.offset ?? 0;
        const problems: FieldProblem[] = [];
        if (limit < 1) problems.push({ field: 'limit', message: 'must be an integer of at least 1' });
        if (offset < 0) problems.push({ field: 'offset', message: 'must be an integer of at least 0' });
        if (problems.length > 0) throw validationError(problems);
        const applied = Math.min(limit, MAX_TIMELINE_LIMIT);
        const budget = ctx.budgets.of(session);
        // The statement reads the sizes of `data` first, and its text only when it fits what the budget has left.
        const loaded = await sessionLoaders(ctx, session).timeline.load({
          sessionId: session.id,
          limit: applied,
          offset,
          withData: selectsField(info, 'data'),
        });
        const charge = (bytes: number): Charge => ({
          bytes,
          // The page is found by numbering the session's events up to it.
          rows: Math.min(session.eventCount, offset + applied),
          path: responsePath(info.path),
          what: `Session.events, ${loaded.size.rows} events`,
          advice: eventsAdvice(loaded.size.rows, bytes),
        });
        refuseUnread(budget, loaded, charge(loaded.size.bytes));
        const page = parsedPage(loaded);
        budget.charge(charge(loaded.size.bytes + page.containers * CONTAINER_BYTES));
        return page.events;
      },
    }),
    tools: t.field({
      type: [SessionToolType],
      description: 'Each tool the session invoked, by count descending, then name.',
      resolve: async (session, _args, ctx, info) => {
        const budget = ctx.budgets.of(session);
        const loaded = await sessionLoaders(ctx, session).tools.load(session.id);
        const charge: Charge = {
          bytes: loaded.size.bytes,
          rows: loaded.size.rows,
          path: responsePath(info.path),
          what: `Session.tools, ${loaded.size.rows} tools`,
          advice: () => 'Leave out Session.tools for this session, or ask for fewer sessions at a time.',
        };
        refuseUnread(budget, loaded, charge);
        budget.charge(charge);
        return loaded.rows.map((row: SessionToolRow) => ({ name: row.name ?? '', count: row.count }));
      },
    }),
  }),
});

builder.queryField('session', (t) =>
  t.field({
    type: SessionType,
    nullable: true,
    description: "One session of the caller's account, or null (also when `id` is not a UUID).",
    args: { id: t.arg.id({ required: true }) },
    authScopes: { scope: getSession.scope },
    resolve: (_root, args, ctx) => getSession.run(authorized(ctx), { id: String(args.id) }),
  }),
);
