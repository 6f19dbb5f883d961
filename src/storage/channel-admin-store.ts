import type { Kysely } from 'kysely';
import type { ChannelAdminStore } from '../app/channel-management-ports.js';
import type { Channel } from '../domain/channel.js';
import { channelFromRow } from './channel-store.js';
import type { DialectCaps } from './dialects/dialect-caps.js';
import { flag, json } from './row-mapping.js';
import type { Schema } from './schema.js';

export class KyselyChannelAdminStore implements ChannelAdminStore {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly caps: DialectCaps,
  ) {}

  async lock(cid: string): Promise<Channel | undefined> {
    const q = this.db.selectFrom('channels').selectAll().where('cid', '=', cid).where('deleted_at', 'is', null);
    // SQLite has no FOR UPDATE: its transactions take the one write lock up front (BEGIN IMMEDIATE).
    const row = await (this.caps.name === 'postgres' ? q.forUpdate() : q).executeTakeFirst();
    return row && channelFromRow(this.caps, row);
  }

  async save(channel: Channel): Promise<void> {
    await this.db
      .updateTable('channels')
      .set({
        custom: json(channel.custom),
        frozen: flag(channel.frozen),
        disabled: flag(channel.disabled),
        team: channel.team,
        updated_at: channel.updated_at,
      })
      .where('cid', '=', channel.cid)
      .execute();
  }

  async truncate(cid: string, at: number, byId: string | null, hard: boolean, now: number): Promise<number> {
    const channel = await this.db.selectFrom('channels').select('pk').where('cid', '=', cid).executeTakeFirst();
    if (!channel) return 0;
    const truncated = this.db
      .selectFrom('messages')
      .select('id')
      .where('channel_pk', '=', channel.pk)
      .where('created_at', '<=', at);
    let count: number;
    if (hard) {
      await this.db.deleteFrom('reactions').where('message_id', 'in', truncated).execute();
      const result = await this.db.deleteFrom('messages').where('channel_pk', '=', channel.pk).where('created_at', '<=', at).executeTakeFirst();
      count = Number(result.numDeletedRows);
    } else {
      // Marked deleted, not retyped: every reader that skips deleted messages (history, unread
      // counts, GET /messages/{id}) skips them, and an export can still tell them from
      // deleted ones by channels.truncated_at.
      const result = await this.db
        .updateTable('messages')
        .set({ deleted_at: now, updated_at: now })
        .where('channel_pk', '=', channel.pk)
        .where('created_at', '<=', at)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      count = Number(result.numUpdatedRows);
    }
    await this.db
      .updateTable('channels')
      .set((eb) => ({
        truncated_at: at,
        truncated_by_id: byId,
        updated_at: now,
        message_count: eb
          .selectFrom('messages')
          .select((m) => m.fn.countAll<number>().as('n'))
          .where('messages.channel_pk', '=', channel.pk)
          .where('messages.deleted_at', 'is', null),
      }))
      .where('pk', '=', channel.pk)
      .execute();
    return count;
  }
}
