import { validationError } from '../errors/api-error.js';
import { ingestEvents } from '../use-cases/ingest-events.js';
import { runGuarded } from '../use-cases/use-case.js';
import { parseJsonBody } from './json-body.js';
import type { RestRoute } from './route.js';

export const eventsRoute: RestRoute = {
  needs: 'apiKey',
  path: '/api/v1/events',
  needsBody: true,
  methods: {
    POST: async ({ body, ctx }) => {
      const result = await runGuarded(ingestEvents, ctx, () => {
        const parsed = parseJsonBody(body);
        if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
          throw validationError([{ field: 'body', message: 'must be a JSON object {"events": [...]}' }]);
        }
        return { events: (parsed as Record<string, unknown>)['events'] };
      });
      const { accepted, rejected, duplicates, errors } = result;
      return { status: 200, body: { data: { accepted, rejected, duplicates, errors } } };
    },
  },
};
