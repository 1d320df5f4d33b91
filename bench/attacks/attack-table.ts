// The report: one markdown table, a row per attack variant, the gateways side by side (before, after),
// each figure marked against the issue's goals.
import type { AttackRow } from './attack-row.js';
import type { GatewayBuild } from './gateway-build.js';
import type { Attack } from './attack-list.js';

export const GOALS = { rssMiB: 512, healthzMs: 250, tenantErrors: 0 } as const;

export interface ReportContext {
  readonly date: Date;
  readonly command: string;
  readonly builds: readonly GatewayBuild[];
  readonly engine: string;
  readonly node: string;
  readonly machine: string;
  /** `uptime`-style load averages (1, 5, 15 min) when the run began and ended. */
  readonly loadStart: readonly number[];
  readonly loadEnd: readonly number[];
  readonly rssCapMiB: number;
  readonly attacks: readonly Attack[];
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const mib = (bytes: number) => `${int(bytes / 2 ** 20)} MiB`;
const mark = (ok: boolean) => (ok ? '✓' : '✗');
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function rssCell(row: AttackRow): string {
  const o = row.observation!;
  const peak = Math.max(o.peakRss, o.hwm);
  if (o.killedAtRss !== null) return `✗ killed at ${mib(o.killedAtRss)} (the cap)`;
  const end = row.gatewayEnd ? `; gateway died: ${row.gatewayEnd}` : '';
  return `${mark(peak < GOALS.rssMiB * 2 ** 20 && !row.gatewayEnd)} ${mib(peak)} (idle ${mib(o.idleRss)})${end}`;
}

function healthzCell(row: AttackRow): string {
  const h = row.observation!.healthz;
  const notes: string[] = [];
  if (h.timeouts > 0) notes.push(`${h.timeouts} timed out at ${h.timeoutMs / 1000} s`);
  if (h.failures > 0) notes.push(`${h.failures} refused or not 200`);
  if (h.longestSilenceMs > 1000) notes.push(`no answer for ${(h.longestSilenceMs / 1000).toFixed(1)} s`);
  const ok = h.longestMs <= GOALS.healthzMs && h.timeouts === 0 && h.failures === 0;
  return `${mark(ok)} ${int(h.longestMs)} ms${h.timeouts > 0 ? '+' : ''}${notes.length ? ` (${notes.join('; ')})` : ''}`;
}

function tenantCell(row: AttackRow): string {
  const t = row.observation!.tenant;
  const non2xx = Object.entries(t.non2xx);
  const errors = non2xx.reduce((n, [, c]) => n + c, 0) + t.errors + t.graphqlErrors;
  const kinds = [
    ...non2xx.map(([status, c]) => `${status} ×${c}`),
    ...(t.errors ? [`no answer ×${t.errors}`] : []),
    ...(t.graphqlErrors ? [`GraphQL errors ×${t.graphqlErrors}`] : []),
  ];
  return `${mark(errors === GOALS.tenantErrors)} ${errors} of ${t.requests}${kinds.length ? ` (${kinds.join(', ')})` : ''}, slowest ${int(t.longestMs)} ms`;
}

function answerCell(row: AttackRow): string {
  const cut = row.cutAtMs !== null ? ` (cut at ${Math.round(row.cutAtMs / 1000)} s)` : '';
  const errors = row.gatewayErrors.length ? `; gateway's last error: ${row.gatewayErrors.at(-1)!.slice(0, 200)}` : '';
  return `${row.answer}${cut}${errors}`;
}

function cells(row: AttackRow | undefined): [string, string, string, string] {
  if (!row) return ['not run', '', '', ''];
  if (!row.observation) return ['—', '—', '—', row.answer];
  return [rssCell(row), healthzCell(row), tenantCell(row), answerCell(row)];
}

function loadText(load: readonly number[]): string {
  return load.map((l) => l.toFixed(2)).join(', ');
}

export function attackTable(rows: readonly AttackRow[], context: ReportContext): string {
  const { builds } = context;
  const lines: string[] = [];
  lines.push(`### Attacks of issue 15, ${context.date.toISOString().slice(0, 16).replace('T', ' ')} UTC`);
  lines.push('');
  lines.push('```sh');
  lines.push(context.command);
  lines.push('```');
  lines.push('');
  for (const b of builds) {
    lines.push(`- ${b.column === 'gateway' ? 'gateway' : `**${b.column}**`}: \`${b.dir}\`, commit ${b.commit}${b.staleNote ? ` (warning: ${b.staleNote})` : ''}`);
  }
  const loads = rows.flatMap((r) => (r.observation ? [r.observation.load] : []));
  lines.push(
    `- ${context.engine}; Node ${context.node}; ${context.machine}. Load average (1, 5, 15 min) ${loadText(context.loadStart)} at the start, ` +
      `${loadText(context.loadEnd)} at the end${loads.length ? `, ${Math.min(...loads).toFixed(2)} to ${Math.max(...loads).toFixed(2)} (1 min) as rows began` : ''}: ` +
      'other work on the machine (e.g. test runs) slows the gateway and inflates the times.',
  );
  lines.push(
    `- Each row: a fresh \`trenchcoat serve\` on a database seeded beforehand (through the API), its VmRSS/VmHWM read every 50 ms ` +
      `(killed past ${int(context.rssCapMiB)} MiB), /healthz polled every 50 ms (10 s timeout, counted as 10 s), and another tenant ` +
      '(its own account and key) reading `GET /api/v1/sessions` and a small GraphQL query in turn, each from a separate observer process. ' +
      `Goals: peak RSS < ${GOALS.rssMiB} MiB, /healthz ≤ ${GOALS.healthzMs} ms, other tenants ${GOALS.tenantErrors} errors (✓ met, ✗ not).`,
  );
  lines.push('');
  const labels = [...new Set(rows.map((r) => r.label))];
  const rowOf = (label: string, column: string) => rows.find((r) => r.label === label && r.column === column);
  if (builds.length === 1) {
    lines.push(`| attack | peak RSS (< ${GOALS.rssMiB} MiB) | longest /healthz (≤ ${GOALS.healthzMs} ms) | other tenants' errors (${GOALS.tenantErrors}) | the attack's own answers |`);
    lines.push('|---|---|---|---|---|');
    for (const label of labels) lines.push(`| ${cell(label)} | ${cells(rowOf(label, builds[0]!.column)).map(cell).join(' | ')} |`);
  } else {
    const [b, a] = builds.map((x) => x.column) as [string, string];
    lines.push(
      `| attack | peak RSS ${b} | ${a} (< ${GOALS.rssMiB} MiB) | longest /healthz ${b} | ${a} (≤ ${GOALS.healthzMs} ms) | ` +
        `other tenants' errors ${b} | ${a} (${GOALS.tenantErrors}) | answers ${b} | ${a} |`,
    );
    lines.push('|---|---|---|---|---|---|---|---|---|');
    for (const label of labels) {
      const before = cells(rowOf(label, b));
      const after = cells(rowOf(label, a));
      lines.push(`| ${cell(label)} | ${[0, 1, 2, 3].flatMap((i) => [before[i]!, after[i]!]).map(cell).join(' | ')} |`);
    }
  }
  lines.push('');
  lines.push('Expected answers once issue 15 is fixed:');
  lines.push('');
  for (const attack of context.attacks) lines.push(`- \`${attack.name}\`: ${attack.expected}.`);
  return lines.join('\n');
}
