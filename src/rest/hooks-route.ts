import { ingestHook } from '../operations/ingest-hook.js';
import { runGuarded } from '../operations/operation.js';
import { parseJsonBody } from './json-body.js';
import type { RestRoute } from './route.js';

/** CONTRACT §6: what a Claude Code `"type": "http"` hook posts. Answers 200 `{}` once stored. */
export const hooksRoute: RestRoute = {
  path: '/api/v1/hooks/claude-code',
  needsBody: true,
  methods: {
    POST: async ({ body, ctx, hookPreviewChars }) => {
      await runGuarded(ingestHook, ctx, () => ({ payload: parseJsonBody(body), previewChars: hookPreviewChars }));
      return { status: 200, body: {} };
    },
  },
};
