import type { OperationContext } from '../operations/operation.js';

export interface GraphQLContext extends OperationContext {
  readonly requestId: string;
}
