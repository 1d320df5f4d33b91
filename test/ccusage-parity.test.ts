import { execFile } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findTranscripts } from '../src/import/find-transcripts.js';
import { TranscriptUsageReader } from '../src/import/transcript-usage.js';
import { costUsd } from '../src/usage/model-price.js';
import type { ModelRequest } from '../src/usage/model-request.js';
import { PriceTable } from '../src/usage/price-table.js';
import { USAGE_FIXTURE_DIR } from './fixtures/claude-code/generate-usage.js';
import { freshAccount } from './support/ingest-support.js';
import { FIXTURE_TRANSCRIPTS, runTrenchcoat } from './support/import-support.js';
import { available, describeNeeding } from './support/requirements.js';
import { startTestGateway, type TestGateway } from './support/test-gateway.js';

// Issue 17, item 4: per session, the tokens we read from the fixture transcripts equal what the pinned ccusage
// (20.0.24, `claude session --json --offline --mode calculate`) reports, and the cost is within 0.5%: first from
// TranscriptUsageReader and the bundled prices alone, then through `trenchcoat import` and GraphQL `Session.usage`.

const run = promisify(execFile);
const COST_TOLERANCE = 0.005;

interface CcusageSession {
  sessionId: string;
  projectPath: string;
  inputTokens: number;
  outputTokens: number;
  cacheCreationTokens: number;
  cacheReadTokens: number;
  totalTokens: number;
  totalCost: number;
  modelsUsed: string[];
}

interface Figures {
  inputTokens: number;
  outputTokens: number;
  cacheCreationTokens: number;
  cacheReadTokens: number;
  totalTokens: number;
  cost: number;
  models: string[];
}

const tokensOf = (f: Pick<Figures, 'inputTokens' | 'outputTokens' | 'cacheCreationTokens' | 'cacheReadTokens' | 'totalTokens'>) => ({
  inputTokens: f.inputTokens, outputTokens: f.outputTokens, cacheCreationTokens: f.cacheCreationTokens, cacheReadTokens: f.cacheReadTokens, totalTokens: f.totalTokens,
});

/**
 * Every fixture transcript in the layout ccusage reads, `<dir>/projects/<project>/<session>.jsonl`: the usage
 * fixtures as they are, the older fixtures under the session ids their lines carry (as Claude Code names its files).
 */
function claudeConfigDir(root: string): string {
  const projects = join(root, 'claude', 'projects');
  cpSync(USAGE_FIXTURE_DIR, projects, { recursive: true, filter: (src) => !src.endsWith('.md') });
  const tidepool = join(projects, '-home-dev-tidepool');
  mkdirSync(tidepool, { recursive: true });
  for (const file of [FIXTURE_TRANSCRIPTS.short, FIXTURE_TRANSCRIPTS.toolHeavy, FIXTURE_TRANSCRIPTS.subagent]) {
    copyFileSync(file, join(tidepool, `${FIXTURE_TRANSCRIPTS.sessionOf[file]!}.jsonl`));
  }
  const compactSession = FIXTURE_TRANSCRIPTS.sessionOf[FIXTURE_TRANSCRIPTS.compact]!;
  cpSync(join(FIXTURE_TRANSCRIPTS.folder, compactSession), join(tidepool, compactSession), { recursive: true });
  return join(root, 'claude');
}

async function ccusageSessions(configDir: string, home: string): Promise<CcusageSession[]> {
  // npm unpacks the binary without its execute bit (ccusage's launcher package would set it): run a copy that has it.
  const binary = join(home, '..', 'ccusage');
  copyFileSync(available('ccusage')!, binary);
  chmodSync(binary, 0o755);
  const { stdout } = await run(binary, ['claude', 'session', '--json', '--offline', '--mode', 'calculate'], {
    env: { PATH: process.env['PATH'] ?? '', CLAUDE_CONFIG_DIR: configDir, HOME: home, TZ: 'UTC', LOG_LEVEL: '0', NO_COLOR: '1' },
    maxBuffer: 16 * 1024 * 1024,
  });
  return (JSON.parse(stdout) as { sessions: CcusageSession[] }).sessions;
}

function figuresOf(requests: readonly ModelRequest[], prices: PriceTable): Map<string, Figures> {
  const out = new Map<string, Figures & { modelSet: Set<string> }>();
  for (const r of requests) {
    let f = out.get(r.sessionId);
    if (!f) {
      f = { inputTokens: 0, outputTokens: 0, cacheCreationTokens: 0, cacheReadTokens: 0, totalTokens: 0, cost: 0, models: [], modelSet: new Set() };
      out.set(r.sessionId, f);
    }
    f.inputTokens += r.inputTokens;
    f.outputTokens += r.outputTokens;
    f.cacheCreationTokens += r.cacheWrite5mTokens + r.cacheWrite1hTokens;
    f.cacheReadTokens += r.cacheReadTokens;
    f.totalTokens += r.inputTokens + r.outputTokens + r.cacheWrite5mTokens + r.cacheWrite1hTokens + r.cacheReadTokens;
    const price = prices.priceFor(r.model);
    if (price) f.cost += costUsd(r, price, r.fast);
    if (r.model !== '' && r.model !== '<synthetic>') f.modelSet.add(r.model);
  }
  for (const f of out.values()) f.models = [...f.modelSet].sort();
  return out;
}

/** ccusage names a fast request's model `<model>-fast`; ours keeps the model and marks the request. */
const ccusageModels = (s: CcusageSession) => s.modelsUsed.map((m) => m.replace(/-fast$/, '')).sort();

