import type { Kysely, Migration } from 'kysely';

/** A recall or edit may silence its webhooks (skip_webhook), decided when it is asked for. */
export const messageJobOptions = (): Migration => ({
  async up(db: Kysely<any>) {
    await db.schema.alterTable('campaign_message_jobs').addColumn('skip_webhook', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  },
});
