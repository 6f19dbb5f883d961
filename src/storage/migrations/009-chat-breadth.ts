import { sql, type Kysely, type Migration } from 'kysely';
import type { DialectCaps } from '../dialects/dialect-caps.js';

/**
 * The chat API beyond sending (threads, reactions, pins, truncation, member data, bans, mutes,
 * blocks, flags, token revocation):
 * - messages gain their thread (parent_id, show_in_channel, reply_count), pin, quote and the
 *   reaction tallies that Stream returns on every message (counts and scores by type);
 * - reactions are one row per (message, type, user); a message's latest ones are its newest
 *   rows through `reactions_message_recent`;
 * - bans are one row per (user, channel), the empty cid meaning app-wide; users.banned stays
 *   the app-wide flag that clients read;
 * - user mutes, channel mutes and blocks are rows of their own: the campaign sender reads
 *   them per batch by target id.
 */
export const chatBreadth = (caps: DialectCaps): Migration => ({
  async up(db: Kysely<any>) {
    const key = sql.raw(caps.keyType);
    const json = sql.raw(caps.jsonType);
    const emptyObject = sql.raw(caps.name === 'postgres' ? `'{}'::jsonb` : `'{}'`);

    for (const [name, type] of [
      ['parent_id', key],
      ['quoted_message_id', 'text'],
      ['pinned_at', 'bigint'],
      ['pinned_by_id', 'text'],
      ['pin_expires', 'bigint'],
    ] as const) {
      await db.schema.alterTable('messages').addColumn(name, type as never).execute();
    }
    await db.schema.alterTable('messages').addColumn('show_in_channel', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    await db.schema.alterTable('messages').addColumn('silent', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    await db.schema.alterTable('messages').addColumn('reply_count', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    await db.schema.alterTable('messages').addColumn('reaction_counts', json, (c) => c.notNull().defaultTo(emptyObject)).execute();
    await db.schema.alterTable('messages').addColumn('reaction_scores', json, (c) => c.notNull().defaultTo(emptyObject)).execute();
    // Replies page by (parent, id); the partial index costs nothing for top-level messages.
    await db.schema
      .createIndex('messages_parent')
      .on('messages')
      .columns(['parent_id', 'id'])
      .where(sql.ref('parent_id'), 'is not', null)
      .execute();
    await db.schema
      .createIndex('messages_pinned')
      .on('messages')
      .columns(['channel_pk', 'pinned_at'])
      .where(sql.ref('pinned_at'), 'is not', null)
      .execute();

    await db.schema
      .createTable('reactions')
      .addColumn('message_id', key, (c) => c.notNull())
      .addColumn('type', key, (c) => c.notNull())
      .addColumn('user_id', key, (c) => c.notNull())
      .addColumn('score', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('custom', json, (c) => c.notNull().defaultTo(emptyObject))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('reactions_pkey', ['message_id', 'type', 'user_id'])
      .execute();
    await db.schema.createIndex('reactions_message_recent').on('reactions').columns(['message_id', 'created_at']).execute();
    await db.schema.createIndex('reactions_user').on('reactions').columns(['user_id', 'message_id']).execute();

    await db.schema.alterTable('channels').addColumn('truncated_at', 'bigint').execute();
    await db.schema.alterTable('channels').addColumn('truncated_by_id', 'text').execute();

    await db.schema.alterTable('channel_members').addColumn('custom', json, (c) => c.notNull().defaultTo(emptyObject)).execute();
    await db.schema.alterTable('channel_members').addColumn('invited', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    await db.schema.alterTable('channel_members').addColumn('invite_accepted_at', 'bigint').execute();
    await db.schema.alterTable('channel_members').addColumn('invite_rejected_at', 'bigint').execute();
    await db.schema.alterTable('channel_members').addColumn('shadow_banned', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    await db.schema.alterTable('channel_members').addColumn('ban_expires', 'bigint').execute();

    await db.schema.alterTable('users').addColumn('revoke_tokens_issued_before', 'bigint').execute();

    await db.schema
      .createTable('bans')
      .addColumn('user_id', key, (c) => c.notNull())
      // '' is an app-wide ban; otherwise the channel's cid.
      .addColumn('channel_cid', key, (c) => c.notNull())
      .addColumn('banned_by_id', 'text')
      .addColumn('reason', 'text')
      .addColumn('shadow', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('ip_ban', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('expires_at', 'bigint')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('bans_pkey', ['user_id', 'channel_cid'])
      .execute();
    await db.schema.createIndex('bans_channel').on('bans').columns(['channel_cid', 'created_at']).execute();

    for (const [table, target] of [
      ['user_mutes', 'target_id'],
      ['channel_mutes', 'channel_cid'],
    ] as const) {
      await db.schema
        .createTable(table)
        .addColumn('user_id', key, (c) => c.notNull())
        .addColumn(target, key, (c) => c.notNull())
        .addColumn('expires_at', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint(`${table}_pkey`, ['user_id', target])
        .execute();
      await db.schema.createIndex(`${table}_target`).on(table).columns([target, 'user_id']).execute();
    }

    await db.schema
      .createTable('user_blocks')
      .addColumn('user_id', key, (c) => c.notNull())
      .addColumn('blocked_user_id', key, (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('user_blocks_pkey', ['user_id', 'blocked_user_id'])
      .execute();
    await db.schema.createIndex('user_blocks_blocked').on('user_blocks').columns(['blocked_user_id', 'user_id']).execute();

    await db.schema
      .createTable('flags')
      .addColumn('id', key, (c) => c.primaryKey())
      // 'message' or 'user', and the message or user id.
      .addColumn('target_type', 'text', (c) => c.notNull())
      .addColumn('target_id', key, (c) => c.notNull())
      .addColumn('user_id', key, (c) => c.notNull())
      .addColumn('reason', 'text')
      .addColumn('custom', json, (c) => c.notNull().defaultTo(emptyObject))
      .addColumn('review_result', 'text')
      .addColumn('reviewed_by_id', 'text')
      .addColumn('reviewed_at', 'bigint')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('flags_target').on('flags').columns(['target_type', 'target_id', 'user_id']).unique().execute();
    await db.schema.createIndex('flags_created').on('flags').columns(['created_at']).execute();
  },
});
