// Bench note for cursor paging (docs/api.md#cursor-paging): how a page deep in the sessions costs
// beside the first page, by cursor (`first`/`after`) and by offset (`limit`/`offset`), through the
// listSessions use case GraphQL runs. Sessions rows are written straight into a temporary SQLite
// file (session_days follows by its triggers): paging reads only those, so ingestion is not needed.
// Not part of `npm test`. Run: node --import tsx bench/cursor-depth.ts [sessions] [depth]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig } from '../src/config.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { openDatabase } from '../src/db/open-database.js';
import { encodeSessionCursor } from '../src/sessions/session-cursor.js';
import { listSessions, type ListSessionsArgs } from '../src/use-cases/list-sessions.js';
import type { AuthorizedContext } from '../src/use-cases/use-case.js';
import { localServices } from '../src/use-cases/use-case-context.js';
import { mulberry32, randomUuid } from './sessions-gen.js';
import { median } from './median.js';

const SESSIONS = Number(process.argv[2] ?? 1_000_000);
const DEPTH = Number(process.argv[3] ?? SESSIONS - 100);
const RUNS = 200;
const NOW = Date.parse('2025-01-01T00:00:00Z');
const SPAN_MS = 365 * 86_400_000;
const PAGE = 50;

/** Median milliseconds of each scenario, measured in interleaved rounds so that no scenario gets a warmer cache or a quieter machine. */
async function timed(scenarios: [string, () => Promise<unknown>][]): Promise<number[]> {
  for (const [, fn] of scenarios) for (let i = 0; i < 3; i++) await fn(); // warm-up
  const times: number[][] = scenarios.map(() => []);
  for (let round = 0; round < RUNS; round++) {
    for (const [i, [, fn]] of scenarios.entries()) {
      const started = performance.now();
      await fn();
      times[i]!.push(performance.now() - started);
    }
  }
  return scenarios.map(([label], i) => {
    const m = median(times[i]!);
    console.log(`${label.padEnd(56)} median ${m.toFixed(3).padStart(8)} ms   (min ${Math.min(...times[i]!).toFixed(3)}, ${RUNS} runs)`);
    return m;
  });
}

const dir = mkdtempSync(join(tmpdir(), 'trenchcoat-cursor-bench-'));
const database = openDatabase(join(dir, 'bench.db'), defaultConfig().postgres, defaultConfig().sqlite);
try {
  await migrateToLatest(database);
  const { db } = database;
  const account = await db.insertInto('accounts').values({ slug: 'bench', created_at: NOW }).returning('id').executeTakeFirstOrThrow();
  const accountId = Number(account.id);

  const random = mulberry32(16);
  const built = performance.now();
  for (let written = 0; written < SESSIONS; ) {
    await db.transaction().execute(async (tx) => {
      for (let chunk = 0; chunk < 100 && written < SESSIONS; chunk++) {
        const rows = Array.from({ length: Math.min(100, SESSIONS - written) }, () => {
          // Whole seconds: many sessions share an instant, so ties by id are exercised too.
          const start = NOW - Math.floor(random() * (SPAN_MS / 1000)) * 1000;
          return {
            account_id: accountId, id: randomUuid(random), started_at: start, min_start_at: start, max_start_at: start,
            max_end_at: start + 60_000, min_event_at: start, max_event_at: start + 60_000, event_count: 3, tool_invocations: 1,
          };
        });
        await tx.insertInto('sessions').values(rows).onConflict((oc) => oc.doNothing()).execute();
        written += rows.length;
      }
    });
  }
  console.log(`${SESSIONS} sessions written in ${((performance.now() - built) / 1000).toFixed(1)} s; pages of ${PAGE}, depth ${DEPTH}`);

  const ctx: AuthorizedContext = {
    ...localServices(db, undefined, () => NOW),
    principal: { keyId: 'bench', keyPrefix: 'bench', accountId, accountSlug: 'bench', scopes: new Set(['read:analytics']), tier: 'unlimited' },
  };
  const run = (args: ListSessionsArgs) => () => listSessions.run(ctx, args);

  // The cursor of the session just before depth DEPTH, as a client would hold it after DEPTH sessions.
  const before = await listSessions.run(ctx, { limit: 1, offset: DEPTH - 1 });
  const after = encodeSessionCursor(before.nodes[0]!, before.cursorOwner);
  const deepByCursor = await listSessions.run(ctx, { first: PAGE, after });
  const deepByOffset = await listSessions.run(ctx, { limit: PAGE, offset: DEPTH });
  if (JSON.stringify(deepByCursor.nodes) !== JSON.stringify(deepByOffset.nodes)) throw new Error('the cursor page and the offset page differ');

  const [cursorFirst, cursorDeep, cursorDeepBack, offsetFirst, offsetDeep, withPosition] = await timed([
    ['cursor: first page (first: 50)', run({ first: PAGE })],
    [`cursor: page at depth ${DEPTH} (first: 50, after)`, run({ first: PAGE, after })],
    [`cursor: page at depth ${DEPTH} (last: 50, before)`, run({ last: PAGE, before: after })],
    ['offset: first page (limit: 50)', run({ limit: PAGE })],
    [`offset: page at depth ${DEPTH} (limit: 50, offset)`, run({ limit: PAGE, offset: DEPTH })],
    [`cursor: depth ${DEPTH}, and the offset field asked for`, async () => (await run({ first: PAGE, after })()).position?.()],
  ]) as [number, number, number, number, number, number];
  console.log(`ratio deep/first: cursor ${(cursorDeep / cursorFirst).toFixed(2)} (backward ${(cursorDeepBack / cursorFirst).toFixed(2)}), ` +
    `offset ${(offsetDeep / offsetFirst).toFixed(2)}; deep cursor / deep offset ${(cursorDeep / offsetDeep).toFixed(2)}; ` +
    `offset field at depth / without ${(withPosition / cursorDeep).toFixed(2)}`);
} finally {
  await database.close();
  rmSync(dir, { recursive: true, force: true });
}
