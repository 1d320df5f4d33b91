// The dashboard's own logic, without a browser: how it pairs a session's events into a timeline and how it
// turns a URL's range into the instants it asks the API for.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { localDate, rangeOf, rangeSearch, utcDays } from '../dashboard/src/range.js';
import { timeline, type TimelineEvent } from '../dashboard/src/timeline.js';
import { TEST_ENGINE } from './support/test-database.js';

const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString();

describe.runIf(TEST_ENGINE === 'sqlite')('the dashboard timeline', () => {
  it('joins each tool call with the result of the same tool_use_id, keeping its duration and failure', () => {
    const events: TimelineEvent[] = [
      { type: 'prompt_submit', timestamp: at(0), data: { prompt_preview: 'fix it' } },
      { type: 'tool_use', timestamp: at(1), data: { tool_name: 'Bash', tool_use_id: 'a' } },
      { type: 'tool_use', timestamp: at(2), data: { tool_name: 'Read', tool_use_id: 'b' } },
      { type: 'tool_result', timestamp: at(3), data: { tool_name: 'Read', tool_use_id: 'b', duration_ms: 40 } },
      { type: 'tool_result', timestamp: at(4), data: { tool_name: 'Bash', tool_use_id: 'a', duration_ms: 2500, is_error: true } },
      { type: 'subagent_stop', timestamp: at(5), data: {} },
      { type: 'pre_compact', timestamp: at(6), data: { trigger: 'auto' } },
      { type: 'tool_result', timestamp: at(7), data: { tool_name: 'Grep', tool_use_id: 'lost', duration_ms: 5 } },
    ];
    expect(timeline(events).map((e) => [e.kind, e.title, e.durationMs, e.failed, e.detail])).toEqual([
      ['prompt', 'Prompt', null, false, 'fix it'],
      ['tool', 'Bash failed', 2500, true, null],
      ['tool', 'Read', 40, false, null],
      ['subagent', 'Subagent finished', null, false, null],
      ['compaction', 'Context compacted', null, false, 'auto'],
      ['tool', 'Grep', 5, false, null],
    ]);
  });

  it('shows every call once and every result once, however late each result arrives', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(5), fc.boolean(), fc.nat(10)), { maxLength: 30 }), (calls) => {
        // Each result lands `delay` calls after its own call: any interleaving of calls and results.
        const placed: { key: number; event: TimelineEvent }[] = [];
        calls.forEach(([tool, hasResult, delay], i) => {
          placed.push({ key: i, event: { type: 'tool_use', timestamp: at(i), data: { tool_name: `T${tool}`, tool_use_id: `u${i}` } } });
          if (hasResult) placed.push({ key: i + delay + 0.5, event: { type: 'tool_result', timestamp: at(i + delay), data: { tool_use_id: `u${i}`, duration_ms: i } } });
        });
        const entries = timeline(placed.sort((a, b) => a.key - b.key).map((p) => p.event));
        expect(entries.map((e) => e.title)).toEqual(calls.map(([tool, hasResult]) => (hasResult ? `T${tool}` : `T${tool} (no result yet)`)));
        expect(entries.map((e) => e.durationMs)).toEqual(calls.map(([, hasResult], i) => (hasResult ? i : null)));
      }),
    );
  });
});

describe.runIf(TEST_ENGINE === 'sqlite')('the dashboard range', () => {
  const now = new Date(2026, 11, 5, 15, 30);

  it('reads presets from the URL, local midnight of the first day to the last millisecond of today', () => {
    const week = rangeOf(new URLSearchParams('range=7d'), now);
    expect(week.preset).toBe('7d');
    expect(week.from).toBe(localDate(new Date(2026, 10, 29)));
    expect(week.to).toBe(localDate(now));
    expect(new Date(week.startDate).getTime()).toBe(new Date(2026, 10, 29).getTime());
    expect(new Date(week.endDate).getTime()).toBe(new Date(2026, 11, 6).getTime() - 1);
    expect(rangeOf(new URLSearchParams('range=today'), now).from).toBe(localDate(now));
  });

  it('keeps a custom range, and falls back to the default for anything unreadable', () => {
    const custom = rangeOf(rangeSearch('custom', '2026-11-01', '2026-11-30'), now);
    expect([custom.preset, custom.from, custom.to]).toEqual(['custom', '2026-11-01', '2026-11-30']);
    for (const query of ['range=custom&from=2026-11-30&to=2026-11-01', 'range=custom&from=2026-02-30&to=2026-03-01', 'range=lots', 'range=custom']) {
      expect(rangeOf(new URLSearchParams(query), now).preset).toBe('30d');
    }
  });

  it('lists every UTC day the range touches, for any range', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 0, max: 120 }), (offset, length) => {
        const from = new Date(2020, 0, 1 + offset);
        const to = new Date(2020, 0, 1 + offset + length);
        const range = rangeOf(rangeSearch('custom', localDate(from), localDate(to)), now);
        const days = utcDays(range);
        expect(days[0]).toBe(range.startDate.slice(0, 10));
        expect(days[days.length - 1]).toBe(range.endDate.slice(0, 10));
        expect(new Set(days).size).toBe(days.length);
      }),
    );
  });
});
