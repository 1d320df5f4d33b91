// On PostgreSQL the request path's named statements run on connections of their own, set to reuse one generic plan per
// statement; every other statement (analytics over long ranges above all) keeps plans made for its values
// (src/db/pg-kysely-pool.ts). PGlite is one backend behind one pooled connection here: these need a server.
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reusable } from '../src/db/reusable-query.js';
import { describeNeeding } from './support/requirements.js';
import { getStatus } from './support/rest-read-helpers.js';
import { TEST_ENGINE } from './support/test-database.js';
import { event, SESSION_A, SESSION_B, startTestGateway, type TestGateway } from './support/test-gateway.js';

const DAY_PAGE = '/api/v1/sessions?start_date=2026-04-01&end_date=2026-04-02&limit=50';
const PAGE_STATEMENT = 'as "total" from "sessions"';

interface PreparedPlans {
  statement: string;
  generic_plans: number;
  custom_plans: number;
}

/** pg_prepared_statements as the connection that runs named statements sees it: this query is a named one too. */
function namedLanePlans(db: Kysely<any>): Promise<PreparedPlans[]> {
  return reusable<PreparedPlans>(db, 'test.preparedPlans', () =>
    db.selectFrom('pg_prepared_statements').select(['statement', 'generic_plans', 'custom_plans']),
  ).execute(db);
}

describe.runIf(TEST_ENGINE === 'postgres')('plans on PostgreSQL', () => describeNeeding('postgres', 'on a server', () => {
  // Two connections: one runs the named statements, one everything else.
  let t: TestGateway;
  let key: string;

  beforeAll(async () => {
    t = await startTestGateway({ env: { TRENCHCOAT_PG_POOL_SIZE: '2' } });
    key = await t.key();
    const events = [event('session_start', SESSION_A, '2026-04-01T09:00:00Z'), event('session_start', SESSION_B, '2026-04-02T09:00:00Z')];
    expect((await t.post('/api/v1/events', { events }, key)).status).toBe(200);
  }, 60_000);
  afterAll(() => t?.close());

  it("runs a day page's statement with one generic plan, never one made for its values", async () => {
    // PostgreSQL's own choice for this statement is a plan per run: its empty ranges look cheaper with their values.
    for (let i = 0; i < 8; i++) expect(await getStatus(t, DAY_PAGE, key)).toBe(200);
    const page = (await namedLanePlans(t.gateway.database.db)).filter((s) => s.statement.includes(PAGE_STATEMENT));
    expect(page).toHaveLength(1);
    expect(page[0]).toMatchObject({ generic_plans: 8, custom_plans: 0 });
  });

  it('plans every other statement for its values, and holds no more connections than TRENCHCOAT_PG_POOL_SIZE', async () => {
    const { rows } = await sql<{ plan_cache_mode: string }>`show plan_cache_mode`.execute(t.gateway.database.db);
    expect(rows).toEqual([{ plan_cache_mode: 'auto' }]);
    const paths = [DAY_PAGE, '/api/v1/analytics/tools?start_date=2026-01-01&end_date=2026-12-31', '/api/v1/analytics/overview'];
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => getStatus(t, paths[i % paths.length]!, key)));
    expect(answers).toEqual(answers.map(() => 200));
    expect(t.gateway.database.poolStats()).toMatchObject({ total: 2, waiting: 0 });
  });
}));
