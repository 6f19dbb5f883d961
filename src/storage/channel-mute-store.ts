import { sql, type Kysely } from 'kysely';
import type { ChannelMuteStore } from '../app/channel-management-ports.js';
import type { ChannelMute, ChannelMuteView } from '../domain/channel-mute.js';
import { channelFromRow } from './channel-store.js';
import type { DialectCaps } from './dialects/dialect-caps.js';
import type { Schema } from './schema.js';

export class KyselyChannelMuteStore implements ChannelMuteStore {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly caps: DialectCaps,
  ) {}

  async upsert(mutes: readonly ChannelMute[]): Promise<void> {
    if (mutes.length === 0) return;
    await this.db
      .insertInto('channel_mutes')
      .values(mutes.map((m) => ({ ...m })))
      .onConflict((oc) =>
        oc.columns(['user_id', 'channel_cid']).doUpdateSet((eb) => ({
          expires_at: eb.ref('excluded.expires_at'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      )
      .execute();
  }

  async delete(userId: string, cids: readonly string[]): Promise<number> {
    if (cids.length === 0) return 0;
    const result = await this.db
      .deleteFrom('channel_mutes')
      .where('user_id', '=', userId)
      .where(this.caps.inTextList(sql.ref('channel_cid'), [...new Set(cids)]))
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async ofUser(userId: string, now: number): Promise<ChannelMuteView[]> {
    const rows = await this.db
      .selectFrom('channel_mutes as cm')
      .leftJoin('channels as c', (join) => join.onRef('c.cid', '=', 'cm.channel_cid').on('c.deleted_at', 'is', null))
      .selectAll('c')
      .select([
        'cm.user_id as mute_user_id',
        'cm.channel_cid as mute_cid',
        'cm.expires_at as mute_expires_at',
        'cm.created_at as mute_created_at',
        'cm.updated_at as mute_updated_at',
      ])
      .where('cm.user_id', '=', userId)
      .where((eb) => eb.or([eb('cm.expires_at', 'is', null), eb('cm.expires_at', '>', now)]))
      .orderBy('cm.created_at')
      .orderBy('cm.channel_cid')
      .execute();
    return rows.map((r) => ({
      mute: {
        user_id: r.mute_user_id,
        channel_cid: r.mute_cid,
        expires_at: r.mute_expires_at,
        created_at: r.mute_created_at,
        updated_at: r.mute_updated_at,
      },
      channel: r.pk === null ? null : channelFromRow(this.caps, r as never),
    }));
  }
}
