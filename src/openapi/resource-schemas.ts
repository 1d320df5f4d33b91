import { SETTINGS } from '../config.js';
import { HOOK_EVENT_TYPES } from '../hooks/hook-event-map.js';
import { EVENT_TYPES } from '../ingest/event-types.js';
import { MAX_DATA_BYTES, MAX_DATA_DEPTH, MAX_EVENT_ID_LENGTH } from '../ingest/validate-event.js';
import { TOP_TOOLS } from '../use-cases/analytics-overview.js';
import { MAX_TOOLS_LIMIT } from '../use-cases/analytics-tools.js';
import { MAX_BATCH_SIZE } from '../use-cases/ingest-events.js';
import { MAX_LIMIT } from '../use-cases/list-sessions.js';
import { closedObject, COUNT, DATE_PATTERN, INPUT_TIME_PATTERN, schemaRef, UTC_TIME, type JsonObject } from './json-schema.js';

// The bodies of the sessions, ingestion, hooks and analytics endpoints, and of the health probes (docs/api.md).

const SESSION_UUID: JsonObject = { type: 'string', format: 'uuid', examples: ['550e8400-e29b-41d4-a716-446655440000'] };
const MAX_SAFE_INTEGER = Number.MAX_SAFE_INTEGER;

const SESSION = closedObject(
  {
    id: { ...SESSION_UUID, description: 'The `session_id` the events carried, lower-case.' },
    started_at: { ...UTC_TIME, description: 'The earliest `session_start`, else the earliest event of the session.' },
    ended_at: {
      ...UTC_TIME,
      type: ['string', 'null'],
      description: 'The latest `session_end` unless a later `session_start` reopened it; after 24 hours without events, the latest event; else `null`.',
    },
    duration_ms: {
      type: ['integer', 'null'],
      format: 'int64',
      minimum: 0,
      description: '`ended_at − started_at` in milliseconds (may exceed 2³¹), or `null` while open.',
    },
    event_count: { type: 'integer', minimum: 1, description: 'Stored events of the session, every type.' },
    tool_invocations: { ...COUNT, description: 'Stored `tool_use` events.' },
  },
  {
    description: 'A session: the fold of its stored events.',
    examples: [
      {
        id: '550e8400-e29b-41d4-a716-446655440000',
        started_at: '2024-01-15T10:30:00Z',
        ended_at: '2024-01-15T11:00:00.123Z',
        duration_ms: 1800123,
        event_count: 42,
        tool_invocations: 17,
      },
    ],
  },
);

const SESSION_PAGE = closedObject({
  data: closedObject({
    sessions: { type: 'array', maxItems: MAX_LIMIT, items: schemaRef('Session'), description: 'By `started_at`, then `id`, ascending.' },
    total: { ...COUNT, description: 'Sessions matching the filters, all pages together.', examples: [1] },
    limit: { type: 'integer', minimum: 1, maximum: MAX_LIMIT, description: 'The limit applied.', examples: [50] },
    offset: { type: 'integer', minimum: 0, maximum: MAX_SAFE_INTEGER, description: 'The offset applied.', examples: [0] },
  }),
});

const INGEST_EVENT: JsonObject = {
  type: 'object',
  description:
    'One telemetry event. Each event of a batch is checked on its own: one that does not fit is not stored and is reported in `errors`. Other keys are ignored.',
  properties: {
    event_type: { type: 'string', enum: [...EVENT_TYPES] },
    session_id: { ...SESSION_UUID, description: 'Any RFC 4122 UUID, in any letter case; stored lower-case.' },
    timestamp: {
      type: 'string',
      format: 'date-time',
      pattern: `^${DATE_PATTERN}T${INPUT_TIME_PATTERN}$`,
      description: 'With `Z` or an offset; years 0000–9999 in UTC. Fractions finer than a millisecond are truncated.',
      examples: ['2024-01-15T10:30:00Z', '2024-01-15T12:30:00.5+02:00'],
    },
    data: {
      type: ['object', 'null'],
      description: `Anything the event carries, at most ${MAX_DATA_BYTES} bytes as JSON and ${MAX_DATA_DEPTH} levels deep. Read by the gateway: \`tool_name\`, \`tool_use_id\`, \`is_error\`, \`duration_ms\`. \`null\` is the same as absent (\`{}\`).`,
      examples: [{ tool_name: 'Bash', tool_use_id: 'toolu_01', duration_ms: 420, is_error: false }],
    },
    event_id: {
      type: ['string', 'null'],
      minLength: 1,
      maxLength: MAX_EVENT_ID_LENGTH,
      description: 'For deduplication: a second event of the session with the same `event_id` is a duplicate. Without one, an event of the same type, instant and `data` is.',
    },
  },
  required: ['event_type', 'session_id', 'timestamp'],
};

