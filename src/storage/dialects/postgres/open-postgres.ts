import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Schema } from '../../schema.js';

// int8 (bigint) columns hold microsecond times and counters, well inside 2^53.
const types = {
  getTypeParser: (oid: number, format?: 'text' | 'binary') =>
    oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text'),
};

export function openPostgres(url: string, poolSize = 10): { db: Kysely<Schema>; pool: pg.Pool } {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    types,
    // JIT costs ~300 ms per batch statement and 55% of send throughput (docs/design.md).
    options: '-c jit=off',
    application_name: 'herald',
  });
  // A client that loses its server must not crash the process: the pool listens on idle
  // clients only, and a checked-out client between two statements (a transaction, a restart
  // of the server) emits 'error' with no listener, which throws. The query it runs next fails
  // ("not queryable"), its transaction rolls back, and the pool replaces it on release.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
  return { db, pool };
}
