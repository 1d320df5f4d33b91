// Before anything is measured: the gateway and the baseline give identical REST bytes, and the
// gateway, the GraphQL peers and the browser-shaped request the same GraphQL data as the REST day page.
import type { ScenarioName } from './args.js';
import { BROWSER_ORIGIN, verifyBrowserAnswer, type BrowserAnswer } from './graphql-browser.js';
import type { ReadPaths } from './read-paths.js';
import type { ReadServers } from './read-servers.js';
import { log } from './scenario-runner.js';
import { VerificationError } from './verification-error.js';

function firstDifference(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

export function describeDiff(labelA: string, a: string, labelB: string, b: string): string {
  const at = firstDifference(a, b);
  const lines = [`bodies differ at character ${at} (lengths ${a.length} and ${b.length}):`];
  const from = Math.max(0, at - 160);
  lines.push(`  ${labelA}: …${a.slice(from, at + 160)}…`, `  ${labelB}: …${b.slice(from, at + 160)}…`);
  try {
    const sa = (JSON.parse(a) as { data?: { sessions?: unknown[] } }).data?.sessions;
    const sb = (JSON.parse(b) as { data?: { sessions?: unknown[] } }).data?.sessions;
    if (Array.isArray(sa) && Array.isArray(sb)) {
      const i = sa.findIndex((s, k) => JSON.stringify(s) !== JSON.stringify(sb[k]));
      if (i >= 0) lines.push(`  first differing session [${i}]:`, `    ${labelA}: ${JSON.stringify(sa[i])}`, `    ${labelB}: ${JSON.stringify(sb[i])}`);
    }
  } catch {
    // not JSON: the character diff above says enough
  }
  return lines.join('\n');
}

export async function fetchText(url: string, init: RequestInit): Promise<{ status: number; text: string }> {
  const res = await fetch(url, init);
  return { status: res.status, text: await res.text() };
}

/** What the checks found that the report says: how the gateway encoded the browser's answer. */
export interface VerifiedReads {
  browser: BrowserAnswer | null;
}

/** The REST day page as the GraphQL query's data would spell it. */
async function restDayAsGraphql(servers: ReadServers, key: string, paths: ReadPaths): Promise<string> {
  const rest = await fetchText(servers.baseline.url + paths.rest['rest-day'].path, { headers: { 'x-api-key': key } });
  const restData = (JSON.parse(rest.text) as { data: { total: number; sessions: Record<string, unknown>[] } }).data;
  return JSON.stringify({
    sessions: {
      total: restData.total,
      nodes: restData.sessions.map((s) => ({
        id: s['id'], startedAt: s['started_at'], endedAt: s['ended_at'], durationMs: s['duration_ms'], eventCount: s['event_count'], toolInvocations: s['tool_invocations'],
      })),
    },
  });
}

export async function verifyReadServers(servers: ReadServers, key: string, paths: ReadPaths, only: ScenarioName[]): Promise<VerifiedReads> {
  const headers = { 'x-api-key': key };
  const graphql = only.includes('graphql-day') || only.includes('graphql-browser');
  for (const [name, { path }] of Object.entries(paths.rest)) {
    if (!only.includes(name as ScenarioName) && !(name === 'rest-day' && graphql)) continue;
    const [g, b] = await Promise.all([
      fetchText(servers.gateway.url + path, { headers }),
      fetchText(servers.baseline.url + path, { headers }),
    ]);
    if (g.status !== 200 || b.status !== 200) {
      throw new VerificationError(`${name}: GET ${path} answered ${g.status} (gateway) and ${b.status} (baseline):\n  gateway: ${g.text.slice(0, 400)}\n  baseline: ${b.text.slice(0, 400)}`);
    }
    if (g.text !== b.text) throw new VerificationError(`${name}: GET ${path}: the gateway's and the baseline's ${describeDiff('gateway', g.text, 'baseline', b.text)}`);
    const count = (JSON.parse(g.text) as { data: { sessions: unknown[]; total: number } }).data;
    log(`[verify] ${name}: identical bodies (${g.text.length.toLocaleString('en-US')} bytes, ${count.sessions.length} sessions of ${count.total.toLocaleString('en-US')})`);
  }
  if (!graphql) return { browser: null };
  const label = only.includes('graphql-day') ? 'graphql-day' : 'graphql-browser';
  const post = { method: 'POST', headers: { ...headers, 'content-type': 'application/json', accept: 'application/json' }, body: paths.graphqlBody };
  const answers: [string, { status: number; text: string }][] = [['gateway', await fetchText(`${servers.gateway.url}/graphql`, post)]];
  if (servers.apollo) answers.push(['apollo', await fetchText(`${servers.apollo.url}/graphql`, post)]);
  if (servers.mercurius) answers.push(['mercurius', await fetchText(`${servers.mercurius.url}/graphql`, post)]);
  const datas = answers.map(([name, a]) => {
    const body = JSON.parse(a.text) as { data?: unknown; errors?: unknown };
    if (a.status !== 200 || body.errors || !body.data) throw new VerificationError(`${label}: ${name} answered ${a.status}: ${a.text.slice(0, 500)}`);
    return [name, JSON.stringify(body.data)] as const;
  });
  for (const [name, data] of datas.slice(1)) {
    if (data !== datas[0]![1]) throw new VerificationError(`graphql-day: ${name}'s data differs from the gateway's: ${describeDiff('gateway', datas[0]![1], name, data)}`);
  }
  // The GraphQL page must also be the REST page the baseline measures against.
  const asGraphql = await restDayAsGraphql(servers, key, paths);
  if (asGraphql !== datas[0]![1]) throw new VerificationError(`${label}: the gateway's GraphQL data differs from the REST day page: ${describeDiff('graphql', datas[0]![1], 'rest', asGraphql)}`);
  log(`[verify] ${label}: ${datas.map(([n]) => n).join(', ')} return the same data (${datas[0]![1].length.toLocaleString('en-US')} bytes), matching the REST day page`);
  if (!only.includes('graphql-browser')) return { browser: null };
  const browser = await verifyBrowserAnswer(servers.gateway.url, key, paths.graphqlBody, answers[0]![1].text);
  log(
    `[verify] graphql-browser: 200 application/graphql-response+json readable from ${BROWSER_ORIGIN}, Content-Encoding ${browser.coding} ` +
      `(${browser.sentBytes.toLocaleString('en-US')} bytes sent for ${browser.jsonBytes.toLocaleString('en-US')} of JSON); decoded, the plain POST's bytes`,
  );
  return { browser };
}
