import type SqliteDatabase from 'better-sqlite3';
import type { SqliteDatabase as KyselySqliteDatabase, SqliteStatement } from 'kysely';

// Distinct statement texts kept: Herald's queries are a few hundred shapes (lists travel as one
// JSON parameter, so a list's length does not change the text).
const CAPACITY = 512;

/**
 * The database as Kysely's SQLite driver sees it, with prepared statements kept by their SQL:
 * the driver prepares every query anew, ~0.7 ms for the realtime fan-out's joins (a 500-message
 * part ran four of them: 3 ms of its ~70 ms). Least recently used statements are dropped.
 */
export class StatementCache implements KyselySqliteDatabase {
  private readonly statements = new Map<string, SqliteDatabase.Statement>();

  constructor(private readonly database: SqliteDatabase.Database) {}

  prepare(sql: string): SqliteStatement {
    const cached = this.statements.get(sql);
    // A statement that is still being iterated cannot run again until it is done.
    if (cached && !cached.busy) {
      this.statements.delete(sql);
      this.statements.set(sql, cached);
      return cached;
    }
    const statement = this.database.prepare(sql);
    this.statements.set(sql, statement);
    if (this.statements.size > CAPACITY) this.statements.delete(this.statements.keys().next().value!);
    return statement;
  }

  close(): void {
    this.statements.clear();
    this.database.close();
  }
}
