import { sql, type Kysely, type Migration } from 'kysely';
import type { DialectCaps } from '../dialects/dialect-caps.js';

/**
 * The chat feed (domain/feed.ts): what realtime fan-out reads. `seq` only ever grows (SQLite's
 * AUTOINCREMENT never reuses a number, even after the pruner emptied the table), so a reader's
 * cursor stays valid across prunes.
 */
export const chatFeed = (caps: DialectCaps): Migration => ({
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('chat_feed')
      .addColumn('seq', caps.name === 'postgres' ? 'bigserial' : 'integer', (c) =>
        caps.name === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
      )
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    if (caps.name === 'postgres') {
      // A queue-like table (rows live minutes): vacuum it by row count, not by share.
      await sql`alter table chat_feed set (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 5000,
        autovacuum_analyze_scale_factor = 0, autovacuum_analyze_threshold = 5000)`.execute(db);
    }
  },
});
