import type { Kysely } from 'kysely';
import type { EngineName } from '../../src/db/engine-name.js';
import * as initial from './0001-initial.js';
import * as eventToolUseId from './0002-event-tool-use-id.js';
import * as sessionTools from './0003-session-tools.js';
import * as sessionDays from './0004-session-days.js';
import * as rateCounters from './0005-rate-counters.js';
import * as persistedQueries from './0006-persisted-queries.js';
import * as usage from './0007-usage.js';
import * as toolHours from './0008-tool-hours.js';

export interface Migration {
  up(db: Kysely<unknown>, dialect: EngineName): Promise<void>;
}

/** Applied in key order; a name, once released, never changes. */
export const migrations: Readonly<Record<string, Migration>> = Object.freeze({
  '0001-initial': initial,
  '0002-event-tool-use-id': eventToolUseId,
  '0003-session-tools': sessionTools,
  '0004-session-days': sessionDays,
  '0005-rate-counters': rateCounters,
  '0006-persisted-queries': persistedQueries,
  '0007-usage': usage,
  '0008-tool-hours': toolHours,
});
