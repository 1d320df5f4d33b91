import { eventsRoute } from './events-route.js';
import { hooksRoute } from './hooks-route.js';
import type { RestRoute } from './route.js';
import { sessionsRoute } from './sessions-route.js';

export const restRoutes: ReadonlyMap<string, RestRoute> = new Map(
  [sessionsRoute, eventsRoute, hooksRoute].map((route) => [route.path, route]),
);
