// Bench note for the dashboard (issue 18: "the overview and the first sessions page are complete within 1 s of
// navigation" with 100,000 sessions): a SQLite data set of N generated sessions, as
// `trenchcoat seed --sessions N --days 30` stores them (with --usage, their model usage too, as `seed --usage`; built
// once, in this process, and kept under bench/.data/), a gateway on it in this process, and Chromium. Each run opens
// the page in a new tab with the key already in sessionStorage, as a first visit (a fresh browser profile, nothing
// cached) and as a returning one (the page's files cached), and times from navigation start (a) the overview's cards,
// charts and top tools, (b) the sessions page's first 50 rows, at the first animation frame after they are in the
// document. The range is the last 30 days of the data set (the default preset on the day the data were generated).
// Prints the medians of several runs after a warm-up, as a dated table with the commit.
// Not a test. Run: node --import tsx bench/dashboard-load.ts [--sessions 100000] [--usage] [--runs 7] [--db PATH]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { loadConfig } from '../src/config.js';
import { DEFAULT_DASHBOARD_DIR } from '../src/dashboard/dashboard-files.js';
import { demoSessions } from '../src/demo/demo-events.js';
import { storeDemoSessions } from '../src/demo/store-demo-sessions.js';
import { startGateway, type RunningGateway } from '../src/gateway.js';
import { importPrincipal } from '../src/import/import-transcripts.js';
import { createLogger } from '../src/log/logger.js';
import { createUseCaseContext } from '../src/use-cases/use-case-context.js';
import { removeDb } from './dataset-file.js';
import { flagsOrExit, FlagReader } from './flag-reader.js';
import { median } from './median.js';
import { ROOT } from './processes.js';

const ACCOUNT = 'demo';
const SPAN_DAYS = 30;
const PAGE_SIZE = 50;
const VIEWPORT = { width: 1280, height: 800 };
const WAIT_MS = 60_000;
const CHROMIUM = process.env['CHROMIUM_PATH'] || '/usr/bin/chromium';

const USAGE = `Usage: node --import tsx bench/dashboard-load.ts [options]

  --sessions N   sessions in the data set (default 100000)
  --usage        with the sessions' model usage (as seed --usage): the overview adds its tokens, cost and cost chart
  --runs R       measured runs per page, after one warm-up (default 7)
  --db PATH      the SQLite data set (default bench/.data/dashboard-N.db, with --usage dashboard-N-usage.db): built
                 there when missing, else reused
  --help`;

interface Args {
  sessions: number;
  usage: boolean;
  runs: number;
  db: string;
}

function parseArgs(argv: readonly string[]): Args | 'help' {
  let sessions = 100_000;
  let runs = 7;
  let usage = false;
  let db: string | null = null;
  const flags = new FlagReader(argv);
  for (let flag = flags.next(); flag !== null; flag = flags.next()) {
    if (flag === '--help' || flag === '-h') return 'help';
    else if (flag === '--sessions') sessions = flags.integer(1);
    else if (flag === '--runs') runs = flags.integer(1);
    else if (flag === '--usage') usage = true;
    else if (flag === '--db') db = flags.value();
    else throw flags.unknown();
  }
  return { sessions, usage, runs, db: resolve(db ?? join(ROOT, 'bench', '.data', `dashboard-${sessions}${usage ? '-usage' : ''}.db`)) };
}

function gatewayOn(db: string): Promise<RunningGateway> {
  const config = loadConfig({ port: '0', host: '127.0.0.1', db }, { TRENCHCOAT_DASHBOARD: 'on', TRENCHCOAT_ANONYMOUS_REQUESTS_PER_MINUTE: '100000' });
  return startGateway(config, { logger: createLogger('silent') });
}

