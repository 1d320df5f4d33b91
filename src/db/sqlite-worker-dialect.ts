import { SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler, type DatabaseIntrospector, type Dialect, type DialectAdapter, type Driver, type Kysely, type QueryCompiler } from 'kysely';
import { SqliteWorkerDriver, type SqliteWorkerOptions } from './sqlite-worker-driver.js';

/** SQLite as Kysely knows it, with every statement run in a worker thread (sqlite-worker-driver.ts). */
export class SqliteWorkerDialect implements Dialect {
  readonly #options: SqliteWorkerOptions;

  constructor(options: SqliteWorkerOptions) {
    this.#options = options;
  }

  createDriver(): Driver {
    return new SqliteWorkerDriver(this.#options);
  }

  createQueryCompiler(): QueryCompiler {
    return new SqliteQueryCompiler();
  }

  createAdapter(): DialectAdapter {
    return new SqliteAdapter();
  }

  createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new SqliteIntrospector(db);
  }
}
