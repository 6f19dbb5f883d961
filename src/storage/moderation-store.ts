import type { Kysely, Selectable } from 'kysely';
import type { ModerationStore } from '../app/moderation-ports.js';
import type { Micros } from '../domain/clock.js';
import type { FilterNode } from '../domain/filter/filter-ast.js';
import type { SortSpec } from '../domain/filter/sort-spec.js';
import type { Reaction } from '../domain/message.js';
import { APP_WIDE, type Ban, type UserBlock, type UserMute } from '../domain/moderation.js';
import type { DialectCaps } from './dialects/dialect-caps.js';
import { applySort, compileFilter, type FilterTarget } from './filter-compiler.js';
import { flag, jsonObject } from './row-mapping.js';
import type { BansTable, Schema } from './schema.js';

/** queryBannedUsers' fields as columns of `bans` (domain/filter/ban-filter-fields.ts). */
const banFilterTarget: FilterTarget = {
  table: 'bans',
  columns: {
    user_id: { column: 'user_id', nullable: false },
    banned_by_id: { column: 'banned_by_id', nullable: true },
    channel_cid: { column: 'channel_cid', nullable: false },
    reason: { column: 'reason', nullable: true },
    created_at: { column: 'created_at', nullable: false },
  },
  // Bans have no custom data: the field spec admits no custom field, so this is never read.
  customColumn: 'reason',
  primaryKey: 'user_id',
};

const banFromRow = (r: Selectable<BansTable>): Ban => ({
  user_id: r.user_id,
  channel_cid: r.channel_cid,
  banned_by_id: r.banned_by_id,
  reason: r.reason,
  shadow: r.shadow === 1,
  ip_ban: r.ip_ban === 1,
  expires_at: r.expires_at,
  created_at: r.created_at,
});

