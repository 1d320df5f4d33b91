import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findTranscripts } from '../src/import/find-transcripts.js';
import { TranscriptUsageReader, usageSessionIdFromPath } from '../src/import/transcript-usage.js';
import type { ModelRequest } from '../src/usage/model-request.js';
import { USAGE_FIXTURE_DIR, USAGE_SESSIONS, usageFixtureFiles } from './fixtures/claude-code/generate-usage.js';

// TranscriptUsageReader: ccusage 20's line filter, dedupe and session-from-path, line by line. The whole-file
// comparison with ccusage itself is test/ccusage-parity.test.ts.

const S1 = '11111111-1111-4111-8111-111111111111';
const S2 = '22222222-2222-4222-8222-222222222222';
const P1 = `/h/.claude/projects/-p/${S1}.jsonl`;
const P2 = `/h/.claude/projects/-p/${S2}.jsonl`;

interface LineSpec {
  mid?: string | null;
  rid?: string | null;
  ts?: string;
  model?: string;
  side?: boolean;
  input?: number;
  output?: number;
  write5m?: number;
  write1h?: number;
  /** Cache writes without the 5m/1h split. */
  writes?: number;
  read?: number;
  speed?: string;
  extra?: Record<string, unknown>;
}

function line(s: LineSpec): Record<string, unknown> {
  const usage: Record<string, unknown> = { input_tokens: s.input ?? 1, output_tokens: s.output ?? 1, cache_read_input_tokens: s.read ?? 0 };
  if (s.writes !== undefined) usage['cache_creation_input_tokens'] = s.writes;
  else {
    usage['cache_creation_input_tokens'] = (s.write5m ?? 0) + (s.write1h ?? 0);
    usage['cache_creation'] = { ephemeral_5m_input_tokens: s.write5m ?? 0, ephemeral_1h_input_tokens: s.write1h ?? 0 };
  }
  if (s.speed !== undefined) usage['speed'] = s.speed;
  const message: Record<string, unknown> = { model: s.model ?? 'claude-sonnet-4-5-20250929', role: 'assistant', usage };
  if (s.mid !== null) message['id'] = s.mid ?? 'msg_1';
  const out: Record<string, unknown> = {
    type: 'assistant', timestamp: s.ts ?? '2026-03-01T10:00:00.000Z', version: '2.1.40', cwd: '/p', sessionId: S1, isSidechain: s.side ?? false, message,
  };
  if (s.rid !== null) out['requestId'] = s.rid ?? 'req_1';
  return { ...out, ...s.extra };
}

function read(lines: [Record<string, unknown>, string][]): { requests: ModelRequest[]; reader: TranscriptUsageReader } {
  const reader = new TranscriptUsageReader();
  for (const [l, path] of lines) reader.addText(JSON.stringify(l), path);
  return { requests: reader.takeRequests(), reader };
}

const tokens = (r: ModelRequest) => [r.inputTokens, r.outputTokens, r.cacheWrite5mTokens, r.cacheWrite1hTokens, r.cacheReadTokens];

describe('the usage fixtures', () => {
  it('are what test/fixtures/claude-code/generate-usage.ts writes', async () => {
    const files = usageFixtureFiles();
    const onDisk = (await findTranscripts([USAGE_FIXTURE_DIR])).map((f) => f.slice(USAGE_FIXTURE_DIR.length + 1)).sort();
    expect(onDisk).toEqual([...files.keys()].sort());
    for (const [path, text] of files) expect(readFileSync(join(USAGE_FIXTURE_DIR, path), 'utf8'), path).toBe(text);
  });
});

