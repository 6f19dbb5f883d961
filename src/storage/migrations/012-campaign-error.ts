import type { Kysely, Migration } from 'kysely';

/** Why the sender stopped a campaign on its own (a full disk); cleared when it starts again. */
export const campaignError = (): Migration => ({
  async up(db: Kysely<any>) {
    await db.schema.alterTable('campaigns').addColumn('error', 'text').execute();
  },
});
