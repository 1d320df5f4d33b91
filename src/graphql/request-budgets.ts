import type { ApiError } from '../errors/api-error.js';
import type { BytesInFlight } from '../limits/bytes-in-flight.js';
import { isMessageScope } from './message-scope.js';
import { ResponseBudget, type BudgetLimits, type Charge } from './response-budget.js';

/**
 * The response budgets of one GraphQL request: one for a query or mutation, one per message for a
 * subscription (its context is shared by every message, its budget must not be). Each starts with the
 * charge for the answer's shape (`begin`); fields charge what they read on top.
 */
export class RequestBudgets {
  readonly #limits: BudgetLimits;
  readonly #inFlight: BytesInFlight;
  readonly #keyId: string;
  #shape: Charge | null = null;
  #request: ResponseBudget | null = null;
  readonly #messages = new WeakMap<object, ResponseBudget>();
  /** Budgets started since the last `settle`. */
  #open: ResponseBudget[] = [];

  constructor(limits: BudgetLimits, inFlight: BytesInFlight, keyId: string) {
    this.#limits = limits;
    this.#inFlight = inFlight;
    this.#keyId = keyId;
  }

  /**
   * The operation is about to run: every budget starts with `shape`. For a query or mutation its budget
   * starts now; for a subscription each message's starts with the message. The refusal when the shape
   * alone is over a limit (nothing has run), else null.
   */
  begin(shape: Charge, kind: 'answer' | 'messages'): ApiError | null {
    this.#shape = shape;
    if (kind === 'answer') return this.of().refusal;
    const trial = this.#start();
    this.settle();
    return trial.refusal;
  }

  /** The budget a field's work counts against: its live message's when `parent` is one, else the request's. */
  of(parent?: unknown): ResponseBudget {
    if (isMessageScope(parent)) {
      let budget = this.#messages.get(parent);
      if (!budget) this.#messages.set(parent, (budget = this.#start()));
      return budget;
    }
    return (this.#request ??= this.#start());
  }

  /** An answer (or a message) is complete: settles the budgets it used; the first refusal among them, if any. */
  settle(): ApiError | null {
    // Every live message settles, most with nothing open (a shared answer was settled where it ran).
    if (this.#open.length === 0) return null;
    const open = this.#open;
    this.#open = [];
    let refusal: ApiError | null = null;
    for (const budget of open) refusal ??= budget.settle();
    return refusal;
  }

  #start(): ResponseBudget {
    const budget = new ResponseBudget(this.#limits, this.#inFlight, this.#keyId);
    this.#open.push(budget);
    if (this.#shape) {
      try {
        budget.charge(this.#shape);
      } catch {
        // The refusal stays on the budget: every field charging it throws it.
      }
    }
    return budget;
  }
}
