export { ConfigError } from './config/config-error.js';
export { flagHelp } from './config/flag-help.js';
export { defaultConfig, loadConfig, loadSettings, type GatewayConfig, type HttpLimits } from './config/load-config.js';
export { SETTINGS, type ConfigFlags, type LiveRelayKind } from './config/settings.js';
