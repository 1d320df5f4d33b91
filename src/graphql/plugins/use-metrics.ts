import { getOperationAST, type DocumentNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { GatewayMetrics } from '../../metrics/gateway-metrics.js';

/** Set by the HTTP layer, one per request, shared by the fast path and Yoga's fallback. */
export interface OperationCounted {
  counted: boolean;
}

/** Client-chosen names are labels: only short plain names are kept, so the series stay few. */
export function operationNameLabel(name: string | undefined): string {
  if (name === undefined) return 'anonymous';
  return /^[A-Za-z0-9_]{1,64}$/.test(name) ? name : 'other';
}

/**
 * Counts each operation that reaches execution or subscription. The fast path runs this
 * pipeline too and may hand the request on to Yoga, which runs it again: `operationCounted`
 * in the context makes that one request count once.
 */
export function useMetrics(metrics: GatewayMetrics): Plugin {
  function count(document: DocumentNode, operationName: string | null | undefined, context: unknown) {
    const once = (context as { operationCounted?: OperationCounted } | null)?.operationCounted;
    if (once) {
      if (once.counted) return;
      once.counted = true;
    }
    const operation = getOperationAST(document, operationName);
    if (!operation) return;
    metrics.operationStarted(operation.operation, operationNameLabel(operation.name?.value));
  }
  return {
    onExecute({ args }) {
      count(args.document, args.operationName, args.contextValue);
    },
    onSubscribe({ args }) {
      count(args.document, args.operationName, args.contextValue);
    },
  };
}