/** Stores the data set as `trenchcoat seed --sessions N --days 30 [--usage]` would (same ids), into a file renamed when complete. */
async function buildDataset(args: Args): Promise<void> {
  mkdirSync(dirname(args.db), { recursive: true });
  const partial = `${args.db}.partial`;
  removeDb(partial);
  const gateway = await gatewayOn(partial);
  const started = performance.now();
  let reported = 0;
  try {
    const ctx = createUseCaseContext(gateway.services, importPrincipal(await gateway.keys.ensureAccount(ACCOUNT), ACCOUNT));
    const generated = demoSessions(Date.now(), args.sessions, { tag: `seed-${ACCOUNT}-${args.sessions}`, spanDays: SPAN_DAYS });
    const summary = await storeDemoSessions(ctx, generated, {
      withUsage: args.usage,
      progress: (done) => {
        if (done.sessions - reported < args.sessions / 20 && done.sessions < args.sessions) return;
        reported = done.sessions;
        process.stderr.write(`  ${done.sessions.toLocaleString('en-US')} of ${args.sessions.toLocaleString('en-US')} sessions stored (${((performance.now() - started) / 1000).toFixed(0)} s)\n`);
      },
    });
    process.stderr.write(`  ${summary.events.toLocaleString('en-US')} events, ${summary.modelRequests.toLocaleString('en-US')} model requests in ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
  } finally {
    await gateway.close();
  }
  removeDb(args.db);
  for (const suffix of ['-wal', '-shm']) if (existsSync(partial + suffix)) renameSync(partial + suffix, args.db + suffix);
  renameSync(partial, args.db);
}

async function graphql<T>(gateway: RunningGateway, key: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await fetch(`${gateway.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', 'x-api-key': key },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: { message: string }[] };
  if (!body.data) throw new Error(`GraphQL failed: ${JSON.stringify(body.errors)}`);
  return body.data;
}

/** The 30 UTC days ending with the newest session's: what the default preset showed when the data were generated. */
async function datasetRange(gateway: RunningGateway, key: string): Promise<{ from: string; to: string; sessions: number }> {
  const newest = await graphql<{ sessions: { nodes: { startedAt: string }[] } }>(gateway, key, '{ sessions(first: 1, orderBy: STARTED_AT_DESC) { nodes { startedAt } } }');
  const last = newest.sessions.nodes[0]?.startedAt;
  if (!last) throw new Error('the data set holds no session');
  const to = last.slice(0, 10);
  const from = new Date(Date.parse(`${to}T00:00:00Z`) - (SPAN_DAYS - 1) * 86_400_000).toISOString().slice(0, 10);
  const inRange = await graphql<{ sessions: { total: number } }>(gateway, key, 'query($s: DateTime!, $e: DateTime!) { sessions(startDate: $s, endDate: $e) { total } }', {
    s: `${from}T00:00:00Z`,
    e: `${to}T23:59:59.999Z`,
  });
  return { from, to, sessions: inRange.sessions.total };
}

/**
 * In the page, before its script: the time (ms after navigation start) of the first animation frame after the
 * overview (its cards, charts and top tools; with usage, the cost card and chart too), then the first page of
 * sessions, are in the document; or the text of the problem the page shows instead. Plain JavaScript text: tsx would
 * add helpers of its own to a compiled function, which the page does not have.
 */
function watchForComplete(usage: boolean): string {
  return `(() => {
  const marks = {};
  window.benchMarks = marks;
  const done = {
    overview: () =>
      document.querySelector('[data-stat="sessions"]') !== null &&
      document.querySelectorAll('figure.chart rect.bar').length > 0 &&
      document.querySelector('.top-tools li') !== null &&
      (!${usage} || (document.querySelector('[data-stat="cost"]') !== null && document.querySelector('#cost-per-day-title') !== null)),
    sessions: () => document.querySelectorAll('table.sessions tbody tr').length >= ${PAGE_SIZE},
  };
  new MutationObserver(() => {
    const problem = document.querySelector('[role="alert"]');
    if (problem) marks.problem = problem.textContent;
    for (const name of Object.keys(done)) {
      if (marks[name] === undefined && done[name]()) {
        marks[name] = -1;
        requestAnimationFrame(() => { marks[name] = performance.now(); });
      }
    }
  }).observe(document, { childList: true, subtree: true });
})();`;
}

interface Measured {
  completeMs: number;
  /** The page's GraphQL query, request to last byte, as the page's resource timing saw it. */
  graphqlMs: number;
}

type Visit = 'first' | 'returning';

function newProfile(browser: Browser, key: string, usage: boolean): Promise<BrowserContext> {
  return browser.newContext({ viewport: VIEWPORT, locale: 'en-US', timezoneId: 'UTC', colorScheme: 'light' }).then(async (context) => {
    await context.addInitScript((stored: string) => sessionStorage.setItem('trenchcoat-dashboard-key', stored), key);
    await context.addInitScript({ content: watchForComplete(usage) });
    return context;
  });
}

/** One navigation to `url` in a new tab of `context`: when `mark` was complete, or the problem the page showed. */
async function measure(context: BrowserContext, url: string, mark: 'overview' | 'sessions'): Promise<Measured | { problem: string }> {
  const page = await context.newPage();
  try {
    await page.goto(url, { waitUntil: 'commit', timeout: WAIT_MS });
    const outcome = await (
      await page.waitForFunction((name) => {
        const marks = (window as unknown as { benchMarks?: Record<string, number | string> }).benchMarks ?? {};
        const at = marks[name];
        if (typeof at === 'number' && at >= 0) return at;
        return typeof marks['problem'] === 'string' ? marks['problem'] : false;
      }, mark, { timeout: WAIT_MS, polling: 50 })
    ).jsonValue();
    if (typeof outcome === 'string') return { problem: outcome };
    const graphqlMs = await page.evaluate(() => {
      const queries = performance
        .getEntriesByType('resource')
        .filter((entry): entry is PerformanceResourceTiming => entry.name.endsWith('/graphql') && (entry as PerformanceResourceTiming).responseEnd > 0);
      const first = queries[0];
      return first ? first.responseEnd - first.startTime : Number.NaN;
    });
    return { completeMs: Number(outcome), graphqlMs };
  } finally {
    await page.close();
  }
}

/**
 * A first visit runs in a fresh profile each time (nothing cached); a returning one in a profile that has loaded the
 * page before (its files cached, as their immutable names allow). One warm-up, then `runs` measured.
 */
async function measureVisits(browser: Browser, args: Args, key: string, url: string, mark: 'overview' | 'sessions', visit: Visit): Promise<Measured[] | string> {
  const shared = visit === 'returning' ? await newProfile(browser, key, args.usage) : null;
  try {
    const once = async () => {
      const context = shared ?? (await newProfile(browser, key, args.usage));
      try {
        return await measure(context, url, mark);
      } finally {
        if (!shared) await context.close();
      }
    };
    const warmUp = await once();
    if ('problem' in warmUp) return warmUp.problem;
    const runs: Measured[] = [];
    for (let i = 0; i < args.runs; i++) {
      const run = await once();
      if ('problem' in run) throw new Error(`${url} showed a problem on run ${i + 1}: ${run.problem}`);
      runs.push(run);
    }
    return runs;
  } finally {
    await shared?.close();
  }
}

function commit(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT, encoding: 'utf8' }).trim() !== '';
    return dirty ? `${head} + uncommitted changes` : head;
  } catch {
    return 'unknown';
  }
}

