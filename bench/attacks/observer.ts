// A process of its own that watches the gateway while an attack runs, so that the attack's clients
// (big bodies, hundreds of sockets) cannot slow the watching: RSS from /proc every 50 ms (killing
// the gateway past a cap), /healthz polled every ~50 ms, and another tenant's reads in a loop.
// Started by bench/attacks/observer-client.ts (fork, IPC); one observation at a time.
import { loadavg } from 'node:os';
import { readRss } from '../processes.js';
import { httpCall } from './http-call.js';
import type { Observation, ObserveRequest, ObserverMessage } from './observation.js';

const SAMPLE_MS = 50;
const HEALTHZ_TIMEOUT_MS = 10_000;
const TENANT_TIMEOUT_MS = 10_000;
const TENANT_QUERY = JSON.stringify({ query: '{ sessions(limit: 5) { total nodes { id eventCount } } }' });

const send = (message: ObserverMessage) => process.send!(message);
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

class Watch {
  running = true;
  idleRss = 0;
  peakRss = 0;
  hwm = 0;
  killedAtRss: number | null = null;
  readonly healthz = { probes: 0, longestMs: 0, timeouts: 0, timeoutMs: HEALTHZ_TIMEOUT_MS, failures: 0, longestSilenceMs: 0 };
  readonly tenant = { requests: 0, non2xx: {} as Record<string, number>, errors: 0, graphqlErrors: 0, longestMs: 0 };
  readonly load = Math.round(loadavg()[0]! * 100) / 100;
  readonly #timer: NodeJS.Timeout;
  readonly #loops: Promise<void>[];
  readonly #stop = new AbortController();
  #lastAnswer = performance.now();

  constructor(readonly request: ObserveRequest) {
    this.#sample();
    this.idleRss = this.peakRss;
    this.#timer = setInterval(() => this.#sample(), SAMPLE_MS);
    this.#loops = [this.#probeHealth(), this.#tenantReads()];
  }

  #sample(): void {
    const r = readRss(this.request.pid);
    if (!r) return;
    this.peakRss = Math.max(this.peakRss, r.rss);
    this.hwm = Math.max(this.hwm, r.hwm);
    if (r.rss > this.request.rssCapBytes && this.killedAtRss === null) {
      this.killedAtRss = r.rss;
      try {
        process.kill(this.request.pid, 'SIGKILL');
      } catch {}
      send({ type: 'killed', rss: r.rss });
    }
  }

  async #probeHealth(): Promise<void> {
    while (this.running) {
      const answer = await httpCall(`${this.request.url}/healthz`, { timeoutMs: HEALTHZ_TIMEOUT_MS, signal: this.#stop.signal });
      if (answer.error === 'aborted') break;
      this.healthz.probes++;
      if (answer.error === 'timeout') {
        this.healthz.timeouts++;
        this.healthz.longestMs = Math.max(this.healthz.longestMs, HEALTHZ_TIMEOUT_MS);
      } else if (answer.status === 200 && !answer.error) {
        this.healthz.longestMs = Math.max(this.healthz.longestMs, answer.ms);
        this.#silence();
      } else {
        this.healthz.failures++;
      }
      await pause(SAMPLE_MS);
    }
  }

  #silence(): void {
    const now = performance.now();
    this.healthz.longestSilenceMs = Math.max(this.healthz.longestSilenceMs, now - this.#lastAnswer);
    this.#lastAnswer = now;
  }

  async #tenantReads(): Promise<void> {
    const headers = { 'x-api-key': this.request.tenantKey };
    for (let i = 0; this.running; i++) {
      const graphql = i % 2 === 1;
      const answer = graphql
        ? await httpCall(`${this.request.url}/graphql`, {
            body: TENANT_QUERY,
            headers: { ...headers, 'content-type': 'application/json', accept: 'application/json' },
            timeoutMs: TENANT_TIMEOUT_MS,
            signal: this.#stop.signal,
          })
        : await httpCall(`${this.request.url}/api/v1/sessions?limit=10`, { headers, timeoutMs: TENANT_TIMEOUT_MS, signal: this.#stop.signal });
      if (answer.error === 'aborted') break;
      this.tenant.requests++;
      this.tenant.longestMs = Math.max(this.tenant.longestMs, answer.ms);
      if (answer.status === null || answer.error) this.tenant.errors++;
      else if (answer.status < 200 || answer.status > 299) this.tenant.non2xx[answer.status] = (this.tenant.non2xx[answer.status] ?? 0) + 1;
      else if (graphql && answer.head.includes('"errors"')) this.tenant.graphqlErrors++;
      await pause(SAMPLE_MS);
    }
  }

  async stop(): Promise<Observation> {
    this.running = false;
    this.#sample();
    this.#silence();
    clearInterval(this.#timer);
    this.#stop.abort();
    await Promise.all(this.#loops);
    const { idleRss, peakRss, hwm, killedAtRss, healthz, tenant, load } = this;
    return { idleRss, peakRss, hwm, killedAtRss, healthz, tenant, load };
  }
}

let watch: Watch | null = null;
process.on('message', (message: ObserveRequest | { type: 'stop' }) => {
  if (message.type === 'start') {
    watch = new Watch(message);
    // A moment of quiet first: the idle figures are the gateway's before the attack.
    setTimeout(() => send({ type: 'started' }), 500);
  } else if (message.type === 'stop' && watch) {
    const current = watch;
    watch = null;
    void current.stop().then((observation) => send({ type: 'observation', observation }));
  }
});
process.on('disconnect', () => process.exit(0));
