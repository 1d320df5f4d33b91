// The runner's side of bench/attacks/observer.ts: one forked observer for the whole run.
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, track } from '../processes.js';
import type { Observation, ObserveRequest, ObserverMessage } from './observation.js';

export class ObserverClient {
  readonly #child: ChildProcess;
  #waiting: ((message: ObserverMessage) => void) | null = null;
  /** Called when the observer killed the gateway for passing the RSS cap. */
  onKilled: (rss: number) => void = () => {};

  constructor() {
    this.#child = fork(join(ROOT, 'bench', 'attacks', 'observer.ts'), [], { cwd: ROOT, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    track(this.#child);
    this.#child.on('message', (message: ObserverMessage) => {
      if (message.type === 'killed') this.onKilled(message.rss);
      else this.#waiting?.(message);
    });
  }

  #next<T extends ObserverMessage['type']>(type: T): Promise<Extract<ObserverMessage, { type: T }>> {
    return new Promise((resolve, reject) => {
      const exit = () => reject(new Error('the observer process ended'));
      this.#child.once('exit', exit);
      this.#waiting = (message) => {
        if (message.type !== type) return;
        this.#waiting = null;
        this.#child.off('exit', exit);
        resolve(message as Extract<ObserverMessage, { type: T }>);
      };
    });
  }

  /** Resolves once the observer has watched the idle gateway for a moment. */
  async start(request: Omit<ObserveRequest, 'type'>): Promise<void> {
    const started = this.#next('started');
    this.#child.send({ type: 'start', ...request } satisfies ObserveRequest);
    await started;
  }

  async stop(): Promise<Observation> {
    const done = this.#next('observation');
    this.#child.send({ type: 'stop' });
    return (await done).observation;
  }

  close(): void {
    this.#child.disconnect();
  }
}
