import { sql, type Kysely, type Migration } from 'kysely';
import type { DialectCaps } from '../dialects/dialect-caps.js';

/**
 * Campaign sends write their chat events as snapshots of the message or channel, encoded into
 * Stream's event body when delivered (see BodyFormat): a 1M-target campaign otherwise writes
 * 1.3 GB of event bodies inside its batch transactions. Existing rows hold wire bodies.
 */
export const outboxSnapshots = (caps: DialectCaps): Migration => ({
  async up(db: Kysely<any>) {
    await db.schema
      .alterTable('webhook_outbox')
      .addColumn('body_format', 'text', (c) => c.notNull().defaultTo('wire'))
      .execute();
    // Delivered rows are deleted from now on; earlier ones were kept, marked 'delivered'.
    await db.deleteFrom('webhook_outbox').where('status', '=', 'delivered').execute();
    if (caps.name === 'postgres') {
      // A queue table: a 1M-target campaign inserts and deletes a million rows. Vacuum and
      // analyze it every 5,000 changed rows rather than every 20% of the table, so dead rows
      // and stale estimates do not pile up in front of the claims.
      await sql`alter table webhook_outbox set (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 5000,
        autovacuum_analyze_scale_factor = 0, autovacuum_analyze_threshold = 5000)`.execute(db);
    }
  },
});
