import type { TokenCounts } from '../usage/model-price.js';
import type { TimedDemoEvent } from './demo-event.js';
import { between, chance, pick, randomText, type Random } from './demo-random.js';

/** The models generated sessions use, as Claude Code reports them; all are in src/usage/model-prices.json. */
export const DEMO_MODELS = Object.freeze({
  sonnet: 'claude-sonnet-4-5-20250929',
  opus: 'claude-opus-4-6',
  haiku: 'claude-haiku-4-5-20251001',
});

/** One model request of a generated session, before the session is placed in time. */
export interface DemoRequest extends TokenCounts {
  at: number;
  /** The API's request id, as OTLP's `request_id` and the transcript's `requestId` both give it. */
  requestId: string;
  model: string;
  /** In the session's transcript (the conversation and its subagents): Claude Code's background Haiku requests are not. */
  inTranscript: boolean;
}

/** A model request that failed (an OTLP `api_error`); Claude Code retried it. */
export interface DemoFailure {
  at: number;
  requestId: string;
  model: string;
  statusCode: number;
}

/** What the model side of a generated session did: its requests, its failed ones, its subagents and compactions. */
export interface DemoConversation {
  /** `subagent_start`, `subagent_stop` and `pre_compact` events, each between two events of the timeline. */
  events: TimedDemoEvent[];
  requests: DemoRequest[];
  failures: DemoFailure[];
}

/** Tokens a tool's result adds to the conversation. */
const RESULT_TOKENS: Readonly<Record<string, readonly [number, number]>> = {
  Read: [400, 12_000],
  Edit: [150, 900],
  Bash: [100, 5_000],
  Grep: [150, 3_000],
  Glob: [60, 900],
  Write: [100, 400],
  Task: [400, 3_000],
};
const SUBAGENT_TOOLS = ['Read', 'Grep', 'Glob', 'Bash'] as const;
const SUBAGENTS = ['Explore', 'Explore', 'general-purpose', 'Plan'] as const;
const SUBAGENT_REPORTS = [
  'Found 3 call sites of parseConfig: src/cli/main.ts, src/config/load.ts and test/config.test.ts.',
  'The test fails because its fixture date is in the past; the parser itself is fine.',
  'Plan: extract the row formatter, page with a cursor, then update the two callers.',
  'Only the store reads the cache directly; nothing else needs to change.',
];
const COMPACT_INSTRUCTIONS = ['', 'keep the list of commands we tried', 'focus on the failing test'];
/** Mostly "overloaded", sometimes a server error or a rate limit. */
const FAILURE_STATUS = [529, 529, 529, 500, 429] as const;
const FAILURE_RATE = 0.025;
const COMPACTION_RATE = 0.25;
const REQUEST_ID_ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

function requestId(random: Random): string {
  return `req_011C${randomText(random, REQUEST_ID_ALPHABET, 20)}`;
}

function resultTokens(random: Random, tool: unknown): number {
  const [min, max] = RESULT_TOKENS[String(tool)] ?? [100, 2_000];
  return between(random, min, max);
}

/**
 * A conversation's prompt cache: each request reads what earlier ones cached and writes what arrived since (the
 * prompt, tool results, the previous answer), so cache reads dominate and grow along the session, as in Claude Code.
 */
class PromptCache {
  cached = 0;
  pending: number;

  constructor(
    private readonly random: Random,
    /** Tokens of the system prompt and tool definitions. */
    private readonly preamble: number,
    /** The preamble is still cached from an earlier conversation. */
    private readonly warm: boolean,
  ) {
    this.pending = preamble;
  }

  /** The tokens of a request answering `output` tokens; the answer joins the conversation. */
  request(output: number, longLived: boolean): TokenCounts {
    let read = this.cached;
    let write = this.pending;
    if (this.cached === 0 && this.warm) {
      read = this.preamble - between(this.random, 500, 2_000);
      write -= read;
    }
    this.cached += this.pending;
    this.pending = output;
    return {
      inputTokens: between(this.random, 1, 12),
      outputTokens: output,
      cacheWrite5mTokens: longLived ? 0 : write,
      cacheWrite1hTokens: longLived ? write : 0,
      cacheReadTokens: read,
    };
  }

  /** After a compaction the conversation restarts from the preamble and the summary. */
  restart(summary: number): void {
    this.cached = 0;
    this.pending = this.preamble + summary;
  }
}

/**
 * The model requests behind a generated timeline (one per tool call and one per answer, on the session's main model,
 * plus a Haiku request per prompt), a few failed attempts, a subagent inside each `Task` call (its own requests,
 * between `subagent_start` and `subagent_stop`) and, in some sessions of several prompts, a compaction before a
 * prompt (`pre_compact` and its summary request). Every instant lies strictly between two events of the timeline,
 * so the session still ends with its own last event. `eventId` names the added events.
 */
