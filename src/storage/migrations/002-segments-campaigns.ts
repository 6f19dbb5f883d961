import { sql, type Kysely, type Migration } from 'kysely';
import type { DialectCaps } from '../dialects/dialect-caps.js';
import { clustered } from './clustered.js';

export const segmentsAndCampaigns = (caps: DialectCaps): Migration => ({
  async up(db: Kysely<any>) {
    // Byte-order text keys: keyset paging and range filters agree with the index order.
    const key = sql.raw(caps.keyType);
    const json = sql.raw(caps.jsonType);
    const emptyArray = sql.raw(caps.name === 'postgres' ? `'[]'::jsonb` : `'[]'`);

    await db.schema
      .createTable('segments')
      .addColumn('id', key, (c) => c.primaryKey())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('filter', json)
      .addColumn('all_users', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('all_sender_channels', 'integer', (c) => c.notNull().defaultTo(0))
      // Explicit targets keep size exact as they change; filter and all_users sizes are
      // recomputed in the background while size_dirty is 1 (segment-sizer.ts).
      .addColumn('size', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('size_dirty', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('size_computed_at', 'bigint')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('segments_created_at').on('segments').column('created_at').execute();

    // Keyed (segment, target): paging a segment's targets by target_id is a range scan of the
    // primary key, the same cost on the last page of a million as on the first.
    await db.schema
      .createTable('segment_targets')
      .addColumn('segment_id', key, (c) => c.notNull())
      .addColumn('target_id', key, (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('segment_targets_pkey', ['segment_id', 'target_id'])
      .$call(clustered(caps))
      .execute();

    await db.schema
      .createTable('campaigns')
      .addColumn('id', key, (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('sender_id', 'text', (c) => c.notNull())
      .addColumn('sender_mode', 'text')
      .addColumn('sender_visibility', 'text')
      .addColumn('create_channels', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('show_channels', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('skip_push', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('skip_webhook', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('segment_ids', json, (c) => c.notNull().defaultTo(emptyArray))
      .addColumn('user_ids', json, (c) => c.notNull().defaultTo(emptyArray))
      .addColumn('user_count', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('message_template', json, (c) => c.notNull())
      .addColumn('channel_template', json)
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('scheduled_for', 'bigint')
      .addColumn('stop_at', 'bigint')
      .addColumn('stats_messages_sent', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('stats_channels_created', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('stats_users_sent', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('stats_users_read', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('stats_targets_total', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('stats_targets_done', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('stats_started_at', 'bigint')
      .addColumn('stats_completed_at', 'bigint')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('campaigns_created_at').on('campaigns').column('created_at').execute();
    await db.schema.createIndex('campaigns_status').on('campaigns').column('status').execute();
  },
});
