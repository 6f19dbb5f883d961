import { sql, type Kysely, type Migration } from 'kysely';
import type { DialectCaps } from '../dialects/dialect-caps.js';
import { clustered } from './clustered.js';

export const campaignLedger = (caps: DialectCaps): Migration => ({
  async up(db: Kysely<any>) {
    // Byte-order text keys: keyset paging and range filters agree with the index order.
    const key = sql.raw(caps.keyType);
    // One row per (campaign, target): the exactly-once ledger (docs/style.md habit 2). Expansion
    // inserts targets in id order, so the primary key B-tree grows at its right edge.
    await db.schema
      .createTable('campaign_targets')
      .addColumn('campaign_id', key, (c) => c.notNull())
      .addColumn('target_id', key, (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending'))
      .addColumn('reason', 'text')
      .addColumn('error', 'text')
      .addColumn('message_id', 'text')
      .addColumn('channel_cid', 'text')
      .addColumn('locked_by', 'text')
      .addColumn('locked_until', 'bigint')
      .addColumn('read_at', 'bigint')
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('campaign_targets_pkey', ['campaign_id', 'target_id'])
      .$call(clustered(caps))
      // Room on each page for the lease columns' updates to stay HOT (no index writes) on PostgreSQL.
      .$call((b) => (caps.name === 'postgres' ? b.modifyEnd(sql`with (fillfactor = 80)`) : b))
      .execute();
    // Only pending rows: claims read the next batch without walking past the sent ones, and
    // a row leaves this index the moment it is done.
    await db.schema
      .createIndex('campaign_targets_pending')
      .on('campaign_targets')
      .columns(['campaign_id', 'target_id'])
      .where(sql.ref('status'), '=', 'pending')
      .execute();

    // Audience expansion state, persisted so that a crash resumes where it stopped: the
    // source being expanded (0 = user_ids, then each segment in order) and the last key read.
    await db.schema.alterTable('campaigns').addColumn('audience_step', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    await db.schema.alterTable('campaigns').addColumn('audience_cursor', 'text').execute();
    await db.schema.alterTable('campaigns').addColumn('audience_done', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    await db.schema.alterTable('campaigns').addColumn('audience_locked_by', 'text').execute();
    await db.schema.alterTable('campaigns').addColumn('audience_locked_until', 'bigint').execute();
  },
});
