import { randomUUID } from 'node:crypto';
import { validationError, type FieldProblem } from '../errors/api-error.js';
import { hookToEvent } from '../hooks/hook-to-event.js';
import { normalizeSessionId } from '../ingest/session-id.js';
import { validateEvent } from '../ingest/validate-event.js';
import { storeAndAnnounce } from './store-and-announce.js';
import { defineUseCase, type AuthorizedContext } from './use-case.js';

export interface IngestHookArgs {
  /** The request body, parsed but unchecked. */
  payload: unknown;
  /** Characters of prompt text, tool input and output kept (the gateway's hookPreviewChars). */
  previewChars: number;
}

export interface IngestHookResult {
  /** False for hook events the gateway does not store (answered 200 all the same). */
  stored: boolean;
  sessionId: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** When the same session's `tool_use` with this id was stored (the latest, if several), or null. */
async function toolUseTime(ctx: AuthorizedContext, sessionId: string, toolUseId: string): Promise<number | null> {
  const row = await ctx.db
    .selectFrom('events')
    .select('ts')
    .where('account_id', '=', ctx.principal.accountId)
    .where('session_id', '=', sessionId)
    .where('tool_use_id', '=', toolUseId)
    .where('event_type', '=', 'tool_use')
    .orderBy('ts', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? Number(row.ts) : null;
}

/**
 * One Claude Code hook delivery (docs/api.md#claude-code-hooks) becomes one stored event, stamped with the time it
 * arrived and given its own `event_id` (hooks carry neither), through the same validation and
 * store as `ingestEvents`.
 */
export const ingestHook = defineUseCase<IngestHookArgs, IngestHookResult>({
  scope: 'write:events',
  async run(ctx, { payload, previewChars }) {
    if (!isRecord(payload)) {
      throw validationError([{ field: 'body', message: 'must be a JSON object (the hook input Claude Code sends)' }]);
    }
    const problems: FieldProblem[] = [];
    const rawSessionId = payload['session_id'];
    const sessionId = normalizeSessionId(rawSessionId);
    if (rawSessionId === undefined || rawSessionId === null) problems.push({ field: 'session_id', message: 'is required' });
    else if (sessionId === null) problems.push({ field: 'session_id', message: 'must be a UUID string' });
    const hookEventName = payload['hook_event_name'];
    if (hookEventName === undefined || hookEventName === null) problems.push({ field: 'hook_event_name', message: 'is required' });
    else if (typeof hookEventName !== 'string' || hookEventName === '') {
      problems.push({ field: 'hook_event_name', message: 'must be a non-empty string' });
    }
    if (problems.length > 0) throw validationError(problems);

    const mapped = hookToEvent(payload, hookEventName as string, previewChars);
    if (mapped === null) return { stored: false, sessionId: sessionId as string };

    const now = ctx.now();
    if (mapped.eventType === 'tool_result' && mapped.ownDurationMs === null && mapped.toolUseId !== null) {
      const started = await toolUseTime(ctx, sessionId as string, mapped.toolUseId);
      if (started !== null && started <= now) mapped.data['duration_ms'] = now - started;
    }

    const check = validateEvent({
      event_type: mapped.eventType,
      session_id: sessionId,
      timestamp: new Date(now).toISOString(),
      event_id: `hook:${randomUUID()}`,
      data: mapped.data,
    });
    // The event is built from checked parts; a failure here would be the gateway's own bug.
    if (!check.ok) throw new Error(`hook event failed validation: ${JSON.stringify(check.problems)}`);
    await storeAndAnnounce(ctx, [check.event], 0);
    return { stored: true, sessionId: sessionId as string };
  },
});
