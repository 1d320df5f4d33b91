import { ingestHook } from '../use-cases/ingest-hook.js';
import { runGuarded } from '../use-cases/use-case.js';
import { parseJsonBody } from './json-body.js';
import type { RestRoute } from './route.js';

/** What a Claude Code `"type": "http"` hook posts (docs/api.md#claude-code-hooks). Answers 200 `{}` once stored. */
export const hooksRoute: RestRoute = {
  needs: 'apiKey',
  path: '/api/v1/hooks/claude-code',
  needsBody: true,
  methods: {
    POST: async ({ body, ctx, hookPreviewChars }) => {
      await runGuarded(ingestHook, ctx, () => ({ payload: parseJsonBody(body), previewChars: hookPreviewChars }));
      return { status: 200, body: {} };
    },
  },
};
