import { join } from 'node:path';
import { sql, type CompiledQuery, type Kysely, Migrator } from 'kysely';
import type { DialectCaps } from './dialects/dialect-caps.js';
import { openPostgres } from './dialects/postgres/open-postgres.js';
import { postgresCaps } from './dialects/postgres/postgres-caps.js';
import { openSqlite, type SqliteHandle } from './dialects/sqlite/open-sqlite.js';
import { sqliteCaps } from './dialects/sqlite/sqlite-caps.js';
import { migrationProvider } from './migrations/index.js';
import type { Schema } from './schema.js';

export interface Database {
  readonly db: Kysely<Schema>;
  readonly caps: DialectCaps;
  /** The raw SQLite handle, for the send loop's synchronous batch writes; absent on PostgreSQL. */
  readonly sqlite?: SqliteHandle;
  /** Where the data lives, for logs: the SQLite file or the PostgreSQL URL without password. */
  readonly location: string;
  /** The PostgreSQL URL, for the realtime bus's own LISTEN connection. */
  readonly connectionString?: string;
  /** Where long read-only statements run off the caller's thread, when the process has such a place. */
  readonly longReads?: LongReads;
  close(): Promise<void>;
}

/**
 * Long read-only statements (the preview's count over a whole audience: seconds at a million
 * users) run away from the API's event loop. SQLite's driver is synchronous, so on the API's own
 * connection such a statement holds every other request and chat connection of the process
 * until it ends; main/read-thread.ts runs them on a connection of its own, on a thread of its own.
 * PostgreSQL needs none: its statements run on the server.
 */
export interface LongReads {
  /** The first row of a compiled SELECT, read with the file memory-mapped (DialectCaps.mappedRead). */
  first(query: CompiledQuery): Promise<Record<string, unknown> | undefined>;
}

export interface DatabaseOptions {
  /** A postgres:// URL; absent means SQLite. */
  databaseUrl?: string;
  /** The SQLite file, used when databaseUrl is absent. */
  sqliteFile?: string;
  dataDir?: string;
  poolSize?: number;
  /** SQLite page cache of this connection. */
  sqliteCacheKiB?: number;
}

export function openDatabase(options: DatabaseOptions): Database {
  if (options.databaseUrl) {
    const { db } = openPostgres(options.databaseUrl, options.poolSize);
    const location = options.databaseUrl.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
    return { db, caps: postgresCaps, location, connectionString: options.databaseUrl, close: () => db.destroy() };
  }
  const file = options.sqliteFile ?? join(options.dataDir ?? './data', 'herald.db');
  const { db, raw } = openSqlite(file, options.sqliteCacheKiB);
  return { db, caps: sqliteCaps, sqlite: raw, location: file, close: () => db.destroy() };
}

/** Runs every pending migration. Kysely takes a lock, so many processes may start at once. */
export async function migrateToLatest(database: Database): Promise<void> {
  const migrator = new Migrator({ db: database.db, provider: migrationProvider(database.caps) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    const message = String((error as Error).message ?? error);
    // No failed migration: none ran, as when the database cannot be reached at all.
    throw new Error(failed ? `migration ${failed} failed: ${message}` : message, { cause: error });
  }
}

/**
 * Refreshes the query planner's statistics. Without them SQLite takes an equality on any
 * indexed column as selective: a segment filter `role = 'user'` over a million users was
 * planned through users_role plus a sort, 395 ms a page, instead of a walk of the primary
 * key (measured on the send benchmark). Run after bulk imports and now and then.
 */
export async function refreshStatistics(database: Database): Promise<void> {
  if (database.sqlite) {
    // A full pass: a sample of 1,000 rows told the planner each role held 1,001 users and kept
    // the bad plan. A full ANALYZE of a million users takes ~160 ms.
    database.sqlite.pragma('analysis_limit = 0');
    database.sqlite.exec('analyze users; analyze channels; analyze channel_members; analyze webhook_outbox');
    return;
  }
  // The outbox too: never analyzed, PostgreSQL guessed a few hundred due rows and claimed each
  // batch of 256 by sorting all of them (84 ms a claim at 100k rows, 3 ms with statistics).
  // Messages too: PostgreSQL samples 30,000 rows, so it costs the same at any size (SQLite's
  // full pass over millions of messages would hold the writer, and its plans do not need it).
  await sql`analyze users, channels, channel_members, messages, webhook_outbox`.execute(database.db);
}