const EVENT_BATCH: JsonObject = {
  type: 'object',
  properties: {
    events: { type: 'array', minItems: 1, maxItems: MAX_BATCH_SIZE, items: schemaRef('IngestEvent') },
  },
  required: ['events'],
  examples: [
    {
      events: [
        { event_type: 'session_start', session_id: '550e8400-e29b-41d4-a716-446655440000', timestamp: '2024-01-15T10:30:00Z' },
        {
          event_type: 'tool_use',
          session_id: '550e8400-e29b-41d4-a716-446655440000',
          timestamp: '2024-01-15T10:31:00Z',
          event_id: 'evt-2',
          data: { tool_name: 'Read', tool_use_id: 'toolu_01' },
        },
      ],
    },
  ],
};

const EVENT_ERROR = closedObject({
  index: { ...COUNT, description: 'Position of the event in the batch.' },
  field: { type: 'string', pattern: '^events\\[[0-9]+\\]', examples: ['events[1].session_id'] },
  message: { type: 'string', minLength: 1 },
});

const INGEST_RESULT = closedObject(
  {
    data: closedObject({
      accepted: { ...COUNT, description: 'Valid events, including the duplicates that were already stored.' },
      rejected: { ...COUNT, description: 'Invalid events: not stored, explained in `errors`.' },
      duplicates: { ...COUNT, description: 'Valid events that were already stored (or repeated in the batch).' },
      errors: { type: 'array', items: schemaRef('EventError') },
    }),
  },
  { examples: [{ data: { accepted: 2, rejected: 1, duplicates: 0, errors: [{ index: 2, field: 'events[2].session_id', message: 'must be a UUID' }] } }] },
);

const LABEL: JsonObject = { type: 'string' };

const HOOK_PAYLOAD: JsonObject = {
  type: 'object',
  description: `What Claude Code posts to a \`"type": "http"\` hook. Unknown fields are ignored; prompt text, tool input and output are kept only as previews of ${SETTINGS.hookPreviewChars.default} characters by default (\`TRENCHCOAT_HOOK_PREVIEW_CHARS\`).`,
  properties: {
    session_id: SESSION_UUID,
    hook_event_name: {
      type: 'string',
      minLength: 1,
      description: `Stored: ${Object.entries(HOOK_EVENT_TYPES).map(([hook, type]) => `\`${hook}\` → \`${type}\``).join(', ')} (\`PostToolUseFailure\` with \`is_error: true\`). Any other hook event is answered 200 and not stored.`,
      examples: Object.keys(HOOK_EVENT_TYPES),
    },
    tool_name: LABEL,
    tool_use_id: LABEL,
    tool_input: { description: 'Kept as `tool_input_preview`.' },
    tool_response: { description: 'Kept as `tool_output_preview`; `is_error` (or `isError`) true marks the result as an error.' },
    duration_ms: { type: 'number', minimum: 0, description: "Claude Code's own duration of a tool call; else the time since the `PreToolUse` of the same `tool_use_id`." },
    prompt: { type: 'string', description: 'Kept as `prompt_preview`.' },
  },
  required: ['session_id', 'hook_event_name'],
  examples: [{ session_id: '550e8400-e29b-41d4-a716-446655440000', hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_use_id: 'toolu_01', tool_input: { command: 'ls' } }],
};

const HOOK_ACK: JsonObject = { type: 'object', additionalProperties: false, description: 'Always `{}`.', examples: [{}] };

const TOOL_COUNT = closedObject({
  name: { type: 'string', examples: ['Read'] },
  invocation_count: { type: 'integer', minimum: 1, description: '`tool_use` events with this `data.tool_name`.' },
});

const ANALYTICS_OVERVIEW = closedObject({
  data: closedObject({
    total_sessions: COUNT,
    total_events: COUNT,
    total_tool_invocations: COUNT,
    active_days: { ...COUNT, description: 'Distinct UTC calendar days on which a session started.' },
    top_tools: {
      type: 'array',
      maxItems: TOP_TOOLS,
      items: schemaRef('ToolCount'),
      description: `At most ${TOP_TOOLS}, by \`invocation_count\` descending, then name.`,
    },
  }),
});

