import { getOperationAST, type DocumentNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { GatewayMetrics } from '../../metrics/gateway-metrics.js';

/** Client-chosen names are labels: only short plain names are kept, so the series stay few. */
export function operationNameLabel(name: string | undefined): string {
  if (name === undefined) return 'anonymous';
  return /^[A-Za-z0-9_]{1,64}$/.test(name) ? name : 'other';
}

/**
 * Counts each operation that reaches execution or subscription. Each is executed once, whichever
 * path answers it (the fast path hands Yoga its result, never the request to run again).
 */
export function useMetrics(metrics: GatewayMetrics): Plugin {
  function count(document: DocumentNode, operationName: string | null | undefined) {
    const operation = getOperationAST(document, operationName);
    if (!operation) return;
    metrics.operationStarted(operation.operation, operationNameLabel(operation.name?.value));
  }
  return {
    onExecute({ args }) {
      count(args.document, args.operationName);
    },
    onSubscribe({ args }) {
      count(args.document, args.operationName);
    },
  };
}
