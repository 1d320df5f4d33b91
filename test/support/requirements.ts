import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it, TestRunner, type TestFunction } from 'vitest';

/**
 * What a spec can need from the machine beyond Node and the repository:
 * - `postgres`: a PostgreSQL server at TEST_DATABASE_URL (the in-process PGlite does not count);
 * - `redis`: a Redis server at TEST_REDIS_URL;
 * - `chromium`: a Chromium binary at CHROMIUM_PATH, else /usr/bin/chromium;
 * - `samples`: the real Claude Code samples (hook logs, transcripts) in the folder TRENCHCOAT_SAMPLES_DIR names;
 * - `ccusage`: ccusage 20.0.24's native binary for this platform (an optional dependency, pinned for linux-x64).
 *
 * A spec declares its needs with {@link describeNeeding} or {@link itNeeding}. When a need is absent, its tests are
 * registered as skipped with a reason that says how to provide it (the skip-summary reporter lists the reasons at the
 * end of the run), so no file ends up with zero tests. When TEST_REQUIRE (a comma list of needs, as CI sets it) names
 * the absent need, a failing test names it instead: in CI a missing server is an error, not a quiet skip.
 * A skipped block's body is still called to collect its tests (its hooks and tests never run), so it must not touch
 * the need outside hooks and tests. Inside a block skipped by a plain condition (one engine only), needs are not
 * checked: that skip is not for want of anything.
 *
 * @example
 *   describeNeeding('redis', 'several processes share one count', () => {
 *     beforeAll(() => connect(available('redis')!));
 *     it('…', () => {});
 *   });
 *   describeNeeding(TEST_ENGINE === 'postgres' ? ['postgres'] : [], 'two processes ingesting at once', () => { … });
 */
export type Need = 'postgres' | 'redis' | 'chromium' | 'samples' | 'ccusage';

export const NEEDS: readonly Need[] = ['postgres', 'redis', 'chromium', 'samples', 'ccusage'];

declare module 'vitest' {
  interface TaskMeta {
    /** Why this test was skipped: a need of the machine that is absent, and how to provide it. */
    skipReason?: string;
  }
}

const chromiumPath = process.env['CHROMIUM_PATH'] || '/usr/bin/chromium';
const samplesDir = process.env['TRENCHCOAT_SAMPLES_DIR'] || undefined;
// ccusage's native binary itself: its launcher package names every platform's binary, and the registry this project
// installs from carries only some, so `npm ci` could not check a lock file holding the launcher.
const ccusageBin = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'node_modules', '@ccusage', `ccusage-${process.platform}-${process.arch}`, 'bin', 'ccusage');

/** Where each need is found: a URL or a path; undefined when it is absent. */
const found: Record<Need, string | undefined> = {
  postgres: process.env['TEST_DATABASE_URL'] || undefined,
  redis: process.env['TEST_REDIS_URL'] || undefined,
  chromium: existsSync(chromiumPath) ? chromiumPath : undefined,
  samples: samplesDir && existsSync(samplesDir) ? samplesDir : undefined,
  ccusage: existsSync(ccusageBin) ? ccusageBin : undefined,
};

/** What is missing and how to provide it, for each need. */
const howToProvide: Record<Need, () => string> = {
  postgres: () => 'needs a PostgreSQL server (PGlite cannot stand in): set TEST_DATABASE_URL=postgres://user@host:5432/db',
  redis: () => 'needs a Redis server: set TEST_REDIS_URL=redis://127.0.0.1:6379',
  chromium: () =>
    `needs Chromium, and there is none at ${chromiumPath}: apt-get install chromium, or set CHROMIUM_PATH=/path/to/chromium`,
  samples: () =>
    samplesDir
      ? `needs the real Claude Code samples, and TRENCHCOAT_SAMPLES_DIR=${samplesDir} is not a folder`
      : 'needs the real Claude Code samples: set TRENCHCOAT_SAMPLES_DIR=/path/to/samples',
  ccusage: () =>
    `needs ccusage 20.0.24's native binary @ccusage/ccusage-${process.platform}-${process.arch}, an optional dependency ` +
    '(pinned for linux-x64 only; npm skips it elsewhere): npm ci on linux-x64',
};

/** The needs TEST_REQUIRE makes mandatory; a name that is not a need is refused, so a typo cannot turn strictness off. */
export const REQUIRED: ReadonlySet<Need> = new Set(
  (process.env['TEST_REQUIRE'] ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '')
    .map((name) => {
      if (!(NEEDS as readonly string[]).includes(name)) {
        throw new Error(`TEST_REQUIRE names "${name}", which is not a need; the needs are ${NEEDS.join(', ')}`);
      }
      return name as Need;
    }),
);

/** The URL or path where `need` is found, or undefined when the machine lacks it. */
export function available(need: Need): string | undefined {
  return found[need];
}

/** Why `need` is missing and how to provide it, or null when it is available. */
export function missingReason(need: Need): string | null {
  return found[need] === undefined ? howToProvide[need]() : null;
}

type Needs = Need | readonly Need[];

/** Whether an enclosing block is skipped already (e.g. by an engine condition): then needs do not matter. */
function insideSkippedBlock(): boolean {
  for (let suite = TestRunner.getCurrentSuite()?.suite; suite; suite = suite.suite) {
    if (suite.mode === 'skip' || suite.mode === 'todo') return true;
  }
  return false;
}

/** The first absent need among `needs`, with its reason and whether TEST_REQUIRE makes it a failure. */
function firstMissing(needs: Needs): { need: Need; reason: string; required: boolean } | null {
  if (insideSkippedBlock()) return null;
  for (const need of typeof needs === 'string' ? [needs] : needs) {
    const reason = missingReason(need);
    if (reason !== null) return { need, reason, required: REQUIRED.has(need) };
  }
  return null;
}

function requiredFailure(need: Need, reason: string): () => never {
  return () => {
    throw new Error(`${reason} (TEST_REQUIRE=${[...REQUIRED].join(',')} requires ${need})`);
  };
}

/**
 * A `describe` block that runs when every need is available. Otherwise its tests are registered as skipped, with the
 * reason in their meta (no hook of the block runs), or, when TEST_REQUIRE names the missing need, the block is one
 * failing test that names it.
 */
export function describeNeeding(needs: Needs, name: string, factory: () => void): void {
  const missing = firstMissing(needs);
  if (missing === null) describe(name, factory);
  else if (missing.required) describe(name, () => it(`has ${missing.need}`, requiredFailure(missing.need, missing.reason)));
  else describe(name, { skip: true, meta: { skipReason: missing.reason } }, factory);
}

/** An `it` that runs when every need is available; skipped with the reason, or failing under TEST_REQUIRE, otherwise. */
export function itNeeding(needs: Needs, name: string, fn: TestFunction, timeout?: number): void {
  const missing = firstMissing(needs);
  if (missing === null) it(name, fn, timeout);
  else if (missing.required) it(name, requiredFailure(missing.need, missing.reason));
  else it(name, { skip: true, meta: { skipReason: missing.reason } }, fn);
}