export function demoConversation(timeline: readonly TimedDemoEvent[], random: Random, eventId: (name: string) => string): DemoConversation {
  const out: DemoConversation = { events: [], requests: [], failures: [] };
  const sessionId = timeline[0]!.session_id;
  const mainModel = chance(random, 0.4) ? DEMO_MODELS.opus : DEMO_MODELS.sonnet;
  // Claude Code keeps a subscriber's conversation cached for an hour, an API user's for 5 minutes.
  const longLived = chance(random, 0.5);
  const cache = new PromptCache(random, between(random, 17_000, 24_000), chance(random, 0.5));
  const prompts = timeline.filter((e) => e.event_type === 'prompt_submit').length;
  const compactBefore = prompts >= 2 && chance(random, COMPACTION_RATE) ? between(random, 1, prompts - 1) : -1;
  let prompt = -1;
  let agents = 0;

  const request = (at: number, model: string, tokens: TokenCounts, inTranscript = true) => {
    out.requests.push({ at, requestId: requestId(random), model, inTranscript, ...tokens });
  };
  const mainRequest = (after: number, at: number, output: number) => {
    if (chance(random, FAILURE_RATE)) {
      out.failures.push({ at: between(random, after + 1, at - 1), requestId: requestId(random), model: mainModel, statusCode: pick(random, FAILURE_STATUS) });
    }
    request(at, mainModel, cache.request(output, longLived));
  };
  const addEvent = (at: number, event_type: string, name: string, data: Record<string, unknown>) => {
    out.events.push({ event_type, session_id: sessionId, at, event_id: eventId(name), data });
  };

  const compaction = (from: number, to: number) => {
    const gap = to - from;
    const trigger = chance(random, 0.4) ? 'auto' : 'manual';
    addEvent(from + Math.floor(gap * 0.3), 'pre_compact', 'compact-0', {
      trigger,
      custom_instructions_preview: trigger === 'auto' ? '' : pick(random, COMPACT_INSTRUCTIONS),
    });
    const summary = between(random, 1_500, 4_000);
    request(from + Math.floor(gap * 0.85), mainModel, cache.request(summary, longLived));
    cache.restart(summary);
  };

  const subagent = (from: number, to: number) => {
    const k = agents++;
    const agentType = pick(random, SUBAGENTS);
    const model = agentType === 'Explore' ? DEMO_MODELS.haiku : mainModel;
    const identity = { agent_id: randomText(random, '0123456789abcdef', 17), agent_type: agentType };
    const margin = Math.max(1, Math.floor((to - from) * 0.04));
    const start = from + margin;
    const stop = to - margin;
    addEvent(start, 'subagent_start', `agent-${k}-start`, identity);
    const own = new PromptCache(random, between(random, 8_000, 12_000), false);
    own.pending += between(random, 100, 600);
    const calls = between(random, 2, 6);
    for (let c = 0; c < calls; c++) {
      const last = c === calls - 1;
      const at = start + Math.floor(((stop - start) * (c + 1)) / (calls + 1));
      request(at, model, own.request(last ? between(random, 300, 1_200) : between(random, 40, 400), false));
      if (!last) own.pending += resultTokens(random, pick(random, SUBAGENT_TOOLS));
    }
    addEvent(stop, 'subagent_stop', `agent-${k}-stop`, { ...identity, stop_hook_active: false, last_assistant_message_preview: pick(random, SUBAGENT_REPORTS) });
  };

  for (let i = 1; i < timeline.length; i++) {
    const event = timeline[i]!;
    const previous = timeline[i - 1]!.at;
    const data = event.data ?? {};
    switch (event.event_type) {
      case 'prompt_submit':
        prompt += 1;
        if (prompt === compactBefore) compaction(previous, event.at);
        cache.pending += between(random, 20, 400);
        request(event.at + between(random, 300, 900), DEMO_MODELS.haiku, {
          inputTokens: between(random, 150, 900), outputTokens: between(random, 5, 60), cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, cacheReadTokens: 0,
        }, false);
        break;
      case 'tool_use':
        mainRequest(previous, event.at - between(random, 50, 400), between(random, 40, 600));
        if (data['tool_name'] === 'Task') subagent(event.at, timeline[i + 1]!.at);
        break;
      case 'tool_result':
        cache.pending += resultTokens(random, data['tool_name']);
        break;
      case 'assistant_stop':
        mainRequest(previous, event.at - between(random, 100, 1_500), between(random, 150, 1_500));
        break;
    }
  }
  return out;
}
