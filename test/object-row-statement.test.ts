import { execFileSync } from 'node:child_process';
import SQLite from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ObjectRowStatement } from '../src/db/object-row-statement.js';
import { TEST_ENGINE } from './support/test-database.js';

// Rows built from raw arrays must be exactly the rows better-sqlite3 builds itself, whatever the columns are called.

const connection = new SQLite(':memory:');
afterAll(() => connection.close());

const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`;
const columnName = fc.oneof(
  fc.constantFrom('id', 'a', 'A', '__proto__', 'constructor', 'toString', 'hasOwnProperty', '0', '1', '42', '-1', '1.5', '', ' ', '"', "'", '`', '\\', '${x}', '}; throw 1; {', '\u2028', 'é', '💥'),
  fc.string({ maxLength: 8 }).filter((name) => !name.includes('\0')),
);
const value = fc.oneof(
  fc.constant(null),
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 }),
  fc.maxSafeInteger(),
  fc.double({ noNaN: true }),
  fc.string({ maxLength: 12 }),
  fc.uint8Array({ maxLength: 6 }).map((bytes) => Buffer.from(bytes)),
);

/** Keys in order, values, and what the prototype is: the whole observable row. */
const described = (row: unknown) => ({
  entries: Object.entries(row as object),
  ownNames: Object.getOwnPropertyNames(row),
  prototype: Object.getPrototypeOf(row),
});

describe.runIf(TEST_ENGINE === 'sqlite')('ObjectRowStatement', () => {
  it('builds the rows better-sqlite3 builds, for any column names and values', () => {
    fc.assert(
      fc.property(fc.array(columnName, { minLength: 1, maxLength: 8 }), fc.array(fc.array(value, { minLength: 8, maxLength: 8 }), { maxLength: 4 }), (names, rows) => {
        const selects = rows.length === 0
          ? [`select ${names.map((name) => `1 as ${quoted(name)}`).join(', ')} where 0`]
          : rows.map(() => `select ${names.map((name) => `? as ${quoted(name)}`).join(', ')}`);
        const sql = selects.join(' union all ');
        const parameters = rows.flatMap((row) => row.slice(0, names.length));
        const expected = connection.prepare(sql).all(parameters);
        const statement = ObjectRowStatement.wrap(connection.prepare(sql));
        expect(statement).toBeInstanceOf(ObjectRowStatement);
        expect(statement.all(parameters).map(described)).toEqual(expected.map(described));
        expect([...statement.iterate(parameters)].map(described)).toEqual(expected.map(described));
      }),
      { numRuns: 300 },
    );
  });

  it('keeps the last of two equal names, in the position of the first', () => {
    const statement = ObjectRowStatement.wrap(connection.prepare('select 1 as a, 2 as b, 3 as a'));
    const [row] = statement.all([]) as Record<string, unknown>[];
    expect(Object.entries(row!)).toEqual([['a', 3], ['b', 2]]);
  });

  it('makes a column named __proto__ an own property and leaves the prototype alone', () => {
    const [row] = ObjectRowStatement.wrap(connection.prepare('select 7 as "__proto__"')).all([]) as object[];
    expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(row, '__proto__')?.value).toBe(7);
  });

  it('returns the rows of an insert … returning and runs writes as they are', () => {
    connection.exec('create table notes (id integer primary key, body text)');
    const write = connection.prepare('insert into notes (body) values (?)');
    expect(ObjectRowStatement.wrap(write)).toBe(write);
    expect(ObjectRowStatement.wrap(write).run(['first'])).toMatchObject({ changes: 1, lastInsertRowid: 1 });
    const returning = ObjectRowStatement.wrap(connection.prepare('insert into notes (body) values (?) returning id, body'));
    expect(returning.reader).toBe(true);
    expect(returning.all(['second'])).toEqual([{ id: 2, body: 'second' }]);
    expect(returning.run(['third'])).toMatchObject({ changes: 1, lastInsertRowid: 3 });
    expect(connection.prepare('select body from notes order by id').pluck().all()).toEqual(['first', 'second', 'third']);
  });

  it('falls back to better-sqlite3 rows where code generation is switched off', () => {
    const script = `
      const SQLite = require('better-sqlite3');
      const { ObjectRowStatement } = require(process.argv[1]);
      const statement = ObjectRowStatement.wrap(new SQLite(':memory:').prepare('select 1 as a'));
      process.stdout.write(JSON.stringify({ wrapped: statement instanceof ObjectRowStatement, rows: statement.all([]) }));
    `;
    const compiled = new URL('../dist/src/db/object-row-statement.js', import.meta.url).pathname;
    const out = execFileSync(process.execPath, ['--disallow-code-generation-from-strings', '-e', script, compiled], { encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual({ wrapped: false, rows: [{ a: 1 }] });
  });
});