function expectCost(ours: number, theirs: number, session: string): void {
  expect(Math.abs(ours - theirs), `cost of ${session}: ours ${ours}, ccusage ${theirs}`).toBeLessThanOrEqual(theirs * COST_TOLERANCE);
}

describeNeeding('ccusage', 'per-session tokens and cost equal ccusage 20.0.24 on the fixture transcripts', () => {
  let scratch: string;
  let configDir: string;
  let theirs: CcusageSession[];
  let requests: ModelRequest[];
  const prices = PriceTable.bundled();

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'trenchcoat-ccusage-'));
    configDir = claudeConfigDir(scratch);
    const home = join(scratch, 'home');
    mkdirSync(home);
    theirs = await ccusageSessions(configDir, home);
    const reader = new TranscriptUsageReader();
    for (const file of await findTranscripts([join(configDir, 'projects')])) {
      for (const line of readFileSync(file, 'utf8').split('\n')) reader.addText(line, file);
    }
    requests = reader.takeRequests();
  }, 60_000);
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('sees the same sessions, every one of them with usage', () => {
    const ours = figuresOf(requests, prices);
    expect([...ours.keys()].sort()).toEqual(theirs.map((s) => s.sessionId).sort());
    // Four sessions of the older fixtures, three of the usage fixtures (a subagent's file counts for its parent).
    expect(theirs).toHaveLength(7);
  });

  it('reads each session\'s tokens exactly, prices it within 0.5% and names the same models (pure: reader + price table)', () => {
    const ours = figuresOf(requests, prices);
    const rows: string[] = [];
    for (const s of theirs) {
      const mine = ours.get(s.sessionId)!;
      expect(tokensOf(mine), s.sessionId).toEqual(tokensOf(s));
      expectCost(mine.cost, s.totalCost, s.sessionId);
      expect(mine.models, s.sessionId).toEqual(ccusageModels(s));
      rows.push(`${s.sessionId} ${s.totalTokens} tokens: ours $${mine.cost.toFixed(6)}, ccusage $${s.totalCost.toFixed(6)}`);
    }
    console.log(`ccusage parity (reader):\n  ${rows.join('\n  ')}`);
  });

  it('covers what a parity check needs: several models, both cache lifetimes, fast mode, and a replay it drops', () => {
    const models = new Set(theirs.flatMap((s) => s.modelsUsed));
    expect(models.size).toBeGreaterThanOrEqual(7);
    expect([...models].some((m) => m.endsWith('-fast'))).toBe(true);
    expect(requests.some((r) => r.cacheWrite5mTokens > 0)).toBe(true);
    expect(requests.some((r) => r.cacheWrite1hTokens > 0)).toBe(true);
  });

  describe('end to end: trenchcoat import, then GraphQL Session.usage', { timeout: 120_000 }, () => {
    let t: TestGateway;
    beforeAll(async () => {
      t = await startTestGateway();
    });
    afterAll(() => t.close());

    async function importAll(account: string): Promise<Record<string, number>> {
      const r = await runTrenchcoat(['import', join(configDir, 'projects'), '--account', account, '--db', t.dbPath, '--json']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      return JSON.parse(r.stdout) as Record<string, number>;
    }

    async function usageOf(key: string, id: string): Promise<Figures & { costUsd: number }> {
      const fields = 'inputTokens outputTokens cacheCreationTokens cacheReadTokens totalTokens costUsd models';
      const { status, body } = await t.graphql(`query ($id: ID!) { session(id: $id) { usage { ${fields} } } }`, { id }, key);
      expect(status).toBe(200);
      expect(body.errors).toBeUndefined();
      const usage = (body.data as { session: { usage: Figures & { costUsd: number } } }).session.usage;
      return { ...usage, cost: usage.costUsd };
    }

    it('stores what ccusage counts, and importing again changes nothing', async () => {
      const account = freshAccount('parity');
      const first = await importAll(account);
      expect(first['model_requests']).toBe(requests.length);
      const key = await t.key({ account, scopes: ['read:analytics'] });
      const rows: string[] = [];
      const before = new Map<string, Figures>();
      for (const s of theirs) {
        const usage = await usageOf(key, s.sessionId);
        expect(tokensOf(usage), s.sessionId).toEqual(tokensOf(s));
        expectCost(usage.cost, s.totalCost, s.sessionId);
        expect(usage.models, s.sessionId).toEqual(ccusageModels(s));
        before.set(s.sessionId, usage);
        rows.push(`${s.sessionId}: ours $${usage.cost.toFixed(6)}, ccusage $${s.totalCost.toFixed(6)}`);
      }
      console.log(`ccusage parity (import + GraphQL):\n  ${rows.join('\n  ')}`);
      const stored = () =>
        t.gateway.database.db.selectFrom('model_requests').innerJoin('accounts', 'accounts.id', 'model_requests.account_id')
          .selectAll('model_requests').where('accounts.slug', '=', account).orderBy('session_id').orderBy('request_key').execute();
      const rowsBefore = await stored();
      expect(rowsBefore).toHaveLength(requests.length);
      const again = await importAll(account);
      expect(again['model_requests']).toBe(requests.length);
      expect(await stored()).toEqual(rowsBefore);
      for (const s of theirs) expect(await usageOf(key, s.sessionId)).toEqual(before.get(s.sessionId));
    });
  });
});
