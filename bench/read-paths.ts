// The read scenarios' requests: the REST paths, and the GraphQL query of the one-day page.
import type { ScenarioName } from './args.js';
import { DAY_WINDOW, MONTH_WINDOW, type Dataset } from './dataset.js';

export type RestScenario = Extract<ScenarioName, `rest-${string}`>;

function restPath(params: Record<string, string | number>): string {
  return `/api/v1/sessions?${new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)])).toString()}`;
}

export const GRAPHQL_QUERY =
  `{ sessions(limit: 50, startDate: "${DAY_WINDOW.start}", endDate: "${DAY_WINDOW.end}") ` +
  '{ total nodes { id startedAt endedAt durationMs eventCount toolInvocations } } }';

export type ReadPaths = ReturnType<typeof readScenarioPaths>;

export function readScenarioPaths(dataset: Dataset) {
  const deepOffset = Math.floor(dataset.meta.sessions * 0.9);
  return {
    deepOffset,
    rest: {
      'rest-day': { path: restPath({ start_date: DAY_WINDOW.start, end_date: DAY_WINDOW.end, limit: 50 }), description: 'REST one day' },
      'rest-month': { path: restPath({ start_date: MONTH_WINDOW.start, end_date: MONTH_WINDOW.end, limit: 200 }), description: 'REST one month' },
      'rest-first-page': { path: restPath({ limit: 50 }), description: 'REST first page, unfiltered' },
      'rest-deep-page': { path: restPath({ limit: 50, offset: deepOffset }), description: 'REST deep page (offset at 90% of the account\'s sessions)' },
    } as Record<RestScenario, { path: string; description: string }>,
    graphqlBody: JSON.stringify({ query: GRAPHQL_QUERY }),
    graphqlQuery: GRAPHQL_QUERY,
  };
}
