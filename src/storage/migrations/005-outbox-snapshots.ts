import type { Kysely, Migration } from 'kysely';

/**
 * Campaign sends write their chat events as snapshots of the message or channel, encoded into
 * Stream's event body when delivered (see BodyFormat): a 1M-target campaign otherwise writes
 * 1.3 GB of event bodies inside its batch transactions. Existing rows hold wire bodies.
 */
export const outboxSnapshots = (): Migration => ({
  async up(db: Kysely<any>) {
    await db.schema
      .alterTable('webhook_outbox')
      .addColumn('body_format', 'text', (c) => c.notNull().defaultTo('wire'))
      .execute();
  },
});
