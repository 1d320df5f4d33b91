import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Scope } from '../auth/scopes.js';
import { TIER_LIMITS } from '../limits/tier-limits.js';
import { PACKAGE_ROOT } from '../package-root.js';
import { DOCS_ASSET_FILES } from './docs-assets.js';
import { ERROR_RESPONSES, ERROR_SCHEMAS, forbiddenName, HEADERS, countedHeaders, plainHeaders } from './error-components.js';
import { parameterRef, responseRef, schemaRef, type JsonObject } from './json-schema.js';
import { PARAMETERS } from './parameters.js';
import { RESOURCE_SCHEMAS } from './resource-schemas.js';

// The REST API (docs/api.md) as an OpenAPI 3.1 document, served at /api/v1/openapi.json.
// test/openapi.test.ts validates it, checks it against src/rest/routes.ts, and validates real
// responses of the gateway against it.

export const OPENAPI_PATH = '/api/v1/openapi.json';

const { version } = createRequire(import.meta.url)(join(PACKAGE_ROOT, 'package.json')) as { version: string };

const t = TIER_LIMITS;
const n = (value: number | null) => value?.toLocaleString('en-US');
const DESCRIPTION = `The Trenchcoat gateway's REST API for Claude Code telemetry: send events (or Claude Code's own hook payloads), read the sessions they fold into, and analytics over them. The same data is served over GraphQL at \`/graphql\`.

**Keys.** Send the key in \`X-API-Key\`, or as \`Authorization: Bearer <key>\`; a key in the URL is ignored. Each operation names the scope it needs (\`read:analytics\` or \`write:events\`). This document, its browsing page and the health probes need no key.

**Errors.** Every error body is \`{"error": {"code", "message", "details"?}}\` and nothing else; \`details\` (\`[{"field", "message"}]\`) comes with \`VALIDATION_ERROR\`. On any path: an unknown path is **404** \`NOT_FOUND\`, with or without a key (response \`NotFound\`); a known path with a method it does not take is **405** \`METHOD_NOT_ALLOWED\` with an \`Allow\` header (response \`MethodNotAllowed\`); a request target that is not a path is 400 \`VALIDATION_ERROR\`. A request never gets a 5xx because of what the client sent.

**Requests.** Every \`GET\` also answers \`HEAD\`. A body is JSON, sent with \`Content-Type: application/json\` (a \`charset\`, if any, \`utf-8\`); without it, **415** \`UNSUPPORTED_MEDIA_TYPE\`. Every response carries \`X-Request-Id\`. A query parameter given twice is a 400; unknown parameters are ignored.

**Rate limits** per key and minute, by the key's tier: \`standard\` ${n(t.standard.requests)} requests, \`premium\` ${n(t.premium.requests)}, \`ingestion\` ${n(t.ingestion.requests)} requests and ${n(t.ingestion.events)} events, \`unlimited\` none. Counted responses carry \`RateLimit-Limit\`, \`-Remaining\`, \`-Reset\` and \`-Policy\`; over the limit, **429** \`RATE_LIMITED\` with \`Retry-After\`.`;

const JSON_TYPE = 'application/json';

function jsonContent(schemaName: string): JsonObject {
  return { [JSON_TYPE]: { schema: schemaRef(schemaName) } };
}

function security(scope: Scope): JsonObject[] {
  return [{ ApiKey: [scope] }, { Bearer: [scope] }];
}

interface KeyedOperation {
  operationId: string;
  tag: string;
  summary: string;
  description: string;
  scope: Scope;
  parameters?: string[];
  requestSchema?: string;
  ok: { description: string; schema: string };
}

/** An operation behind a key: its 200 and every error such an endpoint can give (docs/api.md#errors). */
function keyedOperation(op: KeyedOperation): JsonObject {
  return {
    operationId: op.operationId,
    tags: [op.tag],
    summary: op.summary,
    description: op.description,
    security: security(op.scope),
    parameters: [...(op.parameters ?? []), 'RequestId'].map(parameterRef),
    ...(op.requestSchema ? { requestBody: { required: true, content: jsonContent(op.requestSchema) } } : {}),
    responses: {
      '200': { description: op.ok.description, headers: countedHeaders(), content: jsonContent(op.ok.schema) },
      '400': responseRef('ValidationError'),
      '401': responseRef('Unauthorized'),
      '403': responseRef(forbiddenName(op.scope)),
      // The body's type, and its size within the limit, are checked before the key.
      ...(op.requestSchema ? { '413': responseRef('PayloadTooLarge'), '415': responseRef('UnsupportedMediaType') } : {}),
      '429': responseRef('RateLimited'),
      '500': responseRef('InternalError'),
      '503': responseRef('Unavailable'),
    },
  };
}

