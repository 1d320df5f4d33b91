import { listSessions, type SessionPage } from '../use-cases/list-sessions.js';
import { runGuarded } from '../use-cases/use-case.js';
import type { Session } from '../sessions/session.js';
import { SESSION_ORDERS } from '../sessions/session-order.js';
import { formatUtc } from '../time/iso-time.js';
import { QueryParams, RANGE_PARAMS } from './query-params.js';
import type { RestRoute } from './route.js';

/** The session object of GET /api/v1/sessions (docs/api.md#sessions): exactly these keys, in this order. */
export function restSession(s: Session) {
  return {
    id: s.id,
    started_at: formatUtc(s.startedAt),
    ended_at: s.endedAt === null ? null : formatUtc(s.endedAt),
    duration_ms: s.durationMs,
    event_count: s.eventCount,
    tool_invocations: s.toolInvocations,
  };
}

export function restSessionPage(page: SessionPage) {
  return { data: { sessions: page.nodes.map(restSession), total: page.total, limit: page.limit, offset: page.offset } };
}

export const sessionsRoute: RestRoute = {
  needs: 'apiKey',
  path: '/api/v1/sessions',
  methods: {
    GET: async ({ url, ctx }) => {
      const page = await runGuarded(listSessions, ctx, () => {
        const q = new QueryParams(url.searchParams);
        return {
          limit: q.integer('limit'),
          offset: q.integer('offset'),
          startDate: q.date(RANGE_PARAMS.startDate),
          endDate: q.date(RANGE_PARAMS.endDate),
          order: q.oneOf('order', SESSION_ORDERS),
          syntaxProblems: q.problems,
          names: RANGE_PARAMS,
        };
      });
      return { status: 200, body: restSessionPage(page) };
    },
  },
};
