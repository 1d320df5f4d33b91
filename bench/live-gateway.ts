// The gateway of the live bench: `trenchcoat serve` from dist/ as deployed, with only the settings that
// N subscriptions need raised, each named in the report.
import { resolve } from 'node:path';
import { startServer, TRENCHCOAT_BIN, type ServerProcess } from './processes.js';

/** The gateway's defaults the raised settings are weighed against (src/config/settings.ts). */
const DEFAULT_PER_KEY = 10;
const DEFAULT_TOTAL = 1000;
const DEFAULT_MAX_CONNECTIONS = 1024;
const DEFAULT_ANONYMOUS_PER_MINUTE = 120;
/** Connections beside the streams: the ingest's, the readiness probe's, a few to spare. */
const SPARE_CONNECTIONS = 16;

export interface LiveGatewayOptions {
  db: string;
  /** The /metrics scrape token (bench/live-heap.ts); not a limit, so not among the settings reported as raised. */
  metricsToken: string;
  subscribers: number;
  wsSubscribers: number;
  keys: number;
  workers: number | null;
  cpuProf: string | null;
}

/** The environment variables set for the gateway, each only when its default would refuse the run. */
export function liveSettings(o: LiveGatewayOptions): Record<string, string> {
  const settings: Record<string, string> = {};
  const perKey = Math.ceil(o.subscribers / o.keys);
  if (perKey > DEFAULT_PER_KEY) settings['TRENCHCOAT_SUBSCRIPTIONS_PER_KEY'] = String(perKey);
  // Per process: with several workers, one of them may still be handed most of the streams.
  if (o.subscribers > DEFAULT_TOTAL) settings['TRENCHCOAT_SUBSCRIPTIONS_MAX'] = String(o.subscribers);
  if (o.subscribers + SPARE_CONNECTIONS > DEFAULT_MAX_CONNECTIONS) settings['TRENCHCOAT_MAX_CONNECTIONS'] = String(o.subscribers + SPARE_CONNECTIONS);
  // A WebSocket handshake is counted against its address's limit for callers without a key (the key comes later):
  // every socket of the run opens from 127.0.0.1 within seconds.
  if (o.wsSubscribers > DEFAULT_ANONYMOUS_PER_MINUTE / 2) settings['TRENCHCOAT_ANONYMOUS_REQUESTS_PER_MINUTE'] = String(Math.max(DEFAULT_ANONYMOUS_PER_MINUTE, 2 * o.wsSubscribers));
  return settings;
}

export function startLiveGateway(o: LiveGatewayOptions): Promise<ServerProcess> {
  const env: Record<string, string | undefined> = { ...liveSettings(o), TRENCHCOAT_METRICS_TOKEN: o.metricsToken };
  if (o.cpuProf !== null) {
    // NODE_OPTIONS reaches the workers `serve` starts too; each process writes its profile when it exits.
    env['NODE_OPTIONS'] = [process.env['NODE_OPTIONS'], '--cpu-prof', `--cpu-prof-dir=${resolve(o.cpuProf)}`].filter(Boolean).join(' ');
  }
  return startServer({
    name: 'gateway (live)',
    args: (port) => [
      TRENCHCOAT_BIN, 'serve', '--port', String(port), '--host', '127.0.0.1', '--db', o.db,
      ...(o.workers === null ? [] : ['--workers', String(o.workers)]),
    ],
    readyPath: '/healthz',
    env,
    timeoutMs: 5 * 60_000,
  });
}