interface OpenOperation {
  operationId: string;
  tag: string;
  summary: string;
  description: string;
  parameters?: JsonObject[];
  responses: Record<string, JsonObject>;
}

/** An operation that needs no key (and is counted against no rate limit). */
function openOperation(op: OpenOperation): JsonObject {
  return {
    operationId: op.operationId,
    tags: [op.tag],
    summary: op.summary,
    description: op.description,
    security: [],
    parameters: [...(op.parameters ?? []), parameterRef('RequestId')],
    responses: op.responses,
  };
}

function jsonResponse(description: string, schemaName: string): JsonObject {
  return { description, headers: plainHeaders(), content: jsonContent(schemaName) };
}

const TEXT = { type: 'string' };

const PATHS: Record<string, JsonObject> = {
  '/api/v1/sessions': {
    get: keyedOperation({
      operationId: 'listSessions',
      tag: 'Sessions',
      summary: 'List sessions',
      description:
        "The key's account's sessions that started in the range, by `started_at` then `id`, ascending (`order=desc`: the exact reverse, newest first). Paging by `offset += limit` visits every session once, in either order, while the data does not change. `total` counts all matching sessions; `limit` and `offset` are the values applied.",
      scope: 'read:analytics',
      parameters: ['SessionsLimit', 'SessionsOffset', 'SessionsStartDate', 'SessionsEndDate', 'SessionsOrder'],
      ok: { description: 'A page of sessions.', schema: 'SessionPage' },
    }),
  },
  '/api/v1/events': {
    post: keyedOperation({
      operationId: 'ingestEvents',
      tag: 'Ingestion',
      summary: 'Send a batch of events',
      description:
        'Stores the valid events of a batch of 1 to 1,000 in one transaction (on a 5xx none is stored, so a retry is safe) and reports the invalid ones. Delivery is idempotent: duplicates are counted, not stored again. A body that is not JSON, not `{"events": [...]}`, empty, or over 1,000 events is a 400 and nothing is stored.',
      scope: 'write:events',
      requestSchema: 'EventBatch',
      ok: { description: 'What was stored, and why the rejected events were.', schema: 'IngestResult' },
    }),
  },
  '/api/v1/hooks/claude-code': {
    post: keyedOperation({
      operationId: 'ingestClaudeCodeHook',
      tag: 'Ingestion',
      summary: "Receive a Claude Code hook's payload",
      description:
        'Point a Claude Code `"type": "http"` hook here. Each delivery is stored as its own event, stamped with the time it arrived. Only `session_id` and `hook_event_name` are required; without either → 400.',
      scope: 'write:events',
      requestSchema: 'HookPayload',
      ok: { description: 'Received (stored, or not a hook event the gateway stores).', schema: 'HookAck' },
    }),
  },
  '/api/v1/analytics/overview': {
    get: keyedOperation({
      operationId: 'getAnalyticsOverview',
      tag: 'Analytics',
      summary: 'Totals and top tools',
      description: 'Over the sessions that started in the range and every event of those sessions.',
      scope: 'read:analytics',
      parameters: ['AnalyticsStartDate', 'AnalyticsEndDate'],
      ok: { description: 'The overview.', schema: 'AnalyticsOverview' },
    }),
  },
  '/api/v1/analytics/tools': {
    get: keyedOperation({
      operationId: 'getAnalyticsTools',
      tag: 'Analytics',
      summary: 'Per-tool figures',
      description:
        'Over the sessions that started in the range: each tool invoked at least once, by `invocation_count` descending, then name. A `tool_use` without a string `tool_name` counts in the overview totals only.',
      scope: 'read:analytics',
      parameters: ['ToolsLimit', 'AnalyticsStartDate', 'AnalyticsEndDate'],
      ok: { description: 'The tools.', schema: 'AnalyticsTools' },
    }),
  },
  '/api/v1/analytics/usage': {
    get: keyedOperation({
      operationId: 'getAnalyticsUsage',
      tag: 'Analytics',
      summary: 'Model usage: tokens and cost',
      description:
        "Over the model requests made in the range (by each request's own instant, not its session's start), grouped by UTC day or by model. A request reported both by its transcript and by Claude Code's OTLP export counts once, with the transcript's tokens.",
      scope: 'read:analytics',
      parameters: ['UsageGroupBy', 'UsageStartDate', 'UsageEndDate'],
      ok: { description: 'The usage groups.', schema: 'AnalyticsUsage' },
    }),
  },
  [OPENAPI_PATH]: {
    get: openOperation({
      operationId: 'getOpenApiDocument',
      tag: 'Documentation',
      summary: 'This document',
      description: 'The REST API as OpenAPI 3.1.',
      responses: {
        '200': {
          description: 'The OpenAPI document.',
          headers: plainHeaders(),
          content: {
            [JSON_TYPE]: {
              schema: {
                type: 'object',
                properties: { openapi: { type: 'string', pattern: '^3\\.1\\.' }, info: { type: 'object' }, paths: { type: 'object' } },
                required: ['openapi', 'info', 'paths'],
              },
            },
          },
        },
      },
    }),
  },
  '/api/v1/docs': {
    get: openOperation({
      operationId: 'getDocsPage',
      tag: 'Documentation',
      summary: 'Browse this document',
      description: 'A Swagger UI page for this document, served with its assets by the gateway itself (nothing from other hosts).',
      responses: { '200': { description: 'The page.', headers: plainHeaders(), content: { 'text/html': { schema: TEXT } } } },
    }),
  },
  '/api/v1/docs/assets/{file}': {
    get: openOperation({
      operationId: 'getDocsAsset',
      tag: 'Documentation',
      summary: "The docs page's files",
      description: 'Only these files. Asked with the `v` the page gives, an answer may be cached for good.',
      parameters: [
        { name: 'file', in: 'path', required: true, schema: { type: 'string', enum: [...DOCS_ASSET_FILES] } },
        { name: 'v', in: 'query', required: false, description: 'The content version the page links to.', schema: TEXT },
      ],
      responses: {
        '200': {
          description: 'The file.',
          headers: plainHeaders(),
          content: { 'text/css': { schema: TEXT }, 'text/javascript': { schema: TEXT }, 'image/png': {} },
        },
        '404': responseRef('NotFound'),
      },
    }),
  },
  '/healthz': {
    get: openOperation({
      operationId: 'getHealth',
      tag: 'Operations',
      summary: 'Liveness',
      description: 'Answers 200 while the process serves.',
      responses: { '200': jsonResponse('Serving.', 'Health') },
    }),
  },
  '/readyz': {
    get: openOperation({
      operationId: 'getReadiness',
      tag: 'Operations',
      summary: 'Readiness',
      description: 'Answers 200 when the database answers, else 503.',
      responses: {
        '200': jsonResponse('The database answers.', 'Ready'),
        '503': jsonResponse('The database cannot be reached.', 'NotReady'),
      },
    }),
  },
};

function buildDocument(): JsonObject {
  return {
    openapi: '3.1.1',
    info: {
      title: 'Trenchcoat gateway REST API',
      version,
      description: DESCRIPTION,
      license: { name: 'MIT', identifier: 'MIT' },
    },
    tags: [
      { name: 'Sessions', description: 'Sessions folded from the events.' },
      { name: 'Ingestion', description: 'Events in, as batches or as Claude Code hook payloads.' },
      { name: 'Analytics', description: 'Figures over a range of sessions.' },
      { name: 'Documentation', description: 'This document and its browsing page.' },
      { name: 'Operations', description: 'Health probes.' },
    ],
    paths: PATHS,
    components: {
      schemas: { ...RESOURCE_SCHEMAS, ...ERROR_SCHEMAS },
      responses: ERROR_RESPONSES,
      parameters: PARAMETERS,
      headers: HEADERS,
      securitySchemes: {
        ApiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'A key `ct_live_` + 32 characters of `[a-z0-9]`.' },
        Bearer: { type: 'http', scheme: 'bearer', description: 'The same key as `Authorization: Bearer <key>`.' },
      },
    },
  };
}

export const OPENAPI_DOCUMENT: JsonObject = buildDocument();
