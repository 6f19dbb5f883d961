import { sql, type Kysely, type Migration } from 'kysely';
import type { DialectCaps } from '../dialects/dialect-caps.js';
import { clustered } from './clustered.js';

export const chatTables = (caps: DialectCaps): Migration => ({
  async up(db: Kysely<any>) {
    // Byte-order text keys: keyset paging and range filters agree with the index order.
    const key = sql.raw(caps.keyType);
    const json = sql.raw(caps.jsonType);
    const emptyObject = sql.raw(caps.name === 'postgres' ? `'{}'::jsonb` : `'{}'`);
    const emptyArray = sql.raw(caps.name === 'postgres' ? `'[]'::jsonb` : `'[]'`);

    await db.schema
      .createTable('users')
      .addColumn('id', key, (c) => c.primaryKey())
      .addColumn('name', 'text')
      .addColumn('image', 'text')
      .addColumn('role', 'text', (c) => c.notNull().defaultTo('user'))
      .addColumn('teams', json, (c) => c.notNull().defaultTo(emptyArray))
      .addColumn('language', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('banned', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('shadow_banned', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('invisible', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('custom', json, (c) => c.notNull().defaultTo(emptyObject))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('last_active', 'bigint')
      .addColumn('deleted_at', 'bigint')
      .addColumn('deactivated_at', 'bigint')
      .execute();
    // The fields segments filter on most (docs/design.md): id is the key; created_at, role and teams.
    await db.schema.createIndex('users_created_at').on('users').column('created_at').execute();
    await db.schema.createIndex('users_role').on('users').column('role').execute();
    if (caps.name === 'postgres') {
      await sql`create index users_teams on users using gin (teams jsonb_path_ops)`.execute(db);
    }

    const pk = caps.name === 'postgres' ? sql.raw('bigserial') : sql.raw('integer');
    await db.schema
      .createTable('channels')
      .addColumn('pk', pk, (c) => c.primaryKey())
      .addColumn('cid', key, (c) => c.notNull().unique())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('id', 'text', (c) => c.notNull())
      .addColumn('created_by_id', 'text')
      .addColumn('team', 'text')
      .addColumn('frozen', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('member_count', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('message_count', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('last_message_at', 'bigint')
      .addColumn('custom', json, (c) => c.notNull().defaultTo(emptyObject))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('deleted_at', 'bigint')
      .execute();
    await db.schema.createIndex('channels_created_at').on('channels').column('created_at').execute();

    await db.schema
      .createTable('channel_members')
      .addColumn('channel_pk', 'bigint', (c) => c.notNull())
      .addColumn('user_id', key, (c) => c.notNull())
      .addColumn('channel_role', 'text', (c) => c.notNull().defaultTo('channel_member'))
      .addColumn('hidden', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('archived_at', 'bigint')
      .addColumn('pinned_at', 'bigint')
      .addColumn('last_read_at', 'bigint')
      .addColumn('banned', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('notifications_muted', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('channel_members_pkey', ['channel_pk', 'user_id'])
      .$call(clustered(caps))
      .execute();
    await db.schema
      .createIndex('channel_members_user')
      .on('channel_members')
      .columns(['user_id', 'channel_pk'])
      .execute();

    await db.schema
      .createTable('messages')
      .addColumn('id', key, (c) => c.primaryKey())
      .addColumn('channel_pk', 'bigint', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull().defaultTo('regular'))
      .addColumn('text', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('attachments', json, (c) => c.notNull().defaultTo(emptyArray))
      .addColumn('poll_id', 'text')
      .addColumn('custom', json, (c) => c.notNull().defaultTo(emptyObject))
      .addColumn('campaign_id', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('deleted_at', 'bigint')
      .execute();
    // Channel history pages by (channel, id): UUIDv7 ids sort by time.
    await db.schema.createIndex('messages_channel').on('messages').columns(['channel_pk', 'id']).execute();
    await db.schema
      .createIndex('messages_campaign')
      .on('messages')
      .column('campaign_id')
      .where(sql.ref('campaign_id'), 'is not', null)
      .execute();

    await db.schema
      .createTable('tasks')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('result', json)
      .addColumn('error', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
  },
});
