import { sql, type ExpressionBuilder, type Kysely, type Selectable } from 'kysely';
import type { ChannelStore, ChannelWithMembers, NewMember, PageRequest } from '../app/ports.js';
import type { UnreadCounts } from '../app/realtime-ports.js';
import type { Channel, ChannelMember } from '../domain/channel.js';
import type { DialectCaps } from './dialects/dialect-caps.js';
import { applySort, channelFilterTarget, channelFilterTargetFor, compileFilter } from './filter-compiler.js';
import { flag, json, jsonObject } from './row-mapping.js';
import type { ChannelMembersTable, ChannelsTable, Schema } from './schema.js';

export const channelFromRow = (caps: DialectCaps, r: Selectable<ChannelsTable>): Channel => ({
  cid: r.cid,
  type: r.type,
  id: r.id,
  created_by_id: r.created_by_id,
  team: r.team,
  frozen: r.frozen === 1,
  disabled: r.disabled === 1,
  member_count: r.member_count,
  message_count: r.message_count,
  last_message_at: r.last_message_at,
  custom: jsonObject(caps, r.custom),
  created_at: r.created_at,
  updated_at: r.updated_at,
  deleted_at: r.deleted_at,
  truncated_at: r.truncated_at,
  truncated_by_id: r.truncated_by_id,
});

export const memberFromRow = (caps: DialectCaps, r: Selectable<ChannelMembersTable>): ChannelMember => ({
  user_id: r.user_id,
  channel_role: r.channel_role,
  hidden: r.hidden === 1,
  archived_at: r.archived_at,
  pinned_at: r.pinned_at,
  last_read_at: r.last_read_at,
  banned: r.banned === 1,
  notifications_muted: r.notifications_muted === 1,
  created_at: r.created_at,
  updated_at: r.updated_at,
  custom: jsonObject(caps, r.custom),
  invited: r.invited === 1,
  invite_accepted_at: r.invite_accepted_at,
  invite_rejected_at: r.invite_rejected_at,
  shadow_banned: r.shadow_banned === 1,
  ban_expires: r.ban_expires,
});