describe('TranscriptUsageReader', () => {
  it('keeps the largest copy of a response written over several lines, keyed by its requestId', () => {
    const { requests } = read([
      [line({ output: 4, write5m: 10, write1h: 90, read: 500 }), P1],
      [line({ output: 388, write5m: 10, write1h: 90, read: 500 }), P1],
      [line({ output: 151, write5m: 10, write1h: 90, read: 500 }), P1],
    ]);
    expect(requests).toEqual([{
      sessionId: S1, requestKey: 'req_1', model: 'claude-sonnet-4-5-20250929', ts: Date.parse('2026-03-01T10:00:00.000Z'),
      inputTokens: 1, outputTokens: 388, cacheWrite5mTokens: 10, cacheWrite1hTokens: 90, cacheReadTokens: 500,
      reportedCostNanos: null, fast: false, source: 'transcript',
    }]);
  });

  it('counts cache writes without a split as 5-minute ones, and with one as the split says', () => {
    const { requests } = read([[line({ mid: 'a', rid: 'ra', writes: 700 }), P1], [line({ mid: 'b', rid: 'rb', write5m: 3, write1h: 4 }), P1]]);
    expect(requests.map((r) => [r.requestKey, r.cacheWrite5mTokens, r.cacheWrite1hTokens])).toEqual([['ra', 700, 0], ['rb', 3, 4]]);
  });

  it('marks fast requests and keeps a line\'s costUSD as the reported cost', () => {
    const { requests } = read([[line({ speed: 'fast', extra: { costUSD: 0.0125 } }), P1]]);
    expect(requests[0]).toMatchObject({ fast: true, reportedCostNanos: 12_500_000 });
  });

  it('drops a sidechain replay of a message (same message id and timestamp, new requestId), keeps a later side answer', () => {
    const original = line({ mid: 'm', rid: 'r1', output: 140, read: 27_400 });
    const { requests } = read([
      [original, P1],
      [line({ mid: 'm', rid: 'r-btw', side: true, output: 140, read: 60_000 }), P1],
      [line({ mid: 'm', rid: 'r-later', side: true, output: 5, ts: '2026-03-01T10:00:09.000Z' }), P1],
    ]);
    expect(requests.map((r) => [r.requestKey, r.cacheReadTokens])).toEqual([['r-later', 0], ['r1', 27_400]]);
  });

  it('prefers the main-thread copy of a request over a larger sidechain one', () => {
    const { requests } = read([[line({ side: true, output: 900 }), P1], [line({ output: 10 }), P1]]);
    expect(requests.map(tokens)).toEqual([[1, 10, 0, 0, 0]]);
  });

  it('keeps apart two requests of one message id, and counts every line without a message id', () => {
    const bare = line({ mid: null, rid: null, output: 7 });
    const { requests } = read([[line({ rid: 'r1' }), P1], [line({ rid: 'r2' }), P1], [bare, P1], [bare, P1]]);
    expect(requests).toHaveLength(4);
    const keys = requests.map((r) => r.requestKey);
    expect(keys.filter((k) => k.startsWith('line:'))).toHaveLength(2);
    expect(new Set(keys).size).toBe(4);
    expect(read([[line({ mid: 'm', rid: null }), P1]]).requests[0]!.requestKey).toBe('message:m');
  });

  it('counts a request copied into another session\'s file once, in the file ccusage reads first', () => {
    const copy = line({ mid: 'm', rid: 'r', output: 30 });
    const { requests } = read([[copy, P2], [copy, P1]]);
    expect(requests.map((r) => r.sessionId)).toEqual([S1]);
  });

  it('leaves out requests of no tokens (<synthetic> messages)', () => {
    const { requests } = read([[line({ mid: 'x', rid: null, model: '<synthetic>', input: 0, output: 0 }), P1]]);
    expect(requests).toEqual([]);
  });

  it('refuses the lines ccusage refuses', () => {
    const refused: Record<string, unknown>[] = [
      line({ extra: { costUSD: null } }),
      line({ extra: { requestId: null } }),
      line({ extra: { version: 'dev' } }),
      line({ extra: { requestId: '' } }),
      line({ extra: { timestamp: '2026-03-01T10:00:00.00Z' } }),
      line({ extra: { timestamp: 'yesterday' } }),
      line({ extra: { isSidechain: 'no' } }),
      line({ speed: 'priority' }),
      line({ input: 1.5 }),
      line({ output: -1 }),
      { ...line({}), message: { id: 'msg_1', model: 'm', usage: { input_tokens: 1, output_tokens: 1, content: [{ id: null }] } } },
    ];
    const reader = new TranscriptUsageReader();
    for (const l of refused) reader.addText(JSON.stringify(l), P1);
    expect(reader.takeRequests()).toEqual([]);
    expect(reader.stats).toMatchObject({ lines: refused.length, usageLines: 0, refusedLines: refused.length });
    // Nested usage (a subagent's relayed progress) and pretty-printed lines are not ccusage's either.
    const other = new TranscriptUsageReader();
    other.addText(JSON.stringify({ type: 'progress', data: { message: line({}) } }), P1);
    other.addText(JSON.stringify(line({}), null, 1), P1);
    expect(other.takeRequests()).toEqual([]);
  });

  it('files a line under the session its path names, else the one it names itself', () => {
    expect(usageSessionIdFromPath(P1)).toBe(S1);
    expect(usageSessionIdFromPath(`/h/.claude/projects/-p/${S1}/subagents/agent-a1.jsonl`)).toBe(S1);
    expect(usageSessionIdFromPath(`/h/.claude/projects/-p/${S1}/chat.jsonl`)).toBe(S1);
    expect(usageSessionIdFromPath(`/backup/${S2.toUpperCase()}.jsonl`)).toBe(S2);
    expect(usageSessionIdFromPath('/fixtures/transcripts/short.jsonl')).toBeNull();
    const { requests, reader } = read([[line({ extra: { sessionId: S2 } }), P1], [line({ mid: 'o', extra: { sessionId: S2 } }), '/x/short.jsonl']]);
    expect(requests.map((r) => r.sessionId).sort()).toEqual([S1, S2]);
    expect(reader.stats.sessionMismatchLines).toBe(1);
  });

  it('reads the usage fixtures as the generator describes them', async () => {
    const reader = new TranscriptUsageReader();
    for (const file of await findTranscripts([USAGE_FIXTURE_DIR])) for (const l of readFileSync(file, 'utf8').split('\n')) reader.addText(l, file);
    const requests = reader.takeRequests();
    const of = (id: string) => requests.filter((r) => r.sessionId === id);
    // mixed: title, 1 (3 lines), 2 (fast, 2 lines), two bare lines, btw answer, and the subagent's 2; its request 3
    // is counted in `resumed`, whose file ccusage reads first; the replay and the refused line are not counted.
    expect(of(USAGE_SESSIONS.mixed)).toHaveLength(8);
    expect(of(USAGE_SESSIONS.resumed)).toHaveLength(3);
    expect(of(USAGE_SESSIONS.older)).toHaveLength(3);
    expect(reader.stats.refusedLines).toBe(1);
  });

  it('sums each session the same whatever the order of the lines and however a session is split into files', () => {
    // Requests of two sessions, each written as 1–4 copies with output growing (the last copy the largest), some
    // replayed on a sidechain with the original's timestamp; the expected sums are the largest copies.
    const request = fc.record({
      session: fc.constantFrom(S1, S2),
      input: fc.nat(5_000), output: fc.nat(5_000), write5m: fc.nat(50_000), write1h: fc.nat(50_000), read: fc.nat(200_000),
      growth: fc.array(fc.integer({ min: 1, max: 500 }), { maxLength: 3 }),
      replayed: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(request, { minLength: 1, maxLength: 12 }), fc.infiniteStream(fc.nat()), fc.nat(), (specs, draws, seed) => {
        const expected = new Map<string, number[]>();
        const lines: { l: Record<string, unknown>; session: string }[] = [];
        specs.forEach((spec, i) => {
          const ts = new Date(Date.parse('2026-03-01T10:00:00.000Z') + i * 1000).toISOString();
          const final = spec.output + spec.growth.reduce((a, b) => a + b, 0);
          let output = spec.output;
          for (const step of [0, ...spec.growth]) {
            output += step;
            lines.push({ session: spec.session, l: line({ mid: `m${i}`, rid: `r${i}`, ts, ...spec, output, extra: { sessionId: spec.session } }) });
          }
          if (spec.replayed) {
            lines.push({ session: spec.session, l: line({ mid: `m${i}`, rid: `btw${i}`, ts, side: true, ...spec, output: final, read: spec.read + 1, extra: { sessionId: spec.session } }) });
          }
          const sum = expected.get(spec.session) ?? [0, 0, 0, 0, 0];
          const add = [spec.input, final, spec.write5m, spec.write1h, spec.read];
          expected.set(spec.session, sum.map((n, k) => n + add[k]!));
        });
        for (const [s, sum] of expected) if (sum.every((n) => n === 0)) expected.delete(s);
        // Each line goes to its session's main file or one of two subagent files, and lines arrive shuffled.
        const it = draws[Symbol.iterator]();
        const placed = lines.map(({ l, session }) => {
          const slot = it.next().value! % 3;
          const path = slot === 0 ? `/h/.claude/projects/-p/${session}.jsonl` : `/h/.claude/projects/-p/${session}/subagents/agent-${slot}.jsonl`;
          return { l, path, order: it.next().value! ^ seed };
        });
        placed.sort((a, b) => a.order - b.order);
        const reader = new TranscriptUsageReader();
        for (const { l, path } of placed) reader.addLine(l, path);
        const sums = new Map<string, number[]>();
        for (const r of reader.takeRequests()) {
          const sum = sums.get(r.sessionId) ?? [0, 0, 0, 0, 0];
          sums.set(r.sessionId, sum.map((n, k) => n + tokens(r)[k]!));
        }
        expect(sums).toEqual(expected);
      }),
    );
  });
});
