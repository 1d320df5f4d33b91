import type { SessionFeed } from '../live/session-feed.js';
import type { UseCaseContext } from '../use-cases/use-case.js';
import type { RequestBudgets } from './request-budgets.js';

export interface GraphQLContext extends UseCaseContext {
  readonly requestId: string;
  readonly feed?: SessionFeed;
  /** What the request (or each live message) may still read and answer. */
  readonly budgets: RequestBudgets;
}