export class KyselyChannelStore implements ChannelStore {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly caps: DialectCaps,
  ) {}

  private pkOf(cid: string) {
    return this.db.selectFrom('channels').select('pk').where('cid', '=', cid);
  }

  async get(cid: string): Promise<Channel | undefined> {
    const row = await this.db
      .selectFrom('channels')
      .selectAll()
      .where('cid', '=', cid)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    return row && channelFromRow(this.caps, row);
  }

  async getOrInsert(channel: Channel): Promise<{ channel: Channel; created: boolean }> {
    // A soft-deleted channel is recreated in place: same cid, fresh data, no members.
    const existing = await this.db.selectFrom('channels').selectAll().where('cid', '=', channel.cid).executeTakeFirst();
    if (existing && existing.deleted_at === null) return { channel: channelFromRow(this.caps, existing), created: false };
    const values = {
      cid: channel.cid,
      type: channel.type,
      id: channel.id,
      created_by_id: channel.created_by_id,
      team: channel.team,
      frozen: flag(channel.frozen),
      disabled: flag(channel.disabled),
      member_count: 0,
      message_count: 0,
      last_message_at: null,
      custom: json(channel.custom),
      created_at: channel.created_at,
      updated_at: channel.updated_at,
      deleted_at: null,
    };
    if (existing) {
      await this.db.deleteFrom('channel_members').where('channel_pk', '=', existing.pk).execute();
      await this.db.updateTable('channels').set(values).where('pk', '=', existing.pk).execute();
      return { channel: { ...channel, member_count: 0, message_count: 0 }, created: true };
    }
    // Two requests may race to create one cid: the loser reads the winner's row.
    const inserted = await this.db
      .insertInto('channels')
      .values(values)
      .onConflict((oc) => oc.column('cid').doNothing())
      .returning('pk')
      .executeTakeFirst();
    if (inserted) return { channel: { ...channel, member_count: 0, message_count: 0 }, created: true };
    const winner = await this.get(channel.cid);
    return { channel: winner!, created: false };
  }

  async query(page: PageRequest & { memberId?: string }): Promise<Channel[]> {
    // `joined` and `hidden` in a filter are relative to the user the query is made for.
    const target = page.memberId === undefined ? channelFilterTarget : channelFilterTargetFor(page.memberId);
    let q = this.db
      .selectFrom('channels')
      .selectAll()
      .where('deleted_at', 'is', null)
      .where(compileFilter(page.filter, target, this.caps));
    if (page.memberId !== undefined) {
      const memberId = page.memberId;
      q = q.where((eb) =>
        eb.exists(
          eb
            .selectFrom('channel_members')
            .select('channel_members.channel_pk')
            .whereRef('channel_members.channel_pk', '=', 'channels.pk')
            .where('channel_members.user_id', '=', memberId),
        ),
      );
    }
    q = applySort(q, page.sort, target, this.caps);
    const rows = await q.limit(page.limit).offset(page.offset).execute();
    return rows.map((r) => channelFromRow(this.caps, r as Selectable<ChannelsTable>));
  }

  async delete(cid: string, hard: boolean, now: number): Promise<boolean> {
    const row = await this.db.selectFrom('channels').select(['pk', 'deleted_at']).where('cid', '=', cid).executeTakeFirst();
    if (!row || (!hard && row.deleted_at !== null)) return false;
    if (hard) {
      await this.db.deleteFrom('messages').where('channel_pk', '=', row.pk).execute();
      await this.db.deleteFrom('channel_members').where('channel_pk', '=', row.pk).execute();
      await this.db.deleteFrom('channels').where('pk', '=', row.pk).execute();
    } else {
      await this.db.updateTable('channels').set({ deleted_at: now, updated_at: now }).where('pk', '=', row.pk).execute();
    }
    return true;
  }

  async members(cid: string, limit: number, offset: number): Promise<ChannelMember[]> {
    const rows = await this.db
      .selectFrom('channel_members')
      .selectAll()
      .where('channel_pk', '=', this.pkOf(cid))
      .orderBy('created_at')
      .orderBy('user_id')
      .limit(limit)
      .offset(offset)
      .execute();
    return rows.map((r) => memberFromRow(this.caps, r));
  }

  async unreadCountsOf(userIds: readonly string[]): Promise<Map<string, UnreadCounts>> {
    const counts = new Map<string, UnreadCounts>(userIds.map((id) => [id, { messages: 0, channels: 0 }]));
    if (userIds.length === 0) return counts;
    // Per recipient, not per message: each user's memberships (channel_members_user), then
    // each channel's unread count. A campaign batch asks for up to a batch's worth of users.
    // Materialized, so that the two sums read each count once rather than run it twice.
    const rows = await this.db
      .with(
        (cte) => cte('u').materialized(),
        (db) =>
          db
            .selectFrom('channel_members as cm')
            .select((eb) => ['cm.user_id', this.unreadOf(eb)])
            .where(this.caps.inTextList(sql.ref('cm.user_id'), userIds)),
      )
      .selectFrom('u')
      .select((eb) => [
        'u.user_id',
        eb.fn.sum<number>('u.unread').as('messages'),
        eb.fn.sum<number>(eb.case().when('u.unread', '>', 0).then(1).else(0).end()).as('channels'),
      ])
      .groupBy('u.user_id')
      .execute();
    for (const r of rows) counts.set(r.user_id, { messages: Number(r.messages), channels: Number(r.channels) });
    return counts;
  }

  async unreadChannels(userId: string): Promise<Array<{ cid: string; type: string; unread: number; last_read: number }>> {
    // The user's memberships (channel_members_user), each with its channel and unread count.
    const memberships = this.db
      .selectFrom('channel_members as cm')
      .innerJoin('channels as c', 'c.pk', 'cm.channel_pk')
      .select((eb) => ['c.cid', 'c.type', 'cm.last_read_at', 'cm.created_at', this.unreadOf(eb)])
      .where('cm.user_id', '=', userId)
      .where('c.deleted_at', 'is', null)
      .as('u');
    const rows = await this.db.selectFrom(memberships).selectAll().where('u.unread', '>', 0).orderBy('u.cid').execute();
    return rows.map((r) => ({ cid: r.cid, type: r.type, unread: Number(r.unread), last_read: r.last_read_at ?? r.created_at }));
  }

  async memberUnreadCounts(cid: string, userIds: readonly string[]): Promise<Map<string, number>> {
    const counts = new Map<string, number>(userIds.map((id) => [id, 0]));
    if (userIds.length === 0) return counts;
    const rows = await this.db
      .selectFrom('channel_members as cm')
      .select((eb) => ['cm.user_id', this.unreadOf(eb)])
      .where('cm.channel_pk', '=', this.pkOf(cid))
      .where(this.caps.inTextList(sql.ref('cm.user_id'), userIds))
      .execute();
    for (const r of rows) counts.set(r.user_id, Number(r.unread));
    return counts;
  }

  /**
   * Adds each membership's count of messages unread by that member, as a subquery per
   * membership through messages_channel (channel_pk, id). A join would leave the order to the
   * planner, and PostgreSQL without statistics on a freshly filled messages table scanned it
   * whole for every connecting user (143 ms a connect at 20,000 messages; the subquery: 0.2 ms).
   */
  private unreadOf(eb: ExpressionBuilder<Schema & { cm: ChannelMembersTable }, 'cm'>) {
    return eb
      .selectFrom('messages as m')
      .select(eb.fn.countAll<number>().as('n'))
      .whereRef('m.channel_pk', '=', 'cm.channel_pk')
      .whereRef('m.user_id', '<>', 'cm.user_id')
      .where('m.deleted_at', 'is', null)
      // A silent message (one sent to a member who muted the channel or its sender) is not unread.
      .where('m.silent', '=', 0)
      // A thread reply counts in its channel only when it shows there (show_in_channel).
      .where((inner) => inner.or([inner('m.parent_id', 'is', null), inner('m.show_in_channel', '=', 1)]))
      // Nor is a shadow-banned user's message (migration 010): no one else sees it.
      .where('m.shadowed', '=', 0)
      .where((inner) => inner.or([inner('cm.last_read_at', 'is', null), inner('m.created_at', '>', inner.ref('cm.last_read_at'))]))
      .as('unread');
  }

  async batchWithMembers(cids: readonly string[]): Promise<ChannelWithMembers[]> {
    if (cids.length === 0) return [];
    // Two statements for the realtime fan-out's part of a send batch (500 channels, ~1,000
    // members), each through the cid index: the channels, then their members by primary key.
    // One join repeated the 17 channel columns on each member's row: 6.7 ms a part against
    // ~5 ms for the two (SQLite, bench/realtime.bench.ts's database).
    const list = this.caps.inTextList(sql.ref('c.cid'), [...new Set(cids)]);
    const [channels, members] = await Promise.all([
      this.db.selectFrom('channels as c').selectAll('c').where(list).where('c.deleted_at', 'is', null).orderBy('c.pk').execute(),
      this.db
        .selectFrom('channels as c')
        .innerJoin('channel_members as cm', 'cm.channel_pk', 'c.pk')
        .selectAll('cm')
        .where(list)
        .orderBy('cm.channel_pk')
        .orderBy('cm.created_at')
        .orderBy('cm.user_id')
        .execute(),
    ]);
    const byPk = new Map<number, ChannelWithMembers>();
    for (const row of channels) byPk.set(Number(row.pk), { channel: channelFromRow(this.caps, row), members: [] });
    for (const row of members) byPk.get(Number(row.channel_pk))?.members.push(memberFromRow(this.caps, row));
    return [...byPk.values()];
  }

  async member(cid: string, userId: string): Promise<ChannelMember | undefined> {
    const row = await this.db
      .selectFrom('channel_members')
      .selectAll()
      .where('channel_pk', '=', this.pkOf(cid))
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row && memberFromRow(this.caps, row);
  }

  async addMembers(cid: string, members: readonly NewMember[], now: number): Promise<string[]> {
    const channel = await this.db.selectFrom('channels').select('pk').where('cid', '=', cid).executeTakeFirst();
    if (!channel || members.length === 0) return [];
    const unique = [...new Map(members.map((m) => [m.user_id, m])).values()];
    const added = await this.db
      .insertInto('channel_members')
      .values(
        unique.map((m) => ({
          channel_pk: channel.pk,
          user_id: m.user_id,
          channel_role: m.channel_role,
          hidden: flag(m.hidden ?? false),
          archived_at: m.archived ? now : null,
          banned: 0,
          notifications_muted: 0,
          custom: json(m.custom ?? {}),
          invited: flag(m.invited ?? false),
          created_at: now,
          updated_at: now,
        })),
      )
      .onConflict((oc) => oc.columns(['channel_pk', 'user_id']).doNothing())
      .returning('user_id')
      .execute();
    if (added.length > 0) {
      await this.db
        .updateTable('channels')
        .set((eb) => ({ member_count: eb('member_count', '+', added.length), updated_at: now }))
        .where('pk', '=', channel.pk)
        .execute();
    }
    return added.map((a) => a.user_id);
  }

  async setHidden(cid: string, userId: string, hidden: boolean, now: number): Promise<boolean> {
    const result = await this.db
      .updateTable('channel_members')
      .set({ hidden: flag(hidden), updated_at: now })
      .where('channel_pk', '=', this.pkOf(cid))
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async unhideAll(cid: string, now: number): Promise<void> {
    await this.db
      .updateTable('channel_members')
      .set({ hidden: 0, updated_at: now })
      .where('channel_pk', '=', this.pkOf(cid))
      .where('hidden', '=', 1)
      .execute();
  }

  async setLastRead(cid: string, userId: string, lastRead: number | null, now: number): Promise<boolean> {
    const result = await this.db
      .updateTable('channel_members')
      .set({ last_read_at: lastRead, updated_at: now })
      .where('channel_pk', '=', this.pkOf(cid))
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async markRead(cid: string, userId: string, at: number): Promise<boolean> {
    const result = await this.db
      .updateTable('channel_members')
      .set({ last_read_at: at, updated_at: at })
      .where('channel_pk', '=', this.pkOf(cid))
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }
}
