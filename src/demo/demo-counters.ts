import { createHash } from 'node:crypto';
import type { SessionMetricName } from '../usage/metric-point.js';
import type { TimedDemoEvent } from './demo-event.js';
import { between, chance, type Random } from './demo-random.js';

/**
 * One delta point of a session counter, over the interval between two events of the timeline, named by their ids:
 * Claude Code keys a point by its interval's instants, but generated sessions are placed relative to now, so a later
 * run would name the same point anew and count it twice.
 */
export interface DemoCounter {
  metric: SessionMetricName;
  series: string;
  fromEvent: string;
  toEvent: string;
  value: number;
}

/** A series per counter, as the digest of its attributes would name it. */
const SERIES: Readonly<Record<SessionMetricName, string>> = Object.freeze(
  Object.fromEntries(
    (['active_time_user_seconds', 'active_time_cli_seconds', 'lines_added', 'lines_removed', 'commits', 'pull_requests'] as const).map((metric) => [
      metric,
      createHash('sha256').update(`demo:${metric}`).digest('hex').slice(0, 32),
    ]),
  ) as Record<SessionMetricName, string>,
);

const COMMIT_RATE = 0.35;
const PULL_REQUEST_RATE = 0.3;

/** Lines an edit or a new file adds and removes. */
function linesOf(random: Random, tool: unknown): { added: number; removed: number } {
  if (tool === 'Edit') return { added: between(random, 1, 30), removed: between(random, 0, 20) };
  if (tool === 'Write') return { added: between(random, 15, 180), removed: 0 };
  return { added: 0, removed: 0 };
}

/**
 * Claude Code's counters of a generated timeline, one point per counter per turn (a prompt to its answer): the user's
 * active time before the prompt, the CLI's during the turn, the lines its successful edits and writes changed, and
 * in some sessions that changed lines, a commit (sometimes with a pull request) in the last turn. Zero counts are not
 * exported.
 */
export function demoCounters(timeline: readonly TimedDemoEvent[], random: Random): DemoCounter[] {
  const points: DemoCounter[] = [];
  const lastStop = timeline.findLast((e) => e.event_type === 'assistant_stop');
  let previous = timeline[0]!;
  let prompt = timeline[0]!;
  let added = 0;
  let removed = 0;
  let changedAny = false;
  const point = (metric: SessionMetricName, from: TimedDemoEvent, to: TimedDemoEvent, value: number) => {
    if (value > 0) points.push({ metric, series: SERIES[metric], fromEvent: from.event_id, toEvent: to.event_id, value });
  };
  for (const event of timeline) {
    const data = event.data ?? {};
    if (event.event_type === 'prompt_submit') {
      // Part of the pause before a prompt is the user reading and typing.
      point('active_time_user_seconds', previous, event, Math.round((event.at - previous.at) * (0.3 + 0.6 * random())) / 1000);
      prompt = event;
      added = 0;
      removed = 0;
    } else if (event.event_type === 'tool_result' && data['is_error'] !== true) {
      const lines = linesOf(random, data['tool_name']);
      added += lines.added;
      removed += lines.removed;
    } else if (event.event_type === 'assistant_stop') {
      point('active_time_cli_seconds', prompt, event, (event.at - prompt.at) / 1000);
      point('lines_added', prompt, event, added);
      point('lines_removed', prompt, event, removed);
      changedAny ||= added > 0;
      if (event === lastStop && changedAny && chance(random, COMMIT_RATE)) {
        point('commits', prompt, event, 1);
        if (chance(random, PULL_REQUEST_RATE)) point('pull_requests', prompt, event, 1);
      }
    }
    previous = event;
  }
  return points;
}
