import { sql, type Kysely, type Migration } from 'kysely';
import type { DialectCaps } from '../dialects/dialect-caps.js';

export const webhooks = (caps: DialectCaps): Migration => ({
  async up(db: Kysely<any>) {
    const json = sql.raw(caps.jsonType);
    const key = sql.raw(caps.keyType);

    // One row: the app's settings (webhook_url, event_hooks), as PATCH /app leaves them.
    await db.schema
      .createTable('app_settings')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('settings', json, (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();

    // The webhook outbox: one row per (event, hook), written in the same transaction as the
    // change it reports, delivered and retried by any worker under a lease. The id is
    // time-ordered (UUIDv7) and is the X-Webhook-Id of every attempt.
    await db.schema
      .createTable('webhook_outbox')
      .addColumn('id', key, (c) => c.primaryKey())
      .addColumn('hook_url', 'text', (c) => c.notNull())
      .addColumn('event_type', 'text', (c) => c.notNull())
      // Campaign events of one campaign go out in order; null for chat events.
      .addColumn('ordering_key', 'text')
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending'))
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
      .addColumn('last_error', 'text')
      .addColumn('locked_by', 'text')
      .addColumn('locked_until', 'bigint')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('webhook_outbox_due')
      .on('webhook_outbox')
      .columns(['next_attempt_at', 'id'])
      .where(sql.ref('status'), '=', 'pending')
      .execute();
    await db.schema
      .createIndex('webhook_outbox_ordering')
      .on('webhook_outbox')
      .columns(['ordering_key', 'hook_url', 'id'])
      .where(sql.ref('status'), '=', 'pending')
      .execute();
    await db.schema
      .createIndex('webhook_outbox_dead')
      .on('webhook_outbox')
      .column('id')
      .where(sql.ref('status'), '=', 'dead')
      .execute();
  },
});
