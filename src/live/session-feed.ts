import type { Kysely } from 'kysely';
import type { Principal } from '../auth/principal.js';
import type { Tables } from '../db/tables.js';
import { apiError } from '../errors/api-error.js';
import { selectSession } from '../sessions/session-queries.js';
import { toSession } from '../sessions/session.js';
import type { ChangeMessage } from './change-message.js';
import { LiveSubscriber, StreamEnd } from './live-subscriber.js';
import { UpdateThrottle } from './update-throttle.js';

export interface LiveLimits {
  /** Open subscriptions one key may hold. */
  readonly perKey: number;
  /** Open subscriptions in this process. */
  readonly total: number;
  /** Shortest time between two updates of one session (a burst is coalesced into one). */
  readonly intervalMs: number;
  /** Sessions with unread updates a subscriber may lag behind before it is dropped. */
  readonly queue: number;
  /** How often open subscriptions' keys are checked against the database (revocation by another process). */
  readonly recheckMs: number;
}

export interface SessionFeedDeps {
  db: Kysely<Tables>;
  now: () => number;
  limits: LiveLimits;
  onError?: (error: unknown) => void;
}

/**
 * This process's live subscribers. Changes arrive from the relay (from any process); each touched
 * session with a subscriber here is read once, at most once per interval, and handed to the
 * subscribers of its account.
 */
export class SessionFeed {
  readonly #deps: SessionFeedDeps;
  readonly #byAccount = new Map<number, Set<LiveSubscriber>>();
  readonly #perKey = new Map<string, number>();
  readonly #throttle: UpdateThrottle;
  /** Reads in flight per session: an older read finishing last must not overwrite a newer state. */
  readonly #reads = new Map<string, number>();
  #count = 0;
  #recheck: NodeJS.Timeout | null = null;
  #closed = false;

  constructor(deps: SessionFeedDeps) {
    this.#deps = deps;
    this.#throttle = new UpdateThrottle(deps.limits.intervalMs, (accountId, sessionId) => void this.#deliver(accountId, sessionId));
  }

  get size(): number {
    return this.#count;
  }

  subscribe(principal: Principal, sessionId: string | null): LiveSubscriber {
    const { perKey, total, queue } = this.#deps.limits;
    if (this.#closed) throw apiError('UNAVAILABLE', 'The server is shutting down.');
    if ((this.#perKey.get(principal.keyId) ?? 0) >= perKey) {
      throw apiError('RATE_LIMITED', `This API key already holds ${perKey} live subscriptions; close one first.`);
    }
    if (this.#count >= total) throw apiError('RATE_LIMITED', 'The server holds as many live subscriptions as it allows; try again later.');
    const subscriber = new LiveSubscriber(principal, sessionId, queue, (s) => this.#release(s));
    let set = this.#byAccount.get(principal.accountId);
    if (!set) this.#byAccount.set(principal.accountId, (set = new Set()));
    set.add(subscriber);
    this.#perKey.set(principal.keyId, (this.#perKey.get(principal.keyId) ?? 0) + 1);
    this.#count++;
    this.#recheck ??= setInterval(() => void this.#recheckKeys(), this.#deps.limits.recheckMs).unref();
    return subscriber;
  }

  /** A message from the relay. */
  receive(message: ChangeMessage): void {
    if (message.kind === 'probe') return;
    if (message.kind === 'revoked') {
      this.#endKeys(new Set([message.keyId]));
      return;
    }
    if (!this.#byAccount.has(message.accountId)) return;
    for (const id of message.sessionIds) this.#throttle.touch(message.accountId, id);
  }

  /** Ends every stream quietly (shutdown). */
  close(): void {
    this.#closed = true;
    this.#throttle.clear();
    for (const set of [...this.#byAccount.values()]) for (const s of [...set]) s.end();
  }

  async #deliver(accountId: number, sessionId: string): Promise<void> {
    const subscribers = [...(this.#byAccount.get(accountId) ?? [])].filter((s) => s.wants(accountId, sessionId));
    if (subscribers.length === 0) return;
    const key = `${accountId}:${sessionId}`;
    const read = (this.#reads.get(key) ?? 0) + 1;
    this.#reads.set(key, read);
    try {
      const row = await selectSession(this.#deps.db, accountId, sessionId);
      if (this.#reads.get(key) !== read) return;
      this.#reads.delete(key);
      if (!row) return;
      if (this.#throttle.repeats(key, JSON.stringify(row))) return;
      const session = toSession(row, this.#deps.now());
      const slow = () => new StreamEnd(apiError('RATE_LIMITED', `The subscriber fell more than ${this.#deps.limits.queue} sessions behind; the stream was ended.`));
      for (const s of subscribers) s.push(session, slow);
    } catch (error) {
      if (this.#reads.get(key) === read) this.#reads.delete(key);
      this.#deps.onError?.(error);
    }
  }

  #release(subscriber: LiveSubscriber): void {
    const set = this.#byAccount.get(subscriber.principal.accountId);
    if (!set?.delete(subscriber)) return;
    if (set.size === 0) this.#byAccount.delete(subscriber.principal.accountId);
    const left = (this.#perKey.get(subscriber.principal.keyId) ?? 1) - 1;
    if (left > 0) this.#perKey.set(subscriber.principal.keyId, left);
    else this.#perKey.delete(subscriber.principal.keyId);
    this.#count--;
    if (this.#count === 0 && this.#recheck) {
      clearInterval(this.#recheck);
      this.#recheck = null;
    }
  }

  #endKeys(keyIds: ReadonlySet<string>): void {
    for (const set of [...this.#byAccount.values()]) {
      for (const s of [...set]) {
        if (keyIds.has(s.principal.keyId)) s.end(new StreamEnd(apiError('UNAUTHENTICATED', 'The API key of this subscription was revoked.')));
      }
    }
  }

  /** Keys revoked by another process (e.g. `trenchcoat keys revoke` on SQLite) are found here. */
  async #recheckKeys(): Promise<void> {
    const ids = [...this.#perKey.keys()];
    if (ids.length === 0) return;
    try {
      const live = await this.#deps.db
        .selectFrom('api_keys')
        .select('id')
        .where('id', 'in', ids)
        .where('revoked_at', 'is', null)
        .execute();
      const alive = new Set(live.map((r) => r.id));
      this.#endKeys(new Set(ids.filter((id) => !alive.has(id))));
    } catch (error) {
      this.#deps.onError?.(error);
    }
  }
}