const ms = (n: number) => `${Math.round(n)} ms`;

async function main(): Promise<void> {
  const args = flagsOrExit('dashboard-load', USAGE, parseArgs);
  if (!existsSync(join(DEFAULT_DASHBOARD_DIR, 'index.html'))) throw new Error(`no dashboard build in ${DEFAULT_DASHBOARD_DIR}: run \`node dashboard/build.mjs\` (or npm run build)`);
  if (existsSync(args.db)) {
    process.stderr.write(`Reusing ${args.db}\n`);
  } else {
    process.stderr.write(`Building ${args.db}: ${args.sessions.toLocaleString('en-US')} sessions${args.usage ? ' with their usage' : ''}, over ${SPAN_DAYS} days\n`);
    await buildDataset(args);
  }

  const gateway = await gatewayOn(args.db);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  try {
    const created = await gateway.keys.create({ account: ACCOUNT, scopes: ['read:analytics'], tier: 'unlimited', name: 'dashboard-load bench' });
    const range = await datasetRange(gateway, created.key);
    const query = `range=custom&from=${range.from}&to=${range.to}`;
    const pages = [
      { name: `overview: cards, ${args.usage ? 'both charts' : 'chart'}, top tools`, url: `${gateway.url}/dashboard/?${query}`, mark: 'overview' as const },
      { name: `sessions: first ${PAGE_SIZE} rows`, url: `${gateway.url}/dashboard/sessions?${query}`, mark: 'sessions' as const },
    ];
    const load = loadavg()[0]!;
    const rows: string[] = [];
    for (const page of pages) {
      for (const visit of ['first', 'returning'] as const) {
        const runs = await measureVisits(browser, args, created.key, page.url, page.mark, visit);
        if (typeof runs === 'string') {
          rows.push(`| ${page.name} | ${visit} | not complete: the page shows "${runs.replace(/\s+/g, ' ').slice(0, 300)}" | | | |`);
          continue;
        }
        const complete = runs.map((r) => r.completeMs);
        rows.push(
          `| ${page.name} | ${visit} | ${ms(median(complete))} | ${ms(Math.min(...complete))} | ${ms(Math.max(...complete))} | ${ms(median(runs.map((r) => r.graphqlMs)))} |`,
        );
      }
    }
    await gateway.keys.revoke(created.id);
    const lines = [
      `Dashboard load, ${new Date().toISOString().slice(0, 10)}, commit ${commit()}`,
      `${args.sessions.toLocaleString('en-US')} sessions stored${args.usage ? ' with their model usage' : ''} (${range.sessions.toLocaleString('en-US')} in the range ${range.from} – ${range.to}), SQLite ${args.db}`,
      `Chromium ${browser.version()}, Node ${process.version}, ${cpus()[0]?.model.trim() ?? '?'} × ${cpus().length}, load average ${load.toFixed(2)} at start`,
      `Each run: a new tab, the key in sessionStorage; a first visit in a fresh profile (nothing cached), a returning one with the page's files cached; median of ${args.runs} runs after one warm-up`,
      '',
      '| page, complete when in the document and drawn | visit | from navigation start (median) | fastest | slowest | its GraphQL query (median) |',
      '|---|---|---|---|---|---|',
      ...rows,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await browser.close();
    await gateway.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`dashboard-load: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
