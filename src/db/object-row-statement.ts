import type { Statement } from 'better-sqlite3';
import type { SqliteStatement } from 'kysely';

type RowValues = unknown[];
type RowObject = Record<string, unknown>;
type RowBuilder = (values: RowValues) => RowObject;

/**
 * A reading statement whose rows are built here from better-sqlite3's raw arrays. better-sqlite3 12
 * creates each row object in one call from lists of names and values, which leaves V8 with
 * dictionary-mode objects: slower to build, about half again as large, and slower for every read of a
 * field afterwards. An object literal generated from the statement's column names gives every row of
 * the statement one shared shape instead.
 *
 * Rows keep better-sqlite3's meaning exactly: keys in column order, the last of two equal names wins,
 * a column named `__proto__` is an own property.
 */
export class ObjectRowStatement implements SqliteStatement {
  readonly reader = true;
  readonly #statement: Statement;
  readonly #row: RowBuilder;

  private constructor(statement: Statement, row: RowBuilder) {
    this.#statement = statement;
    this.#row = row;
  }

  /** The statement itself when it writes, or where code generation is switched off (`--disallow-code-generation-from-strings`). */
  static wrap(statement: Statement): SqliteStatement {
    if (!statement.reader) return statement as unknown as SqliteStatement;
    const row = rowBuilder(statement.columns().map((column) => column.name));
    if (!row) return statement as unknown as SqliteStatement;
    statement.raw(true);
    return new ObjectRowStatement(statement, row);
  }

  all(parameters: ReadonlyArray<unknown>): unknown[] {
    const rows = this.#statement.all(parameters) as unknown[];
    for (let i = 0; i < rows.length; i++) rows[i] = this.#row(rows[i] as RowValues);
    return rows;
  }

  run(parameters: ReadonlyArray<unknown>): { changes: number | bigint; lastInsertRowid: number | bigint } {
    return this.#statement.run(parameters);
  }

  *iterate(parameters: ReadonlyArray<unknown>): IterableIterator<unknown> {
    for (const values of this.#statement.iterate(parameters)) yield this.#row(values as RowValues);
  }
}

function rowBuilder(names: string[]): RowBuilder | null {
  // A computed key defines an own property where a literal `__proto__:` would set the prototype.
  const fields = names.map((name, i) => `${name === '__proto__' ? `[${JSON.stringify(name)}]` : JSON.stringify(name)}: v[${i}]`);
  try {
    return new Function('v', `return { ${fields.join(', ')} };`) as RowBuilder;
  } catch {
    return null;
  }
}
