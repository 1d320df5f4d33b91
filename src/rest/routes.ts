import { analyticsOverviewRoute } from './analytics-overview-route.js';
import { analyticsToolsRoute } from './analytics-tools-route.js';
import { analyticsUsageRoute } from './analytics-usage-route.js';
import { docsAssetRoutes, docsPageRoute } from './docs-routes.js';
import { eventsRoute } from './events-route.js';
import { hooksRoute } from './hooks-route.js';
import { openApiRoute } from './openapi-route.js';
import type { RestRoute } from './route.js';
import { sessionsRoute } from './sessions-route.js';

export const restRoutes: ReadonlyMap<string, RestRoute> = new Map(
  [sessionsRoute, eventsRoute, analyticsOverviewRoute, analyticsToolsRoute, analyticsUsageRoute, hooksRoute, openApiRoute, docsPageRoute, ...docsAssetRoutes].map(
    (route) => [route.path, route],
  ),
);
