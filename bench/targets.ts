// What each scenario's ratio (gateway ÷ baseline) should reach, the GraphQL peers' and the RSS ceiling.
import type { ScenarioName } from './args.js';

export const TARGETS: Record<ScenarioName, number> = {
  'rest-day': 0.8,
  'rest-month': 0.8,
  'rest-first-page': 3,
  'rest-deep-page': 3,
  'graphql-day': 0.6,
  'graphql-browser': 0.6,
  workers: 1.6,
  ingest: 0.5,
};
export const PEER_TARGETS = { apollo: 2, mercurius: 1 } as const;
export const RSS_TARGET_MIB = 250;
