// What each scenario's ratio (gateway ÷ baseline) should reach, per engine (issue 19's goals), the GraphQL
// peers' and the RSS ceiling.
import type { ScenarioName } from './args.js';

type EngineName = 'sqlite' | 'postgres';

const SQLITE_TARGETS: Record<ScenarioName, number> = {
  'rest-day': 0.9,
  'rest-month': 1,
  'rest-first-page': 3,
  'rest-deep-page': 3,
  'graphql-day': 0.7,
  'graphql-browser': 0.6,
  workers: 1.6,
  ingest: 0.5,
};

const POSTGRES_TARGETS: Record<ScenarioName, number> = {
  ...SQLITE_TARGETS,
  'rest-day': 0.8,
  'rest-month': 0.8,
  'graphql-day': 0.6,
};

export function targetsFor(engine: EngineName): Readonly<Record<ScenarioName, number>> {
  return engine === 'postgres' ? POSTGRES_TARGETS : SQLITE_TARGETS;
}

/** For the help text: the SQLite goal, and PostgreSQL's where it differs. */
export function targetText(name: ScenarioName): string {
  const [s, p] = [SQLITE_TARGETS[name], POSTGRES_TARGETS[name]];
  return s === p ? `≥ ${s}×` : `≥ ${s}×, PostgreSQL ≥ ${p}×`;
}

export const PEER_TARGETS = { apollo: 2, mercurius: 1 } as const;
export const RSS_TARGET_MIB = 250;
