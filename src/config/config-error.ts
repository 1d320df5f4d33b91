/** A setting with a bad value: the message is one line naming the variable (or flag) and the value. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}
