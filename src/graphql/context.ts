import type { SessionFeed } from '../live/session-feed.js';
import type { UseCaseContext } from '../use-cases/use-case.js';

export interface GraphQLContext extends UseCaseContext {
  readonly requestId: string;
  readonly feed?: SessionFeed;
}
