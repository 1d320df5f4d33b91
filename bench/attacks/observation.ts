// What bench/attacks/observer.ts measures while an attack runs, and the messages it exchanges with the runner.

export interface ObserveRequest {
  readonly type: 'start';
  readonly pid: number;
  readonly url: string;
  /** A `read:analytics` key of another account (tier unlimited), whose requests must keep succeeding. */
  readonly tenantKey: string;
  /** VmRSS past which the gateway is killed (SIGKILL), so an attack cannot take the machine down. */
  readonly rssCapBytes: number;
}

export interface Observation {
  /** VmRSS when observing began. */
  readonly idleRss: number;
  /** Largest VmRSS sampled (every 50 ms) and the kernel's high-water mark (VmHWM), bytes. */
  readonly peakRss: number;
  readonly hwm: number;
  /** VmRSS at which the observer killed the gateway, or null. */
  readonly killedAtRss: number | null;
  readonly healthz: {
    readonly probes: number;
    /** Longest wait for an answer, ms; a timed-out probe counts as its whole timeout. */
    readonly longestMs: number;
    readonly timeouts: number;
    readonly timeoutMs: number;
    /** Probes refused or answered other than 200 (a dead gateway). */
    readonly failures: number;
    /** Longest time between two 200 answers (or from the start, or until the end), ms. */
    readonly longestSilenceMs: number;
  };
  readonly tenant: {
    readonly requests: number;
    /** Non-2xx answers, by status. */
    readonly non2xx: Record<string, number>;
    /** No answer: timeouts, refused or reset connections. */
    readonly errors: number;
    /** 200 answers whose GraphQL body carried `errors`. */
    readonly graphqlErrors: number;
    readonly longestMs: number;
  };
  /** 1-minute load average when observing began. */
  readonly load: number;
}

export type ObserverMessage = { readonly type: 'started' } | { readonly type: 'killed'; readonly rss: number } | { readonly type: 'observation'; readonly observation: Observation };
