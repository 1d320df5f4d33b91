import { validationError, apiError } from '../../errors/api-error.js';
import { normalizeSessionId } from '../../ingest/session-id.js';
import { StreamEnd, type LiveMessage } from '../../live/live-subscriber.js';
import type { Session } from '../../sessions/session.js';
import { authorized } from '../authorized.js';
import { builder } from '../builder.js';
import { withOwnLoaders } from '../session-loaders.js';
import { SessionType } from './session.js';

builder.subscriptionField('sessionUpdated', (t) =>
  t.field({
    type: SessionType,
    description:
      "The committed state of a session of the key's account each time ingested events change it (a burst " +
      'is coalesced: a few updates per second per session at most). Only `sessionId`, when given. The ' +
      'stream ends when the key is revoked, when the subscriber falls too far behind, and at shutdown.',
    args: { sessionId: t.arg.id({ required: false, description: 'Only this session (a UUID).' }) },
    authScopes: { scope: 'read:analytics' },
    subscribe: (_root, args, ctx) => {
      const { principal } = authorized(ctx);
      if (!ctx.feed) throw apiError('UNAVAILABLE', 'Live updates are not available on this server.');
      let sessionId: string | null = null;
      if (args.sessionId !== null && args.sessionId !== undefined) {
        sessionId = normalizeSessionId(String(args.sessionId));
        if (sessionId === null) throw validationError([{ field: 'sessionId', message: 'must be a UUID' }]);
      }
      return ctx.feed.subscribe(principal, sessionId);
    },
    resolve: (message: LiveMessage): Session => {
      if (message instanceof StreamEnd) throw message.error;
      return withOwnLoaders(message);
    },
  }),
);
