import type { Session } from '../../sessions/session.js';
import type { SessionToolCount, TimelineEvent } from '../../sessions/session-detail-queries.js';
import { validationError, type FieldProblem } from '../../errors/api-error.js';
import { getSession } from '../../use-cases/get-session.js';
import { authorized } from '../authorized.js';
import { builder } from '../builder.js';
import { sessionLoaders } from '../session-loaders.js';

export const DEFAULT_TIMELINE_LIMIT = 50;
export const MAX_TIMELINE_LIMIT = 500;

const SessionEventType = builder.objectRef<TimelineEvent>('SessionEvent').implement({
  description: 'One stored event of a session.',
  fields: (t) => ({
    type: t.exposeString('type', { description: 'The event_type.' }),
    timestamp: t.field({ type: 'DateTime', resolve: (e) => e.timestamp }),
    data: t.field({ type: 'JSONObject', description: 'The event\'s data (`{}` when it had none).', resolve: (e) => e.data }),
  }),
});

const SessionToolType = builder.objectRef<SessionToolCount>('SessionTool').implement({
  description: 'A tool the session used.',
  fields: (t) => ({
    name: t.exposeString('name', { description: 'data.tool_name of its tool_use events.' }),
    count: t.field({ type: 'SafeInt', description: 'Its tool_use events.', resolve: (c) => c.count }),
  }),
});

export const SessionType = builder.objectRef<Session>('Session').implement({
  description: 'A Claude Code session, folded from its events.',
  fields: (t) => ({
    id: t.exposeID('id'),
    startedAt: t.field({ type: 'DateTime', resolve: (s) => s.startedAt }),
    endedAt: t.field({ type: 'DateTime', nullable: true, resolve: (s) => s.endedAt }),
    durationMs: t.field({ type: 'SafeInt', nullable: true, resolve: (s) => s.durationMs }),
    eventCount: t.field({ type: 'SafeInt', resolve: (s) => s.eventCount }),
    toolInvocations: t.field({ type: 'SafeInt', resolve: (s) => s.toolInvocations }),
    events: t.field({
      type: [SessionEventType],
      description: 'The timeline: oldest first, ties in storage order.',
      args: {
        limit: t.arg.int({ defaultValue: DEFAULT_TIMELINE_LIMIT, description: 'Default 50; above 500 is applied as 500; below 1 is an error.' }),
        offset: t.arg.int({ defaultValue: 0, description: 'Events to skip; at least 0.' }),
      },
      resolve: (session, args, ctx) => {
        const limit = args.limit ?? DEFAULT_TIMELINE_LIMIT;
        const offset = args.offset ?? 0;
        const problems: FieldProblem[] = [];
        if (limit < 1) problems.push({ field: 'limit', message: 'must be an integer of at least 1' });
        if (offset < 0) problems.push({ field: 'offset', message: 'must be an integer of at least 0' });
        if (problems.length > 0) throw validationError(problems);
        return sessionLoaders(authorized(ctx), session).timeline.load({
          sessionId: session.id,
          limit: Math.min(limit, MAX_TIMELINE_LIMIT),
          offset,
        });
      },
    }),
    tools: t.field({
      type: [SessionToolType],
      description: 'Each tool the session invoked, by count descending, then name.',
      resolve: (session, _args, ctx) => sessionLoaders(authorized(ctx), session).tools.load(session.id),
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
