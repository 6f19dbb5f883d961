import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { CompiledQuery, Kysely, SqliteDialect, SqliteDriver, type DatabaseConnection, type Driver } from 'kysely';
import type { Schema } from '../../schema.js';
import { registerSqlFunctions } from './sql-functions.js';
import { StatementCache } from './statement-cache.js';

export type SqliteHandle = SqliteDatabase.Database;

/**
 * Transactions take the write lock up front (BEGIN IMMEDIATE). A deferred transaction that
 * reads and then writes fails at once with SQLITE_BUSY_SNAPSHOT when another connection (the
 * sender thread, a worker process, the import CLI) committed in between; an immediate one
 * waits its turn under the busy timeout instead.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  constructor(private readonly database: SqliteDatabase.Database) {
    super({ database: new StatementCache(database) });
  }

  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }

  /**
   * SQLite rolls a transaction back by itself on some errors (SQLITE_FULL, SQLITE_IOERR): a
   * ROLLBACK then fails with "no transaction is active", and that error would replace the one
   * that explains what happened (a full disk, which the sender acts on).
   */
  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    if (this.database.inTransaction) await super.rollbackTransaction(connection);
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  constructor(private readonly database: SqliteDatabase.Database) {
    super({ database });
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.database);
  }
}

export function openSqlite(file: string, cacheKiB = 65_536): { db: Kysely<Schema>; raw: SqliteDatabase.Database } {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const raw = new SqliteDatabase(file);
  // WAL lets readers run beside the single writer; the busy timeout covers other processes
  // (the import CLI, a second server) that hold the write lock for one batch at a time.
  raw.pragma('journal_mode = WAL');
  raw.pragma('busy_timeout = 5000');
  raw.pragma('synchronous = NORMAL');
  raw.pragma('foreign_keys = OFF');
  // 64 MiB of page cache by default: the send loop and imports touch the users and channels
  // indexes hard. Connections that do little (the API beside a sender thread) take less.
  raw.pragma(`cache_size = -${Math.round(cacheKiB)}`);
  // Checkpoint every ~40 MB of WAL rather than SQLite's 4 MB: a send writes the same index
  // pages over and over, and a longer interval copies each of them back once, not ten times.
  raw.pragma('wal_autocheckpoint = 10000');
  registerSqlFunctions(raw);
  const db = new Kysely<Schema>({ dialect: new ImmediateSqliteDialect(raw) });
  return { db, raw };
}
