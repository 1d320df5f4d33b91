import { firstCodePoints } from '../hooks/preview.js';

/** Characters (code points) of a tool name the counters keep: what hook events and imports keep of it in `data`. */
export const COUNTED_TOOL_NAME_CHARS = 200;

/**
 * The name a tool is counted under (per session, in analytics, in Session.tools): its first 200 code points. `data`
 * may carry a name of up to 64 KiB and keeps it whole; the counters key on this, so that a key stays small (and
 * within PostgreSQL's index row size) and names that differ only past it count as one tool.
 * src/verify/event-aggregates.ts recounts with the same cut.
 */
export function countedToolName(name: string): string {
  return firstCodePoints(name, COUNTED_TOOL_NAME_CHARS);
}
