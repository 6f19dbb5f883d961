import type { ChannelState, MemberWithUser, MessageWithUser } from '../app/channel-state.js';
import type { Channel } from '../domain/channel.js';
import { channelTypes, memberCapabilities } from '../domain/channel-types.js';
import type { Micros } from '../domain/clock.js';
import type { Message, Reaction } from '../domain/message.js';
import type { Task } from '../domain/task.js';
import { formatRfc3339 } from '../domain/time.js';
import type { User } from '../domain/user.js';

export type WireFamily = 'legacy' | 'v2';

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/**
 * Encodes domain objects for one route family (contract 1.5): legacy root paths use RFC 3339
 * strings and flatten custom fields into the object; /api/v2 uses int64 Unix nanoseconds
 * (emitted as BigInt, see bigint-json.ts) and nests custom fields under `custom`.
 */
export class WireEncoder {
  constructor(readonly family: WireFamily) {}

  time(micros: Micros): string | bigint;
  time(micros: Micros | null | undefined): string | bigint | null;
  time(micros: Micros | null | undefined): string | bigint | null {
    if (micros === null || micros === undefined) return null;
    return this.family === 'legacy' ? formatRfc3339(micros) : BigInt(micros) * 1000n;
  }

  /**
   * Puts custom fields where this family expects them; built-in fields win over custom ones.
   * `fields` is the caller's fresh object: legacy adds the custom fields to it in place, which
   * costs a third of copying both into a new object (webhook bodies encode ~10k of these a second).
   */
  withCustom<T extends object>(fields: T, custom: Record<string, unknown>): T & Record<string, unknown> {
    if (this.family === 'v2') return { ...fields, custom };
    const merged: Record<string, unknown> = fields as Record<string, unknown>;
    for (const key of Object.keys(custom)) if (!Object.hasOwn(merged, key)) merged[key] = custom[key];
    return merged as T & Record<string, unknown>;
  }

  user(u: User): Record<string, unknown> {
    return this.withCustom(
      {
        id: u.id,
        ...(u.name !== null && { name: u.name }),
        ...(u.image !== null && { image: u.image }),
        role: u.role,
        teams: u.teams,
        language: u.language,
        invisible: u.invisible,
        banned: u.banned,
        shadow_banned: u.shadow_banned,
        online: false,
        blocked_user_ids: [],
        created_at: this.time(u.created_at),
        updated_at: this.time(u.updated_at),
        ...(u.last_active !== null && { last_active: this.time(u.last_active) }),
        ...(u.deleted_at !== null && { deleted_at: this.time(u.deleted_at) }),
        ...(u.deactivated_at !== null && { deactivated_at: this.time(u.deactivated_at) }),
        ...(u.revoke_tokens_issued_before != null && { revoke_tokens_issued_before: this.time(u.revoke_tokens_issued_before) }),
      },
      u.custom,
    );
  }

  /** A user that is referenced but gone (hard-deleted) still gets a well-formed object. */
  userOrStub(u: User | null, id: string): Record<string, unknown> {
    if (u) return this.user(u);
    return this.withCustom(
      { id, role: 'user', teams: [], language: '', invisible: false, banned: false, shadow_banned: false,
        online: false, blocked_user_ids: [], created_at: this.time(0), updated_at: this.time(0) },
      {},
    );
  }

  channel(c: Channel, createdBy: User | null, hidden?: boolean): Record<string, unknown> {
    return this.withCustom(
      {
        id: c.id,
        type: c.type,
        cid: c.cid,
        created_at: this.time(c.created_at),
        updated_at: this.time(c.updated_at),
        ...(c.created_by_id !== null && { created_by: this.userOrStub(createdBy, c.created_by_id) }),
        frozen: c.frozen,
        disabled: c.disabled,
        member_count: c.member_count,
        message_count: c.message_count,
        config: channelTypes[c.type] ?? channelTypes.messaging,
        own_capabilities: memberCapabilities,
        ...(c.team !== null && { team: c.team }),
        ...(c.last_message_at !== null && { last_message_at: this.time(c.last_message_at) }),
        ...(c.deleted_at !== null && { deleted_at: this.time(c.deleted_at) }),
        ...(c.truncated_at != null && { truncated_at: this.time(c.truncated_at) }),
        ...(c.truncated_by_id != null && { truncated_by: this.userOrStub(null, c.truncated_by_id) }),
        ...(hidden !== undefined && { hidden }),
      },
      c.custom,
    );
  }

  member({ member: m, user }: MemberWithUser): Record<string, unknown> {
    const role = m.channel_role === 'owner' ? 'owner' : m.channel_role === 'channel_moderator' ? 'moderator' : 'member';
    return this.withCustom(
      {
        user_id: m.user_id,
        user: this.userOrStub(user, m.user_id),
        channel_role: m.channel_role,
        role,
        created_at: this.time(m.created_at),
        updated_at: this.time(m.updated_at),
        banned: m.banned,
        shadow_banned: m.shadow_banned ?? false,
        notifications_muted: m.notifications_muted,
        is_moderator: m.channel_role === 'channel_moderator',
        ...(m.archived_at !== null && { archived_at: this.time(m.archived_at) }),
        ...(m.pinned_at !== null && { pinned_at: this.time(m.pinned_at) }),
        ...(m.invited && { invited: true }),
        ...(m.invite_accepted_at != null && { invite_accepted_at: this.time(m.invite_accepted_at) }),
        ...(m.invite_rejected_at != null && { invite_rejected_at: this.time(m.invite_rejected_at) }),
        ...(m.ban_expires != null && { ban_expires: this.time(m.ban_expires) }),
      },
      m.custom ?? {},
    );
  }

