import { availableParallelism } from 'node:os';
import type { CorsOrigins } from '../http/cors-policy.js';
import { ConfigError } from './config-error.js';

/** Turns a setting's text into its value, or fails with a one-line ConfigError naming `source`. */
export interface Parser<T> {
  /** The values accepted, in words: the bounds column of the settings table. */
  readonly accepts: string;
  parse(text: string, source: string): T;
}

const WHOLE = /^[0-9]{1,9}$/;

export const anyText: Parser<string> = { accepts: 'any text', parse: (text) => text };

export const port: Parser<number> = {
  accepts: 'an integer from 0 to 65535 (0 picks a free port)',
  parse(text, source) {
    if (!/^[0-9]{1,5}$/.test(text) || Number(text) > 65535) {
      throw new ConfigError(`${source} must be an integer from 0 to 65535; got "${text}".`);
    }
    return Number(text);
  },
};

/** More processes than this gain nothing on any machine the gateway targets and only multiply its memory. */
export const MAX_WORKERS = 64;

export const workerCount: Parser<number> = {
  accepts: `a whole number from 1 to ${MAX_WORKERS}, or auto (one per core)`,
  parse(text, source) {
    if (text === 'auto') return Math.min(MAX_WORKERS, availableParallelism());
    if (!WHOLE.test(text) || Number(text) < 1 || Number(text) > MAX_WORKERS) {
      throw new ConfigError(`${source} must be a whole number from 1 to ${MAX_WORKERS}, or auto; got "${text}".`);
    }
    return Number(text);
  },
};

export const onOff: Parser<boolean> = {
  accepts: 'true or false (also 1/0, yes/no, on/off)',
  parse(text, source) {
    if (/^(1|true|yes|on)$/i.test(text)) return true;
    if (/^(0|false|no|off)$/i.test(text)) return false;
    throw new ConfigError(`${source} must be true or false; got "${text}".`);
  },
};

export const bytes: Parser<number> = {
  accepts: 'a whole number of bytes, at least 1',
  parse(text, source) {
    if (!/^[0-9]+$/.test(text) || Number(text) < 1) throw new ConfigError(`${source} must be a positive number of bytes; got "${text}".`);
    return Number(text);
  },
};

export function whole(min: number, note = ''): Parser<number> {
  return {
    accepts: `a whole number, at least ${min}${note}`,
    parse(text, source) {
      if (!WHOLE.test(text) || Number(text) < min) {
        throw new ConfigError(`${source} must be a whole number of at least ${min}; got "${text}".`);
      }
      return Number(text);
    },
  };
}

export const characters: Parser<number> = {
  accepts: 'a whole number of characters, 0 for none',
  parse(text, source) {
    if (!WHOLE.test(text)) throw new ConfigError(`${source} must be a whole number of characters (0 for no previews); got "${text}".`);
    return Number(text);
  },
};

export const databaseLocation: Parser<string> = {
  accepts: 'a SQLite file path or a postgres:// URL (TLS: sslmode in the URL)',
  parse(text) {
    if (text.trim() === '') throw new ConfigError('The database path or URL must not be empty.');
    return text;
  },
};

/** Empty is the same as unset. */
export const redisUrl: Parser<string | null> = {
  accepts: 'a redis:// or rediss:// URL',
  parse(text, source) {
    if (text === '') return null;
    if (!/^rediss?:\/\//i.test(text)) throw new ConfigError(`${source} must start with redis:// or rediss://; got "${text}".`);
    return text;
  },
};

/** Empty is the same as unset. */
export function oneOf<const T extends string>(choices: readonly T[]): Parser<T | null> {
  const listed = `${choices.slice(0, -1).join(', ')} or ${choices.at(-1)}`;
  return {
    accepts: listed,
    parse(text, source) {
      if (text === '') return null;
      if (!(choices as readonly string[]).includes(text)) throw new ConfigError(`${source} must be ${listed}; got "${text}".`);
      return text as T;
    },
  };
}

export const channelName: Parser<string> = {
  accepts: '1-100 letters, digits or _.:-',
  parse(text, source) {
    if (!/^[A-Za-z0-9_.:-]{1,100}$/.test(text)) throw new ConfigError(`${source} must be 1-100 letters, digits or _.:-; got "${text}".`);
    return text;
  },
};

/** Empty is the same as unset. The message never repeats the value: it is a secret. */
export const bearerToken: Parser<string | null> = {
  accepts: '16 to 1024 visible ASCII characters',
  parse(text, source) {
    if (text === '') return null;
    if (!/^[\x21-\x7e]{16,1024}$/.test(text)) {
      throw new ConfigError(`${source} must be 16 to 1024 visible ASCII characters, without spaces (e.g. \`openssl rand -hex 32\`).`);
    }
    return text;
  },
};

/** One origin as a browser sends it in Origin: anything else would never match, so it is refused at start. */
function exactOrigin(entry: string, source: string): string {
  let origin: string;
  try {
    origin = new URL(entry).origin;
  } catch {
    origin = 'null';
  }
  if (origin !== entry || !/^https?:\/\//.test(entry)) {
    const hint = origin !== 'null' && /^https?:\/\//.test(origin) ? ` (did you mean "${origin}"?)` : '';
    throw new ConfigError(`${source} must be * or a comma-separated list of origins like https://app.example:8443 (scheme, host and port only); "${entry}" is not one${hint}.`);
  }
  return origin;
}

export const corsOrigins: Parser<CorsOrigins> = {
  accepts: '* or a comma-separated list of exact origins (`scheme://host[:port]`)',
  parse(text, source) {
    if (text.trim() === '*') return '*';
    return Object.freeze(text.split(',').map((entry) => exactOrigin(entry.trim(), source)));
  },
};

/** Empty is the same as unset. Whether the file exists and reads is checked when the server starts. */
export const filePath: Parser<string | null> = {
  accepts: 'a file path',
  parse: (text) => (text === '' ? null : text),
};
