import { sql, type Kysely, type Migration } from 'kysely';
import type { DialectCaps } from '../dialects/dialect-caps.js';

/**
 * The files of `POST /export_channels`: one row per export task, holding the JSON a client
 * downloads from the task's result.url (GET /export_channels/{id}/download?token=…), and the
 * random token that URL carries, as a pre-signed URL carries its signature.
 */
export const channelExports = (caps: DialectCaps): Migration => ({
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('channel_exports')
      .addColumn('task_id', sql.raw(caps.keyType), (c) => c.primaryKey())
      .addColumn('token', 'text', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
  },
});
