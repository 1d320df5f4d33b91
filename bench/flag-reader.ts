// Command-line flags for the bench scripts: `--flag value`, `--flag=value` or a bare `--flag`.
import { databaseName, isPostgresUrl, redactUrl } from './pg-admin.js';

export class FlagError extends Error {}

const shown = (value: string | undefined) => (value === undefined ? 'nothing' : `"${value}"`);

export class FlagReader {
  readonly #argv: readonly string[];
  #at = -1;
  #inline: string | undefined;
  /** The flag being read, as typed before any `=`. */
  flag = '';

  constructor(argv: readonly string[]) {
    this.#argv = argv;
  }

  /** Moves to the next flag and names it; null after the last. */
  next(): string | null {
    const raw = this.#argv[++this.#at];
    if (raw === undefined) return null;
    const eq = raw.indexOf('=');
    this.flag = eq > 0 ? raw.slice(0, eq) : raw;
    this.#inline = eq > 0 ? raw.slice(eq + 1) : undefined;
    return this.flag;
  }

  /** The flag's value as typed, inline or the next word; undefined when there is none. */
  #raw(): string | undefined {
    return this.#inline ?? this.#argv[++this.#at];
  }

  /** The flag's value, inline or the next word; missing or empty is an error. */
  value(): string {
    const value = this.#raw();
    if (!value) throw new FlagError(`${this.flag} needs a value.`);
    return value;
  }

  /** The flag's value when given inline or when the next word is not a flag. */
  optionalValue(): string | undefined {
    if (this.#inline !== undefined) return this.#inline;
    const next = this.#argv[this.#at + 1];
    if (next === undefined || next.startsWith('--')) return undefined;
    this.#at += 1;
    return next;
  }

  integer(min: number): number {
    const value = this.#raw();
    if (value === undefined || !/^[0-9]+$/.test(value) || Number(value) < min) {
      throw new FlagError(`${this.flag} needs a whole number of at least ${min}; got ${shown(value)}.`);
    }
    return Number(value);
  }

  /** A decimal number, above 0 when `aboveZero`. */
  number(aboveZero: boolean): number {
    const value = this.#raw();
    if (value === undefined || !/^[0-9]+(\.[0-9]+)?$/.test(value) || (aboveZero && Number(value) <= 0)) {
      throw new FlagError(`${this.flag} needs a number${aboveZero ? ' above 0' : ''}; got ${shown(value)}.`);
    }
    return Number(value);
  }

  choice<T extends string>(choices: readonly T[]): T {
    const value = this.#raw();
    if (!(choices as readonly (string | undefined)[]).includes(value)) {
      throw new FlagError(`${this.flag} is one of ${choices.join(', ')}; got ${shown(value)}.`);
    }
    return value as T;
  }

  /** A comma-separated list, each item one of `choices`. */
  list<T extends string>(choices: readonly T[]): T[] {
    const items = this.value().split(',').map((s) => s.trim()).filter(Boolean);
    const unknown = items.filter((s) => !(choices as readonly string[]).includes(s));
    if (items.length === 0 || unknown.length > 0) {
      throw new FlagError(`${this.flag} takes a comma-separated list of ${choices.join(', ')}; unknown: "${unknown.join(',')}".`);
    }
    return items as T[];
  }

  /** A SQLite path or a postgres:// URL; a URL must name its database. */
  database(): string {
    const value = this.value();
    if (isPostgresUrl(value)) {
      try {
        databaseName(value);
      } catch (error) {
        throw new FlagError(`${this.flag} ${redactUrl(value)}: ${(error as Error).message}.`);
      }
    }
    return value;
  }

  unknown(): FlagError {
    return new FlagError(`Unknown option "${this.flag}". Try --help.`);
  }
}

/**
 * The flags `parse` reads from the command line. `--help` prints `usage` and exits 0; a bad flag is
 * printed with the command's name and exits 2.
 */
export function flagsOrExit<T>(command: string, usage: string, parse: (argv: readonly string[]) => T | 'help'): T {
  let parsed: T | 'help';
  try {
    parsed = parse(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof FlagError)) throw error;
    process.stderr.write(`${command}: ${error.message}\n`);
    process.exit(2);
  }
  if (parsed === 'help') {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  return parsed;
}
