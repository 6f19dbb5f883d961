import { sql, type Kysely, type Selectable } from 'kysely';
import type { MemberQuery, MemberStore } from '../app/channel-management-ports.js';
import type { ChannelMember } from '../domain/channel.js';
import { memberFromRow } from './channel-store.js';
import type { DialectCaps } from './dialects/dialect-caps.js';
import { applySort, compileFilter, type FilterTarget } from './filter-compiler.js';
import { flag, json } from './row-mapping.js';
import type { ChannelMembersTable, Schema } from './schema.js';

const notNull = (column: string) => ({ column, nullable: false });
const nullable = (column: string) => ({ column, nullable: true });

/**
 * Query members filters the derived table `m` (memberRows below): the membership's columns,
 * its user's name and last_active, and the flags Stream computes (is_moderator, invite,
 * joined), so that the generic filter compiler needs one table qualifier only.
 */
const memberFilterTarget: FilterTarget = {
  table: 'm',
  columns: {
    id: notNull('user_id'),
    user_id: notNull('user_id'),
    name: nullable('name'),
    channel_role: notNull('channel_role'),
    banned: notNull('banned'),
    shadow_banned: notNull('shadow_banned'),
    notifications_muted: notNull('notifications_muted'),
    is_moderator: notNull('is_moderator'),
    invite: notNull('invite'),
    joined: notNull('joined'),
    archived: notNull('archived'),
    pinned: notNull('pinned'),
    created_at: notNull('created_at'),
    updated_at: notNull('updated_at'),
    last_active: nullable('last_active'),
  },
  customColumn: 'custom',
  primaryKey: 'user_id',
};

export class KyselyMemberStore implements MemberStore {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly caps: DialectCaps,
  ) {}

  private pkOf(cid: string) {
    return this.db.selectFrom('channels').select('pk').where('cid', '=', cid);
  }

  async batchGet(cid: string, userIds: readonly string[]): Promise<ChannelMember[]> {
    if (userIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('channel_members')
      .selectAll()
      .where('channel_pk', '=', this.pkOf(cid))
      .where(this.caps.inTextList(sql.ref('user_id'), [...new Set(userIds)]))
      .execute();
    return rows.map((r) => memberFromRow(this.caps, r));
  }

  async query(query: MemberQuery): Promise<ChannelMember[]> {
    const memberRows = this.db
      .selectFrom('channel_members as cm')
      .leftJoin('users as u', 'u.id', 'cm.user_id')
      .selectAll('cm')
      .select([
        'u.name as name',
        'u.last_active as last_active',
        sql<number>`case when cm.channel_role = 'channel_moderator' then 1 else 0 end`.as('is_moderator'),
        sql<string>`case when cm.invite_rejected_at is not null then 'rejected' when cm.invite_accepted_at is not null then 'accepted' when cm.invited = 1 then 'pending' else 'member' end`.as('invite'),
        sql<number>`case when cm.invited = 0 or cm.invite_accepted_at is not null then 1 else 0 end`.as('joined'),
        sql<number>`case when cm.archived_at is null then 0 else 1 end`.as('archived'),
        sql<number>`case when cm.pinned_at is null then 0 else 1 end`.as('pinned'),
      ])
      .where('cm.channel_pk', '=', this.pkOf(query.cid));
    let q = this.db.selectFrom(memberRows.as('m')).selectAll().where(compileFilter(query.filter, memberFilterTarget, this.caps));
    q = applySort(q, query.sort, memberFilterTarget, this.caps);
    const rows = await q.limit(query.limit).offset(query.offset).execute();
    return rows.map((r) => memberFromRow(this.caps, r as unknown as Selectable<ChannelMembersTable>));
  }

  async update(cid: string, m: ChannelMember): Promise<void> {
    await this.db
      .updateTable('channel_members')
      .set({
        channel_role: m.channel_role,
        custom: json(m.custom ?? {}),
        archived_at: m.archived_at,
        pinned_at: m.pinned_at,
        invited: flag(m.invited),
        invite_accepted_at: m.invite_accepted_at ?? null,
        invite_rejected_at: m.invite_rejected_at ?? null,
        updated_at: m.updated_at,
      })
      .where('channel_pk', '=', this.pkOf(cid))
      .where('user_id', '=', m.user_id)
      .execute();
  }

  async remove(cid: string, userIds: readonly string[], now: number): Promise<ChannelMember[]> {
    const channel = await this.db.selectFrom('channels').select('pk').where('cid', '=', cid).executeTakeFirst();
    if (!channel || userIds.length === 0) return [];
    const removed = await this.db
      .deleteFrom('channel_members')
      .where('channel_pk', '=', channel.pk)
      .where(this.caps.inTextList(sql.ref('user_id'), [...new Set(userIds)]))
      .returningAll()
      .execute();
    if (removed.length > 0) {
      await this.db
        .updateTable('channels')
        .set((eb) => ({ member_count: eb('member_count', '-', removed.length), updated_at: now }))
        .where('pk', '=', channel.pk)
        .execute();
    }
    return removed.map((r) => memberFromRow(this.caps, r));
  }
}
