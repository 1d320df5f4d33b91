import { isPostgresUrl } from '../db/open-database.js';
import { ConfigError } from './config-error.js';
import { isSetting, SETTINGS, type ConfigFlags, type LiveRelayKind, type Setting, type SettingGroup, type SettingValues } from './settings.js';

type Flatten<T> = { readonly [K in keyof T]: T[K] };

/** The table's values, with the live relay resolved from what is configured. Frozen, groups included. */
export type GatewayConfig = Flatten<Omit<SettingValues<typeof SETTINGS>, 'liveRelay'> & { readonly liveRelay: LiveRelayKind }>;
export type HttpLimits = GatewayConfig['http'];
export type SettingName = keyof GatewayConfig;

type Env = Readonly<Record<string, string | undefined>>;

/** A flag wins over its variable, which wins over the default. */
function readSetting<T>(entry: Setting<T>, flags: ConfigFlags, env: Env): T {
  const fromFlag = entry.flag === undefined ? undefined : flags[entry.flag];
  if (fromFlag !== undefined) return entry.parser.parse(fromFlag, `--${entry.flag}`);
  const fromEnv = entry.env === null ? undefined : env[entry.env];
  return fromEnv === undefined || entry.env === null ? entry.default : entry.parser.parse(fromEnv, entry.env);
}

function readEntry(entry: Setting<unknown> | SettingGroup, flags: ConfigFlags, env: Env): unknown {
  if (isSetting(entry)) return readSetting(entry, flags, env);
  return Object.freeze(Object.fromEntries(Object.entries(entry).map(([name, inner]) => [name, readEntry(inner, flags, env)])));
}

/** Rules between settings, applied as soon as the setting they are named after has been read. */
const RULES: Partial<Record<SettingName, (read: Record<string, unknown>) => unknown>> = {
  http(read) {
    const http = read['http'] as HttpLimits;
    if (http.requestTimeoutMs < http.headersTimeoutMs) {
      throw new ConfigError('TRENCHCOAT_REQUEST_TIMEOUT_MS must be at least TRENCHCOAT_HEADERS_TIMEOUT_MS.');
    }
    return http;
  },
  liveRelay(read) {
    const chosen = read['liveRelay'] as LiveRelayKind | null;
    const databaseUrl = read['databaseUrl'] as string;
    const redisUrl = read['redisUrl'] as string | null;
    if (chosen === null) return redisUrl ? 'redis' : isPostgresUrl(databaseUrl) ? 'postgres' : 'local';
    if (chosen === 'redis' && !redisUrl) throw new ConfigError('TRENCHCOAT_LIVE_RELAY=redis needs REDIS_URL.');
    if (chosen === 'postgres' && !isPostgresUrl(databaseUrl)) throw new ConfigError('TRENCHCOAT_LIVE_RELAY=postgres needs a postgres:// database.');
    return chosen;
  },
};

/** Settings a rule reads besides its own. */
const NEEDS: Partial<Record<SettingName, readonly SettingName[]>> = { liveRelay: ['databaseUrl', 'redisUrl'] };

const ORDER = Object.keys(SETTINGS) as SettingName[];

/**
 * Reads only the named settings (and those their rules need), exactly as `loadConfig` reads them:
 * a command that opens no server is not stopped by a bad value it never uses.
 */
export function loadSettings<K extends SettingName>(names: readonly K[], flags: ConfigFlags = {}, env: Env = process.env): Pick<GatewayConfig, K> {
  const wanted = new Set<SettingName>(names.flatMap((name) => [name, ...(NEEDS[name] ?? [])]));
  const read: Record<string, unknown> = {};
  for (const name of ORDER) {
    if (!wanted.has(name)) continue;
    read[name] = readEntry(SETTINGS[name], flags, env);
    const rule = RULES[name];
    if (rule) read[name] = rule(read);
  }
  return Object.freeze(Object.fromEntries(names.map((name) => [name, read[name]]))) as Pick<GatewayConfig, K>;
}

/** Every setting, checked at once: `serve` fails at start on the first bad value, naming it. */
export function loadConfig(flags: ConfigFlags = {}, env: Env = process.env): GatewayConfig {
  return loadSettings(ORDER, flags, env);
}

/** The configuration with nothing set: every value from the table's defaults. */
export function defaultConfig(): GatewayConfig {
  return loadConfig({}, {});
}
