import type { GraphQLResolveInfo } from 'graphql';
import { isEmptyRange, resolveRange } from '../../analytics/analytics-range.js';
import { takeTurn } from '../../limits/take-turn.js';
import type { SessionActivity } from '../../usage/session-activity.js';
import { countRangeUsageRows } from '../../usage/usage-queries.js';
import type { UsageSummary } from '../../usage/usage-summary.js';
import { analyticsUsage, DEFAULT_USAGE_GROUPING, type UsageGroup } from '../../use-cases/analytics-usage.js';
import { authorized } from '../authorized.js';
import { builder } from '../builder.js';
import { itemKeyBytes } from '../item-key-bytes.js';
import type { GraphQLContext } from '../context.js';
import { responsePath } from '../response-path.js';
import { RangeMemo } from '../range-memo.js';
import { usageLoaders } from '../usage-loaders.js';
import { AnalyticsType, at, type AnalyticsRequest } from './analytics.js';
import { SessionType } from './session.js';

const UsageInterface = builder.interfaceRef<UsageSummary>('Usage').implement({
  description:
    'Tokens and cost of a set of model requests. A request known from its transcript counts its transcript\'s tokens; ' +
    'one known only from Claude Code\'s OTLP export, the export\'s.',
  fields: (t) => ({
    inputTokens: t.expose('inputTokens', { type: 'SafeInt' }),
    outputTokens: t.expose('outputTokens', { type: 'SafeInt' }),
    cacheCreationTokens: t.expose('cacheCreationTokens', { type: 'SafeInt', description: 'Cache writes, 5-minute and 1-hour.' }),
    cacheReadTokens: t.expose('cacheReadTokens', { type: 'SafeInt' }),
    totalTokens: t.expose('totalTokens', { type: 'SafeInt', description: 'The four counts above, summed.' }),
    costUsd: t.exposeFloat('costUsd', {
      description:
        'USD. Per request: with transcript data, its tokens at the list prices (bundled, or TRENCHCOAT_PRICES_FILE over them; else Claude Code\'s own ' +
        'estimate); known only from OTLP, Claude Code\'s own estimate (else the list prices). A request with neither ' +
        'adds 0 and its model is listed in unpricedModels.',
    }),
    reportedCostUsd: t.exposeFloat('reportedCostUsd', {
      nullable: true,
      description: 'USD: the sum of Claude Code\'s own estimates (OTLP cost_usd); null when no request has one.',
    }),
    computedCostUsd: t.exposeFloat('computedCostUsd', {
      nullable: true,
      description: 'USD at the list prices (bundled, or TRENCHCOAT_PRICES_FILE over them), over the requests whose model has one; null when none has.',
    }),
    models: t.exposeStringList('models', { description: 'Distinct models, sorted; an unknown model and <synthetic> left out.' }),
    unpricedModels: t.exposeStringList('unpricedModels', {
      description: 'Distinct models, sorted, of requests counted as 0 in costUsd: no list price and no estimate ("" for an unknown model).',
    }),
    requests: t.expose('requests', { type: 'SafeInt', description: 'Model requests.' }),
    apiErrors: t.expose('apiErrors', { type: 'SafeInt', description: 'Failed model requests (OTLP api_error).' }),
  }),
});

const SessionUsageType = builder.objectRef<UsageSummary>('SessionUsage').implement({
  description: 'The model usage of one session.',
  interfaces: [UsageInterface],
});

const UsageGroupType = builder.objectRef<UsageGroup>('UsageGroup').implement({
  description: 'The model usage of the requests made on one UTC day, or with one model.',
  interfaces: [UsageInterface],
  fields: (t) => ({
    day: t.expose('day', { type: 'Date', nullable: true, description: 'Grouped by DAY: the UTC day of the requests.' }),
    model: t.exposeString('model', { nullable: true, description: 'Grouped by MODEL: the model as reported ("" when unknown).' }),
  }),
});

const SessionActivityType = builder.objectRef<SessionActivity>('SessionActivity').implement({
  description: 'Claude Code\'s own counters of one session (OTLP metrics), each summed over its points.',
  fields: (t) => ({
    activeTimeUserSeconds: t.exposeFloat('activeTimeUserSeconds'),
    activeTimeCliSeconds: t.exposeFloat('activeTimeCliSeconds'),
    linesAdded: t.expose('linesAdded', { type: 'SafeInt' }),
    linesRemoved: t.expose('linesRemoved', { type: 'SafeInt' }),
    commits: t.expose('commits', { type: 'SafeInt' }),
    pullRequests: t.expose('pullRequests', { type: 'SafeInt' }),
  }),
});

