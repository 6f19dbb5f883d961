import { sql, type Kysely, type Migration } from 'kysely';
import type { DialectCaps } from '../dialects/dialect-caps.js';

/**
 * Campaign controls (preview, test send, throttle, delivery windows, recall and edit):
 * - the throttle and the delivery window on the campaign, and the recall's state and stats;
 * - a target outside its window waits, pending, with `deferred_until`; claims read ready rows
 *   by target id and due rows by due time, each through a partial index of its own, so a
 *   million deferred rows are never scanned;
 * - token buckets shared by every worker (one per throttled campaign, one for the app);
 * - recall and edit run as message jobs over the ledger, resumable by their cursor.
 */
export const campaignControls = (caps: DialectCaps): Migration => ({
  async up(db: Kysely<any>) {
    const key = sql.raw(caps.keyType);
    const json = sql.raw(caps.jsonType);
    const real = sql.raw(caps.name === 'postgres' ? 'double precision' : 'real');

    await db.schema.alterTable('campaigns').addColumn('max_messages_per_second', 'integer').execute();
    await db.schema.alterTable('campaigns').addColumn('delivery_window', json).execute();
    await db.schema.alterTable('campaigns').addColumn('recall_status', 'text').execute();
    await db.schema.alterTable('campaigns').addColumn('stats_messages_recalled', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
    await db.schema.alterTable('campaigns').addColumn('stats_targets_deferred', 'bigint', (c) => c.notNull().defaultTo(0)).execute();

    await db.schema.alterTable('campaign_targets').addColumn('deferred_until', 'bigint').execute();
    await db.schema.alterTable('campaign_targets').addColumn('recalled_at', 'bigint').execute();
    await db.schema.alterTable('campaign_targets').addColumn('edited_at', 'bigint').execute();
    await db.schema.dropIndex('campaign_targets_pending').execute();
    await db.schema
      .createIndex('campaign_targets_ready')
      .on('campaign_targets')
      .columns(['campaign_id', 'target_id'])
      .where(sql<boolean>`status = 'pending' and deferred_until is null`)
      .execute();
    await db.schema
      .createIndex('campaign_targets_deferred')
      .on('campaign_targets')
      .columns(['campaign_id', 'deferred_until', 'target_id'])
      .where(sql<boolean>`status = 'pending' and deferred_until is not null`)
      .execute();

    await db.schema.alterTable('messages').addColumn('text_updated_at', 'bigint').execute();

    await db.schema
      .createTable('send_rate_buckets')
      .addColumn('key', key, (c) => c.primaryKey())
      .addColumn('tokens', real, (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('campaign_message_jobs')
      .addColumn('id', key, (c) => c.primaryKey())
      .addColumn('campaign_id', key, (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('message_template', json)
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('cursor', key)
      .addColumn('done', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('locked_by', 'text')
      .addColumn('locked_until', 'bigint')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('campaign_message_jobs_open')
      .on('campaign_message_jobs')
      .columns(['created_at', 'id'])
      .where(sql<boolean>`status = 'in_progress'`)
      .execute();
    await db.schema.createIndex('campaign_message_jobs_campaign').on('campaign_message_jobs').columns(['campaign_id', 'created_at']).execute();
  },
});