const TOOL_STATS = closedObject({
  name: { type: 'string', examples: ['Read'] },
  invocation_count: { type: 'integer', minimum: 1 },
  avg_duration_ms: {
    type: ['integer', 'null'],
    minimum: 0,
    description: 'Mean `data.duration_ms` of the tool\'s `tool_result` events, halves rounded up; `null` when none had one.',
  },
  error_rate: { type: 'number', minimum: 0, maximum: 1, description: '`tool_result` events with `data.is_error` true per invocation, capped at 1.' },
});

const ANALYTICS_TOOLS = closedObject({
  data: closedObject({
    tools: {
      type: 'array',
      maxItems: MAX_TOOLS_LIMIT,
      items: schemaRef('ToolStats'),
      description: 'By `invocation_count` descending, then name.',
    },
  }),
});

const USD: JsonObject = { type: 'number', minimum: 0 };
const MODEL_NAMES: JsonObject = { type: 'array', items: { type: 'string' }, uniqueItems: true };

/** The usage figures every group carries, after its `day` or `model`. */
const USAGE_FIGURES: Record<string, JsonObject> = {
  input_tokens: COUNT,
  output_tokens: COUNT,
  cache_creation_tokens: { ...COUNT, description: 'Cache writes, 5-minute and 1-hour.' },
  cache_read_tokens: COUNT,
  total_tokens: { ...COUNT, description: 'The four token counts, summed.' },
  cost_usd: {
    ...USD,
    description:
      "Per request: with transcript data, its tokens at the list prices (bundled, or `TRENCHCOAT_PRICES_FILE` over them) (else Claude Code's own estimate); known only from Claude Code's OTLP export, its own estimate (else the list prices). A request with neither adds 0 and its model is listed in `unpriced_models`.",
  },
  reported_cost_usd: { type: ['number', 'null'], minimum: 0, description: "Sum of Claude Code's own estimates; `null` when no request has one." },
  computed_cost_usd: { type: ['number', 'null'], minimum: 0, description: 'At the list prices, over the requests whose model has one; `null` when none has.' },
  models: { ...MODEL_NAMES, description: 'Distinct models, sorted; an unknown model (`""`) and `<synthetic>` left out.' },
  unpriced_models: { ...MODEL_NAMES, description: 'Distinct models, sorted, of the requests counted as 0 in `cost_usd` (`""` for an unknown model).' },
  requests: { ...COUNT, description: 'Model requests.' },
  api_errors: { ...COUNT, description: 'Failed model requests (OTLP `api_error`).' },
};

const USAGE_BY_DAY = closedObject(
  { day: { type: 'string', format: 'date', pattern: `^${DATE_PATTERN}$`, description: 'The UTC day the requests were made on.', examples: ['2024-03-01'] }, ...USAGE_FIGURES },
  { description: 'The model usage of the requests made on one UTC day (`group_by=day`).' },
);

const USAGE_BY_MODEL = closedObject(
  { model: { type: 'string', description: 'The model as reported; `""` when unknown.', examples: ['claude-sonnet-4-5-20250929'] }, ...USAGE_FIGURES },
  { description: 'The model usage of the requests made with one model (`group_by=model`).' },
);

const ANALYTICS_USAGE = closedObject({
  data: {
    type: 'array',
    items: { oneOf: [schemaRef('UsageByDay'), schemaRef('UsageByModel')] },
    description: 'By `day` ascending (`group_by=day`), or by `cost_usd` descending, then `model` (`group_by=model`).',
  },
});

const probe = (status: string): JsonObject => closedObject({ status: { const: status } });

export const RESOURCE_SCHEMAS: Readonly<Record<string, JsonObject>> = {
  Session: SESSION,
  SessionPage: SESSION_PAGE,
  IngestEvent: INGEST_EVENT,
  EventBatch: EVENT_BATCH,
  EventError: EVENT_ERROR,
  IngestResult: INGEST_RESULT,
  HookPayload: HOOK_PAYLOAD,
  HookAck: HOOK_ACK,
  ToolCount: TOOL_COUNT,
  AnalyticsOverview: ANALYTICS_OVERVIEW,
  ToolStats: TOOL_STATS,
  AnalyticsTools: ANALYTICS_TOOLS,
  UsageByDay: USAGE_BY_DAY,
  UsageByModel: USAGE_BY_MODEL,
  AnalyticsUsage: ANALYTICS_USAGE,
  Health: probe('ok'),
  Ready: probe('ready'),
  NotReady: probe('unavailable'),
};