const UsageGroupByEnum = builder.enumType('UsageGroupBy', {
  values: {
    DAY: { value: 'day', description: 'One group per UTC day with a request or a failure, by day ascending.' },
    MODEL: { value: 'model', description: 'One group per model, by costUsd descending, then model.' },
  } as const,
});

const namesBytes = (u: UsageSummary) =>
  [...u.models, ...u.unpricedModels].reduce((sum, name) => sum + Buffer.byteLength(JSON.stringify(name)), 0);

builder.objectFields(SessionType, (t) => ({
  usage: t.field({
    type: SessionUsageType,
    nullable: true,
    description: 'Its model requests\' tokens and cost; null when none is known (nor any failed one).',
    resolve: async (session, _args, ctx, info) => {
      const loaded = await usageLoaders(ctx, session).usage.load(session.id);
      ctx.budgets.of(session).charge({
        rows: loaded.rows,
        bytes: loaded.usage ? namesBytes(loaded.usage) : 0,
        path: responsePath(info.path),
        what: `Session.usage, ${loaded.usage?.requests ?? 0} requests`,
        advice: () => 'Leave out Session.usage for this session, or ask for fewer sessions at a time.',
      });
      return loaded.usage;
    },
  }),
  activity: t.field({
    type: SessionActivityType,
    nullable: true,
    description: 'Claude Code\'s counters (active time, lines, commits, pull requests); null when it exported none.',
    resolve: async (session, _args, ctx, info) => {
      const loaded = await usageLoaders(ctx, session).activity.load(session.id);
      ctx.budgets.of(session).charge({
        rows: loaded.rows,
        path: responsePath(info.path),
        what: `Session.activity, ${loaded.rows} points`,
        advice: () => 'Leave out Session.activity for this session, or ask for fewer sessions at a time.',
      });
      return loaded.activity;
    },
  }),
}));

/** Per request: the usage rows of each range asked for. */
const counted = new RangeMemo<Promise<number>>('usage row counts');

/**
 * The rows Analytics.usage reads (its range's requests and failures), counted no further than the rows budget has
 * room for, then charged before any is read, as the other analytics fields charge their sessions.
 */
async function chargeUsageRows(ctx: GraphQLContext, request: AnalyticsRequest, info: GraphQLResolveInfo): Promise<void> {
  const budget = ctx.budgets.of();
  const range = resolveRange(request.range, request.now, []);
  let rows = 0;
  if (!isEmptyRange(range)) {
    rows = await counted.get(ctx.budgets, range, () => countRangeUsageRows(ctx.readsOffLoop, authorized(ctx).principal.accountId, range, budget.roomRows + 1));
  }
  budget.charge({
    rows,
    path: responsePath(info.path),
    what: `Analytics.usage, about ${rows} requests and failures in its range`,
    advice: () => 'Ask for a shorter date range, or for fewer analytics fields or aliases at a time.',
  });
  await takeTurn();
  budget.check();
}

builder.objectFields(AnalyticsType, (t) => ({
  usage: t.field({
    type: [UsageGroupType],
    description:
      'Model usage of the requests made within the range (by each request\'s own instant, not its session\'s start), ' +
      'grouped by UTC day (ascending) or by model (costUsd descending, then model).',
    args: {
      groupBy: t.arg({ type: UsageGroupByEnum, required: true, defaultValue: DEFAULT_USAGE_GROUPING }),
    },
    resolve: async (request, args, ctx, info) => {
      await chargeUsageRows(ctx, request, info);
      const groups = await analyticsUsage.run(at(ctx, request), { ...request.range, groupBy: args.groupBy });
      // Each item as written, with every field and the keys as selected: the answer's shape counted one item only.
      const keys = itemKeyBytes(info);
      ctx.budgets.of().charge({
        bytes: groups.reduce((sum, g) => sum + keys + Buffer.byteLength(JSON.stringify(g)), 0),
        path: responsePath(info.path),
        what: `Analytics.usage, ${groups.length} groups`,
        advice: () => 'Ask for a shorter date range, or for fewer analytics aliases.',
      });
      return groups;
    },
  }),
}));