export class KyselyModerationStore implements ModerationStore {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly caps: DialectCaps,
  ) {}

  async upsertBan(ban: Ban): Promise<void> {
    // A new ban of the same user and scope replaces the old one whole.
    const terms = {
      banned_by_id: ban.banned_by_id,
      reason: ban.reason,
      shadow: flag(ban.shadow),
      ip_ban: flag(ban.ip_ban),
      expires_at: ban.expires_at,
      created_at: ban.created_at,
    };
    await this.db
      .insertInto('bans')
      .values({ user_id: ban.user_id, channel_cid: ban.channel_cid, ...terms })
      .onConflict((oc) => oc.columns(['user_id', 'channel_cid']).doUpdateSet(terms))
      .execute();
    await this.setFlags(ban.user_id, ban.channel_cid, { banned: !ban.shadow, shadow: ban.shadow, expires: ban.expires_at });
  }

  async deleteBan(userId: string, channelCid: string): Promise<Ban | undefined> {
    const [row] = await this.db
      .deleteFrom('bans')
      .where('user_id', '=', userId)
      .where('channel_cid', '=', channelCid)
      .returningAll()
      .execute();
    await this.setFlags(userId, channelCid, { banned: false, shadow: false, expires: null });
    return row && banFromRow(row);
  }

  /** The flags of the ban's scope: the user's for an app-wide ban, the membership's for a channel ban. */
  private async setFlags(userId: string, channelCid: string, to: { banned: boolean; shadow: boolean; expires: Micros | null }): Promise<void> {
    if (channelCid === APP_WIDE) {
      await this.db.updateTable('users').set({ banned: flag(to.banned), shadow_banned: flag(to.shadow) }).where('id', '=', userId).execute();
      return;
    }
    await this.db
      .updateTable('channel_members')
      .set({ banned: flag(to.banned), shadow_banned: flag(to.shadow), ban_expires: to.expires })
      .where('user_id', '=', userId)
      .where('channel_pk', '=', (eb) => eb.selectFrom('channels').select('pk').where('cid', '=', channelCid))
      .execute();
  }

  async bansOf(userId: string, channelCids: readonly string[]): Promise<Ban[]> {
    if (channelCids.length === 0) return [];
    const rows = await this.db
      .selectFrom('bans')
      .selectAll()
      .where('user_id', '=', userId)
      .where('channel_cid', 'in', [...new Set(channelCids)])
      .execute();
    return rows.map(banFromRow);
  }

  async queryBans(page: { filter: FilterNode; sort: SortSpec; limit: number; offset: number }, now: Micros): Promise<Ban[]> {
    let q = this.db
      .selectFrom('bans')
      .selectAll()
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
      .where(compileFilter(page.filter, banFilterTarget, this.caps));
    q = applySort(q, page.sort, banFilterTarget, this.caps).orderBy('bans.channel_cid');
    const rows = await q.limit(page.limit).offset(page.offset).execute();
    return rows.map((r) => banFromRow(r as Selectable<BansTable>));
  }

  async upsertMutes(mutes: readonly UserMute[]): Promise<void> {
    if (mutes.length === 0) return;
    await this.db
      .insertInto('user_mutes')
      .values(mutes.map((m) => ({ ...m })))
      .onConflict((oc) =>
        oc.columns(['user_id', 'target_id']).doUpdateSet((eb) => ({
          expires_at: eb.ref('excluded.expires_at'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      )
      .execute();
  }

  async deleteMutes(userId: string, targetIds: readonly string[]): Promise<string[]> {
    if (targetIds.length === 0) return [];
    const rows = await this.db
      .deleteFrom('user_mutes')
      .where('user_id', '=', userId)
      .where('target_id', 'in', [...new Set(targetIds)])
      .returning('target_id')
      .execute();
    return rows.map((r) => r.target_id);
  }

  async mutesOf(userId: string, now: Micros): Promise<UserMute[]> {
    return this.db
      .selectFrom('user_mutes')
      .selectAll()
      .where('user_id', '=', userId)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
      .orderBy('created_at')
      .orderBy('target_id')
      .execute();
  }

  async insertBlock(block: UserBlock): Promise<UserBlock> {
    await this.db
      .insertInto('user_blocks')
      .values({ ...block })
      .onConflict((oc) => oc.columns(['user_id', 'blocked_user_id']).doNothing())
      .execute();
    return this.db
      .selectFrom('user_blocks')
      .selectAll()
      .where('user_id', '=', block.user_id)
      .where('blocked_user_id', '=', block.blocked_user_id)
      .executeTakeFirstOrThrow();
  }

  async deleteBlock(userId: string, blockedUserId: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('user_blocks')
      .where('user_id', '=', userId)
      .where('blocked_user_id', '=', blockedUserId)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async blocksOf(userId: string): Promise<UserBlock[]> {
    return this.db
      .selectFrom('user_blocks')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('created_at')
      .orderBy('blocked_user_id')
      .execute();
  }

  async setDeactivated(userIds: readonly string[], deactivatedAt: Micros | null, now: Micros): Promise<string[]> {
    if (userIds.length === 0) return [];
    const rows = await this.db
      .updateTable('users')
      .set({ deactivated_at: deactivatedAt, updated_at: now })
      .where('id', 'in', [...new Set(userIds)])
      .where('deleted_at', 'is', null)
      // Only those whose state changes: a second deactivation keeps the first time.
      .where('deactivated_at', deactivatedAt === null ? 'is not' : 'is', null)
      .returning('id')
      .execute();
    return rows.map((r) => r.id);
  }

  async restoreMessages(userId: string, deletedAt: Micros, now: Micros): Promise<number> {
    const result = await this.db
      .updateTable('messages')
      .set({ deleted_at: null, updated_at: now })
      .where('user_id', '=', userId)
      .where('deleted_at', '=', deletedAt)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async restoreUsers(userIds: readonly string[], now: Micros): Promise<string[]> {
    if (userIds.length === 0) return [];
    const rows = await this.db
      .updateTable('users')
      .set({ deleted_at: null, updated_at: now })
      .where('id', 'in', [...new Set(userIds)])
      .where('deleted_at', 'is not', null)
      .returning('id')
      .execute();
    return rows.map((r) => r.id);
  }

  async messageIdsOf(userId: string, limit: number): Promise<string[]> {
    // messages has no index on user_id alone: an export is a rare, server-side call, and the
    // delete-users path (batchDeleteByUsers) scans the same way.
    const rows = await this.db.selectFrom('messages').select('id').where('user_id', '=', userId).orderBy('id').limit(limit).execute();
    return rows.map((r) => r.id);
  }

  async reactionsOf(userId: string, limit: number): Promise<Reaction[]> {
    const rows = await this.db
      .selectFrom('reactions')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('message_id')
      .orderBy('type')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ ...r, custom: jsonObject(this.caps, r.custom) }));
  }
}
