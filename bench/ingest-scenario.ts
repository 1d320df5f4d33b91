// The `ingest` scenario: the gateway's ingestion over HTTP (events and OTLP exports) against an insert loop.
import { spawn } from 'node:child_process';
import type { BenchArgs } from './args.js';
import type { Engine } from './engine.js';
import { FreshBatches, INGEST_BATCH_SIZE } from './ingest-batches.js';
import { FreshExports, OTLP_EXPORT_ITEMS } from './otlp-exports.js';
import { createKey, ROOT, RssSampler, startGateway, track, tsxArgs, type ServerProcess } from './processes.js';
import { log, runScenario, type HttpTarget, type LoopTarget, type ScenarioResult, type Stats } from './scenario-runner.js';
import { targetsFor } from './targets.js';
import { VerificationError } from './verification-error.js';
import { fetchText } from './verify-reads.js';

function runLoop(script: string, db: string, warmup: number, seconds: number, tag: number): Promise<Stats> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      tsxArgs(script, '--db', db, '--seconds', String(seconds), '--warmup', String(warmup), '--tag', String(tag)),
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    track(child);
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`insert loop failed (${code}): ${err}`));
      const r = JSON.parse(out.trim().split('\n').pop()!) as { batchesPerSecond: number; p50: number; p99: number };
      resolve({ rps: r.batchesPerSecond, p50: r.p50, p99: r.p99, failures: 0, timeouts: 0 });
    });
  });
}

interface IngestTargetSpec {
  name: string;
  url: string;
  key: string;
  path: string;
  contentType: string;
  connections: number;
  bad: { count: number };
  nextBody: () => string | Buffer;
  /** Whether an answer says the body was stored whole. */
  accepted: (status: number, body: string) => boolean;
  /** What one body is, for the log line. */
  what: string;
}

/** An ingestion route under load with a fresh body per request, after one body was checked to be stored whole. */
async function ingestTarget(spec: IngestTargetSpec): Promise<HttpTarget> {
  const headers = { 'x-api-key': spec.key, 'content-type': spec.contentType };
  const first = spec.nextBody();
  const probe = await fetchText(`${spec.url}${spec.path}`, { method: 'POST', headers, body: typeof first === 'string' ? first : new Uint8Array(first) });
  if (!spec.accepted(probe.status, probe.text)) throw new VerificationError(`ingest: ${spec.path} answered ${probe.status}: ${probe.text.slice(0, 400)}`);
  log(`[verify] ingest: ${spec.what} is accepted whole (${spec.path})`);
  return {
    name: spec.name,
    kind: 'http',
    bad: spec.bad,
    options: () => ({
      url: spec.url,
      connections: spec.connections,
      requests: [{
        method: 'POST',
        path: spec.path,
        headers,
        setupRequest: (req) => ({ ...req, body: spec.nextBody() }),
        onResponse: (status, body) => {
          if (!spec.accepted(status, body)) spec.bad.count++;
        },
      }],
    }),
  };
}

/**
 * Ingestion: a gateway process on a scratch database (migrated by the gateway itself) taking fresh
 * 1000-event batches over HTTP, against the insert loop on a scratch copy of that schema (both SQLite
 * files, or both PostgreSQL databases on the --db server).
 */
export async function measureIngest(args: BenchArgs, engine: Engine): Promise<{ result: ScenarioResult; peakRss: number }> {
  const scratch = engine.ingestScratch();
  await scratch.prepare();
  let gateway: ServerProcess | null = null;
  let sampler: RssSampler | null = null;
  try {
    const key = await createKey(scratch.gateway, 'bench-ingest', 'write:events');
    await scratch.copySchema();
    gateway = await startGateway(scratch.gateway, args.gatewayLogLevel, 'gateway (ingest)');
    sampler = new RssSampler(gateway.pid);
    const batches = new FreshBatches(0xa0);
    const bad = { count: 0 };
    const url = gateway.url;
    const expected = `"accepted":${INGEST_BATCH_SIZE},"rejected":0,"duplicates":0`;
    const http = await ingestTarget({
      name: 'gateway', url, key, path: '/api/v1/events', contentType: 'application/json', bad, connections: args.ingestConnections,
      nextBody: () => batches.nextBody(),
      accepted: (status, body) => status === 200 && body.includes(expected),
      what: 'a fresh 1000-event batch',
    });
    // Claude Code's own export into the same gateway: each export stores as many items as a batch holds events.
    const exports = new FreshExports(0xc0);
    const otlp = await ingestTarget({
      name: 'otlp', url, key, path: '/v1/logs', contentType: 'application/x-protobuf', bad, connections: args.ingestConnections,
      nextBody: () => exports.nextBody(),
      // OTLP's empty protobuf answer: nothing rejected.
      accepted: (status, body) => status === 200 && body.length === 0,
      what: `a fresh OTLP export of ${OTLP_EXPORT_ITEMS} items`,
    });
    const loop: LoopTarget = {
      name: 'baseline', kind: 'loop', run: (warmup, seconds, round) => runLoop(engine.insertScript, scratch.loop, warmup, seconds, 0xb0 + round),
    };
    const r = await runScenario('ingest', [http, otlp, loop], args, sampler, INGEST_BATCH_SIZE);
    const g = r.get('gateway')!;
    const b = r.get('baseline')!;
    const peak = sampler.window();
    const overall = sampler.peak;
    return {
      result: {
        name: 'ingest',
        description: `ingestion of fresh sessions in 1000-event batches: the gateway over HTTP (\`POST /api/v1/events\`, ${args.ingestConnections} connections) on a new database, the ${engine.name === 'sqlite' ? 'in-process insert loop' : 'insert loop (one pg connection)'} on a copy of its schema`,
        gateway: g, baseline: b, peers: [r.get('otlp')!], ratio: g.median.rps / b.median.rps, target: targetsFor(engine.name).ingest, gatewayPeakRss: peak,
      },
      peakRss: Math.max(overall, peak),
    };
  } finally {
    sampler?.stop();
    await gateway?.stop();
    if (args.keepScratch) log(`[ingest] scratch databases kept: ${scratch.label}`);
    else await scratch.clean();
  }
}
