import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { migrateToLatest, openDatabase, type Database } from '../../src/storage/database.js';

/**
 * The backends every contract suite runs on. SQLite always; PostgreSQL when it answers at
 * HERALD_TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test). CI sets
 * HERALD_REQUIRE_POSTGRES=1 so that a missing server fails instead of skipping.
 */
export const postgresAdminUrl =
  process.env.HERALD_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

let postgresProbe: Promise<string | null> | undefined;

/** null when PostgreSQL is reachable, else the reason it is not. */
export function postgresUnavailable(): Promise<string | null> {
  postgresProbe ??= (async () => {
    const client = new pg.Client({ connectionString: postgresAdminUrl, connectionTimeoutMillis: 2000 });
    try {
      await client.connect();
      await client.query('select 1');
      return null;
    } catch (error) {
      if (process.env.HERALD_REQUIRE_POSTGRES === '1') {
        throw new Error(`HERALD_REQUIRE_POSTGRES=1 but PostgreSQL at ${postgresAdminUrl} is down: ${String(error)}`);
      }
      const reason = `PostgreSQL suite skipped: no server at ${postgresAdminUrl} (${(error as Error).message})`;
      console.warn(`# ${reason}`);
      return reason;
    } finally {
      await client.end().catch(() => {});
    }
  })();
  return postgresProbe;
}

export interface CreatedDatabase {
  database: Database;
  url?: string;
  sqliteFile?: string;
  /** Closes the database and drops it. */
  dispose(): Promise<void>;
}

export interface TestBackend {
  readonly name: 'sqlite' | 'postgres';
  /** Creates a fresh, migrated database; dispose() drops it. */
  create(): Promise<CreatedDatabase>;
}

export const sqliteBackend: TestBackend = {
  name: 'sqlite',
  async create() {
    const dir = mkdtempSync(join(tmpdir(), 'herald-test-'));
    const sqliteFile = join(dir, 'herald.db');
    const database = openDatabase({ sqliteFile });
    await migrateToLatest(database);
    return {
      database,
      sqliteFile,
      async dispose() {
        await database.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

export const postgresBackend: TestBackend = {
  name: 'postgres',
  async create() {
    const name = `herald_t_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
    const admin = new pg.Client({ connectionString: postgresAdminUrl });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const url = new URL(postgresAdminUrl);
    url.pathname = `/${name}`;
    const database = openDatabase({ databaseUrl: url.toString() });
    await migrateToLatest(database);
    return {
      database,
      url: url.toString(),
      async dispose() {
        await database.close();
        const cleanup = new pg.Client({ connectionString: postgresAdminUrl });
        await cleanup.connect();
        await cleanup.query(`drop database if exists ${name} with (force)`);
        await cleanup.end();
      },
    };
  },
};

/** Backends to run a contract suite on, with the skip reason for PostgreSQL when it is down. */
export async function backends(): Promise<Array<{ backend: TestBackend; skip: string | false }>> {
  const reason = await postgresUnavailable();
  return [
    { backend: sqliteBackend, skip: false },
    { backend: postgresBackend, skip: reason ?? false },
  ];
}
