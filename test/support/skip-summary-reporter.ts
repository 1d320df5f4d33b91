import type { Reporter, TestModule, Vitest } from 'vitest/node';

/**
 * Lists, after the run's summary, why tests were skipped: each reason once with how many tests it skipped. A reason is
 * the `skipReason` that test/support/requirements.ts puts in a test's meta, or a note given to `ctx.skip(note)`.
 * Skips without a reason (plain conditions, such as specs that run on one engine only) are only counted.
 */
export default class SkipSummaryReporter implements Reporter {
  private vitest: Vitest | undefined;

  onInit(vitest: Vitest): void {
    this.vitest = vitest;
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const reasons = new Map<string, number>();
    let unexplained = 0;
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const result = test.result();
        if (result.state !== 'skipped') continue;
        const reason = test.meta().skipReason ?? result.note;
        if (reason === undefined) unexplained++;
        else reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
      }
    }
    if (reasons.size === 0 && unexplained === 0) return;
    const lines = ['', 'Skipped tests:'];
    for (const [reason, count] of [...reasons].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) {
      lines.push(`  ${String(count).padStart(4)} × ${reason}`);
    }
    if (unexplained > 0) lines.push(`  ${String(unexplained).padStart(4)} × skipped by a plain condition (e.g. a spec for one engine only)`);
    const log = this.vitest ? (text: string) => this.vitest!.logger.log(text) : (text: string) => console.log(text);
    log(lines.join('\n'));
  }
}
