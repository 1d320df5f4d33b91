import type { Session } from '../../sessions/session.js';
import { getSession } from '../../operations/get-session.js';
import { authorized } from '../authorized.js';
import { builder } from '../builder.js';

export const SessionType = builder.objectRef<Session>('Session').implement({
  description: 'A Claude Code session, folded from its events (CONTRACT §4).',
  fields: (t) => ({
    id: t.exposeID('id'),
    startedAt: t.field({ type: 'DateTime', resolve: (s) => s.startedAt }),
    endedAt: t.field({ type: 'DateTime', nullable: true, resolve: (s) => s.endedAt }),
    durationMs: t.field({ type: 'SafeInt', nullable: true, resolve: (s) => s.durationMs }),
    eventCount: t.field({ type: 'SafeInt', resolve: (s) => s.eventCount }),
    toolInvocations: t.field({ type: 'SafeInt', resolve: (s) => s.toolInvocations }),
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
