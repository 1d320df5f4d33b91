import { selectSession } from '../sessions/session-queries.js';
import { toSession, type Session } from '../sessions/session.js';
import { normalizeSessionId } from '../ingest/session-id.js';
import { defineUseCase } from './use-case.js';

export const getSession = defineUseCase<{ id: string }, Session | null>({
  scope: 'read:analytics',
  async run(ctx, { id }) {
    const sessionId = normalizeSessionId(id);
    if (sessionId === null) return null;
    const row = await selectSession(ctx.db, ctx.principal.accountId, sessionId);
    return row ? toSession(row, ctx.now()) : null;
  },
});
