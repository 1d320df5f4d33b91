import type { SessionFeed } from '../live/session-feed.js';
import type { OperationContext } from '../operations/operation.js';

export interface GraphQLContext extends OperationContext {
  readonly requestId: string;
  readonly feed?: SessionFeed;
}
