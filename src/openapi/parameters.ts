import { DEFAULT_TOOLS_LIMIT, MAX_TOOLS_LIMIT } from '../use-cases/analytics-tools.js';
import { DEFAULT_USAGE_GROUPING, USAGE_GROUPINGS } from '../use-cases/analytics-usage.js';
import { DEFAULT_SESSION_ORDER, SESSION_ORDERS } from '../sessions/session-order.js';
import { DEFAULT_LIMIT, MAX_LIMIT } from '../use-cases/list-sessions.js';
import { REQUEST_ID_PATTERN } from './error-components.js';
import { DATE_PATTERN, INPUT_TIME_PATTERN, type JsonObject } from './json-schema.js';

// The query parameters of the sessions and analytics endpoints, and the request id header. Each query parameter
// may be given at most once (twice → 400); unknown parameters are ignored.

const INTEGER_RULE = 'Plain decimal digits (`05` is 5; `+5`, `1e2`, `0x10` → 400).';

function query(name: string, description: string, schema: JsonObject): JsonObject {
  return { name, in: 'query', required: false, description, schema };
}

/** A `date` or a `date-time` (RFC 3339 formats); one pattern rather than `anyOf`, which Swagger UI renders poorly. */
const DATE: JsonObject = {
  type: 'string',
  pattern: `^${DATE_PATTERN}(T${INPUT_TIME_PATTERN})?$`,
  examples: ['2024-01-15', '2024-01-15T10:00:00Z', '2024-01-15T12:00:00.250+02:00'],
};

const DATE_RULE =
  'A date (`YYYY-MM-DD`, meaning 00:00:00Z of that day, for either bound) or a date-time with `Z` or an offset. Impossible dates → 400.';

export const PARAMETERS: Readonly<Record<string, JsonObject>> = {
  SessionsLimit: query('limit', `Page size. Above ${MAX_LIMIT} is applied as ${MAX_LIMIT}; below 1 → 400. ${INTEGER_RULE}`, {
    type: 'integer',
    minimum: 1,
    default: DEFAULT_LIMIT,
  }),
  SessionsOffset: query('offset', `Sessions to skip. ${INTEGER_RULE}`, {
    type: 'integer',
    minimum: 0,
    maximum: Number.MAX_SAFE_INTEGER,
    default: 0,
  }),
  SessionsStartDate: query('start_date', `Keeps sessions that started at or after it. ${DATE_RULE} Later than \`end_date\` → 400.`, DATE),
  SessionsEndDate: query('end_date', `Keeps sessions that started at or before it. ${DATE_RULE}`, DATE),
  SessionsOrder: query(
    'order',
    '`asc`: by `started_at` then `id`, ascending (oldest first). `desc`: the exact reverse (newest first). Lower case only; any other value → 400.',
    { type: 'string', enum: [...SESSION_ORDERS], default: DEFAULT_SESSION_ORDER },
  ),
  AnalyticsStartDate: query(
    'start_date',
    `Sessions that started at or after it; default 30 days before now. ${DATE_RULE} Later than \`end_date\` → 400; past the default \`end_date\` → an empty report.`,
    DATE,
  ),
  AnalyticsEndDate: query('end_date', `Sessions that started at or before it; default now. ${DATE_RULE}`, DATE),
  ToolsLimit: query('limit', `Tools to report. Above ${MAX_TOOLS_LIMIT} is applied as ${MAX_TOOLS_LIMIT}; below 1 → 400. ${INTEGER_RULE}`, {
    type: 'integer',
    minimum: 1,
    default: DEFAULT_TOOLS_LIMIT,
  }),
  UsageGroupBy: query('group_by', '`day`: a group per UTC day with a request or a failure. `model`: a group per model. Lower case only; any other value → 400.', {
    type: 'string',
    enum: [...USAGE_GROUPINGS],
    default: DEFAULT_USAGE_GROUPING,
  }),
  UsageStartDate: query(
    'start_date',
    `Requests made at or after it; default 30 days before now. ${DATE_RULE} Later than \`end_date\` → 400; past the default \`end_date\` → an empty list.`,
    DATE,
  ),
  UsageEndDate: query('end_date', `Requests made at or before it; default now. ${DATE_RULE}`, DATE),
  RequestId: {
    name: 'X-Request-Id',
    in: 'header',
    required: false,
    description: 'Your id for the request, echoed in the response when it is 1–128 characters of `[A-Za-z0-9._-]` (else replaced).',
    schema: { type: 'string', pattern: REQUEST_ID_PATTERN },
  },
};
