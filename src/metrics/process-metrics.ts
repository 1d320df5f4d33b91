import { collectDefaultMetrics, Registry } from 'prom-client';

let registry: Registry | null = null;

/**
 * CPU, memory, event-loop lag, GC and handles of this process, prefixed `trenchcoat_`. They
 * describe the process, not a gateway, and their collectors (an event-loop monitor, a GC
 * observer) cannot be stopped, so there is one registry per process, made by the first gateway
 * that serves metrics, and never prom-client's global one.
 */
export function processMetrics(): Registry {
  if (!registry) {
    registry = new Registry();
    collectDefaultMetrics({ register: registry, prefix: 'trenchcoat_' });
  }
  return registry;
}
