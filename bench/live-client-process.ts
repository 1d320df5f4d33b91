// The runner's handle on one client process (bench/live-client.ts): messages out, and the next reply of a
// given type back.
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { FromClient, ToClient } from './live-protocol.js';
import { ROOT, track } from './processes.js';

type Reply<T extends FromClient['type']> = Extract<FromClient, { type: T }>;

export class ClientProcessExited extends Error {}

export class ClientProcess {
  readonly child: ChildProcess;
  readonly #waiting = new Map<string, { resolve: (message: FromClient) => void; reject: (error: Error) => void }[]>();
  readonly #early = new Map<string, FromClient[]>();
  #exited: string | null = null;

  constructor(readonly name: string) {
    this.child = fork(join(ROOT, 'bench', 'live-client.ts'), [], { cwd: ROOT, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    track(this.child);
    this.child.on('message', (message: FromClient) => {
      const waiter = this.#waiting.get(message.type)?.shift();
      if (waiter) waiter.resolve(message);
      else this.#early.set(message.type, [...(this.#early.get(message.type) ?? []), message]);
    });
    this.child.once('exit', (code, signal) => {
      this.#exited = `${name} exited with ${code ?? signal}`;
      for (const list of this.#waiting.values()) for (const w of list.splice(0)) w.reject(new ClientProcessExited(this.#exited));
    });
  }

  send(message: ToClient): void {
    if (this.#exited === null) this.child.send(message);
  }

  next<T extends FromClient['type']>(type: T): Promise<Reply<T>> {
    const early = this.#early.get(type)?.shift();
    if (early) return Promise.resolve(early as Reply<T>);
    if (this.#exited !== null) return Promise.reject(new ClientProcessExited(this.#exited));
    return new Promise((resolve, reject) => {
      const list = this.#waiting.get(type) ?? [];
      list.push({ resolve: (message) => resolve(message as Reply<T>), reject });
      this.#waiting.set(type, list);
    });
  }
}
