import { DEFAULT_LIMIT, listSessions, type SessionPage } from '../../use-cases/list-sessions.js';
import { DEFAULT_SESSION_ORDER, type SessionOrder } from '../../sessions/session-order.js';
import type { Session } from '../../sessions/session.js';
import { authorized } from '../authorized.js';
import { builder } from '../builder.js';
import { SessionType } from './session.js';

/** Opaque to clients; encodes the session's position key (started_at, id). */
export function sessionCursor(session: Session): string {
  return Buffer.from(`session:${session.startedAt}:${session.id}`).toString('base64url');
}

interface PageInfoShape {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}

const PageInfoType = builder.objectRef<PageInfoShape>('PageInfo').implement({
  fields: (t) => ({
    hasNextPage: t.exposeBoolean('hasNextPage'),
    hasPreviousPage: t.exposeBoolean('hasPreviousPage'),
    startCursor: t.exposeString('startCursor', { nullable: true }),
    endCursor: t.exposeString('endCursor', { nullable: true }),
  }),
});

const SessionEdgeType = builder.objectRef<Session>('SessionEdge').implement({
  fields: (t) => ({
    cursor: t.string({ resolve: sessionCursor }),
    node: t.field({ type: SessionType, resolve: (s) => s }),
  }),
});

const SessionOrderType = builder.enumType('SessionOrder', {
  description: 'The order of a page of sessions: by startedAt, then id.',
  values: {
    STARTED_AT_ASC: { value: 'asc' as SessionOrder, description: 'Oldest first; ties by id ascending.' },
    STARTED_AT_DESC: { value: 'desc' as SessionOrder, description: 'Newest first; ties by id descending (the exact reverse).' },
  },
});

const SessionConnectionType = builder.objectRef<SessionPage>('SessionConnection').implement({
  description: 'A page of sessions ordered by startedAt, then id (ascending unless orderBy says otherwise).',
  fields: (t) => ({
    nodes: t.field({ type: [SessionType], resolve: (p) => p.nodes }),
    edges: t.field({ type: [SessionEdgeType], resolve: (p) => p.nodes }),
    pageInfo: t.field({
      type: PageInfoType,
      resolve: (p) => ({
        hasNextPage: p.offset + p.nodes.length < p.total,
        hasPreviousPage: p.offset > 0,
        startCursor: p.nodes.length > 0 ? sessionCursor(p.nodes[0]!) : null,
        endCursor: p.nodes.length > 0 ? sessionCursor(p.nodes[p.nodes.length - 1]!) : null,
      }),
    }),
    total: t.field({ type: 'SafeInt', description: 'Sessions matching the filters.', resolve: (p) => p.total }),
    limit: t.exposeInt('limit', { description: 'The limit applied (at most 200).' }),
    offset: t.exposeInt('offset'),
  }),
});

builder.queryField('sessions', (t) =>
  t.field({
    type: SessionConnectionType,
    nullable: true,
    description: "The caller's sessions that started within [startDate, endDate]. Needs read:analytics.",
    args: {
      limit: t.arg.int({ defaultValue: DEFAULT_LIMIT, description: 'Default 50; above 200 is applied as 200; below 1 is an error.' }),
      offset: t.arg.int({ defaultValue: 0 }),
      startDate: t.arg({ type: 'DateTime', description: 'Keeps sessions that started at or after it.' }),
      endDate: t.arg({ type: 'DateTime', description: 'Keeps sessions that started at or before it.' }),
      orderBy: t.arg({ type: SessionOrderType, defaultValue: DEFAULT_SESSION_ORDER, description: 'STARTED_AT_DESC lists the newest first.' }),
    },
    authScopes: { scope: listSessions.scope },
    resolve: (_root, { orderBy, ...args }, ctx) => listSessions.run(authorized(ctx), { ...args, order: orderBy }),
  }),
);