  /** `encodedUser`: the author already encoded, for events of one author (a campaign's sender). */
  message({ message: m, user }: MessageWithUser, encodedUser?: object): Record<string, unknown> {
    const custom = m.campaign_id === null ? m.custom : { ...m.custom, campaign_id: m.campaign_id };
    return this.withCustom(
      {
        id: m.id,
        text: m.text,
        html: m.text === '' ? '' : `<p>${escapeHtml(m.text)}</p>\n`,
        type: m.type,
        user: encodedUser ?? this.userOrStub(user, m.user_id),
        cid: m.cid,
        attachments: m.attachments,
        ...(m.poll_id !== null && { poll_id: m.poll_id }),
        latest_reactions: m.latest_reactions?.map((r) => this.reaction(r)) ?? [],
        own_reactions: m.own_reactions?.map((r) => this.reaction(r)) ?? [],
        reaction_counts: m.reaction_counts ?? {},
        reaction_scores: m.reaction_scores ?? {},
        reaction_groups: reactionGroups(m),
        reply_count: m.reply_count ?? 0,
        deleted_reply_count: 0,
        mentioned_users: [],
        silent: m.silent ?? false,
        pinned: m.pinned_at != null,
        pinned_at: this.time(m.pinned_at),
        pinned_by: m.pinned_by_id != null ? this.userOrStub(null, m.pinned_by_id) : null,
        pin_expires: this.time(m.pin_expires),
        shadowed: m.shadowed ?? false,
        restricted_visibility: [],
        ...(m.parent_id != null && { parent_id: m.parent_id, show_in_channel: m.show_in_channel ?? false }),
        ...(m.quoted_message_id != null && { quoted_message_id: m.quoted_message_id }),
        ...(m.quoted_message && { quoted_message: this.message({ message: m.quoted_message.message, user: m.quoted_message.author }) }),
        created_at: this.time(m.created_at),
        updated_at: this.time(m.updated_at),
        ...(m.deleted_at !== null && { deleted_at: this.time(m.deleted_at) }),
        ...(m.text_updated_at != null && { message_text_updated_at: this.time(m.text_updated_at) }),
      },
      custom,
    );
  }

  /** A reaction; `user` (or `r.user`): its author when the caller read it, a stub otherwise. */
  reaction(r: Reaction, user?: User | null): Record<string, unknown> {
    return this.withCustom(
      {
        message_id: r.message_id,
        user_id: r.user_id,
        user: this.userOrStub(user ?? r.user ?? null, r.user_id),
        type: r.type,
        score: r.score,
        created_at: this.time(r.created_at),
        updated_at: this.time(r.updated_at),
      },
      r.custom,
    );
  }

  channelState(s: ChannelState): Record<string, unknown> {
    return {
      channel: this.channel(s.channel, s.created_by, s.membership?.member.hidden),
      members: s.members.map((m) => this.member(m)),
      messages: s.messages.map((m) => this.message(m)),
      pinned_messages: (s.pinned_messages ?? []).map((m) => this.message(m)),
      threads: [],
      read: s.read.map((r) => ({
        user: this.userOrStub(r.user, r.user_id),
        last_read: this.time(r.last_read),
        unread_messages: r.unread_messages,
      })),
      watcher_count: s.watchers.length,
      watchers: s.watchers.map((u) => this.user(u)),
      ...(s.membership && { membership: this.member(s.membership) }),
    };
  }

  task(t: Task): Record<string, unknown> {
    return {
      task_id: t.id,
      status: t.status,
      created_at: this.time(t.created_at),
      updated_at: this.time(t.updated_at),
      ...(t.result !== null && { result: t.result }),
      ...(t.error !== null && { error: { description: t.error } }),
    };
  }
}

/** Stream's reaction_groups: per type, the count and sum of scores. */
function reactionGroups(m: Message): Record<string, { count: number; sum_scores: number }> {
  const groups: Record<string, { count: number; sum_scores: number }> = {};
  for (const [type, count] of Object.entries(m.reaction_counts ?? {})) groups[type] = { count, sum_scores: m.reaction_scores?.[type] ?? count };
  return groups;
}

export const legacyWire = new WireEncoder('legacy');
export const v2Wire = new WireEncoder('v2');

/** Splits a request object into its known fields and custom data (flattened or under `custom`). */
export function customOf(input: Record<string, unknown>, reserved: ReadonlySet<string>): Record<string, unknown> {
  const custom: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) if (!reserved.has(key)) custom[key] = value;
  const nested = input.custom;
  if (nested && typeof nested === 'object' && !Array.isArray(nested)) Object.assign(custom, nested);
  return custom;
}
