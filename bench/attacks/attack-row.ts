// One measured (or skipped) attack variant on one gateway: a row of the report.
import type { Observation } from './observation.js';

export interface AttackRow {
  /** The attack's name (what --only takes). */
  readonly attack: string;
  /** The variant, as the report's first column shows it. */
  readonly label: string;
  /** The gateway: `before`, `after` or `gateway`. */
  readonly column: string;
  /** Null when the variant was not run (see `answer`). */
  readonly observation: Observation | null;
  /** The attack's own answers, summarized. */
  readonly answer: string;
  /** How the gateway ended during the attack (`SIGKILL`, `exit 134`), else null. */
  readonly gatewayEnd: string | null;
  /** Its last error lines when it ended on its own. */
  readonly gatewayErrors: readonly string[];
  /** Set when the attack was cut at its deadline. */
  readonly cutAtMs: number | null;
}
