import type { Channel, ChannelMember } from '../domain/channel.js';
import { ChannelRole } from '../domain/channel.js';
import { changeFilterTags, patchChannel, replaceChannelData, type ChannelDataInput } from '../domain/channel-data.js';
import { checkChannelRole, isPendingInvite } from '../domain/channel-member.js';
import type { ChatEvent } from '../domain/chat-event.js';
import { checkCustomData } from '../domain/custom-data.js';
import { inputError } from '../domain/errors.js';
import { FeedKind } from '../domain/feed.js';
import type { Message } from '../domain/message.js';
import type { User } from '../domain/user.js';
import { checkUserId } from '../domain/user.js';
import type { AppDeps } from './app-deps.js';
import type { Caller } from './caller.js';
import {
  actingUserOf,
  checkChangeMessage,
  insertChangeMessage,
  lockedChannel,
  requireChannelAdmin,
  requireMember,
  requireUsers,
  usersById,
  type ChangeMessageInput,
} from './channel-access.js';
import type { MemberWithUser } from './channel-state.js';
import { publishChatEvents } from './chat-events.js';
import type { NewMember, Stores } from './ports.js';

/** Members, ids or roles one request may name in each list, as for channel creation. */
export const MAX_MEMBER_CHANGES = 100;
/** Members an update's response lists (Stream's first page). */
const MEMBERS_IN_RESPONSE = 100;

/** `POST /channels/{type}/{id}`: stream-chat's update, addMembers, inviteMembers, acceptInvite… (channel.ts `_update`). */
export interface ChannelUpdateInput {
  data?: ChannelDataInput;
  add_members?: NewMember[];
  remove_members?: string[];
  add_moderators?: string[];
  demote_moderators?: string[];
  assign_roles?: Array<{ user_id: string; channel_role: string }>;
  invites?: NewMember[];
  accept_invite?: boolean;
  reject_invite?: boolean;
  add_filter_tags?: string[];
  remove_filter_tags?: string[];
  hide_history?: boolean;
  hide_history_before?: unknown;
  cooldown?: number;
  message?: ChangeMessageInput;
  /** Who acts, for server-side auth (accept and reject need it). */
  user_id?: string;
}

export interface TruncateInput {
  hard_delete?: boolean;
  truncated_at?: number;
  member_ids?: string[];
  message?: ChangeMessageInput;
  user_id?: string;
}

/** What a change answers with (UpdateChannelResponse, TruncateChannelResponse). */
export interface ChannelChange {
  channel: Channel;
  created_by: User | null;
  members: MemberWithUser[];
  message: { message: Message; user: User } | null;
}

const ref = (id: string, users: ReadonlyMap<string, User>) => ({ id, user: users.get(id) ?? null });

function checkList(list: readonly unknown[] | undefined, field: string): void {
  if (list && list.length > MAX_MEMBER_CHANGES) throw inputError(`at most ${MAX_MEMBER_CHANGES} entries in ${field}`, { [field]: 'too many' });
}

/**
 * Channel updates: the full update and its member operations, the partial update, and
 * truncation. Each runs in one transaction that locks the channel first and ends with its
 * events (publishChatEvents): channel.updated, member.added/removed/updated and the
 * notification.* that tell the users concerned, channel.truncated.
 */
export class ChannelUpdatesService {
  constructor(private readonly deps: AppDeps) {}

  async update(caller: Caller, type: string, id: string, input: ChannelUpdateInput): Promise<ChannelChange> {
    if (input.hide_history === true || input.hide_history_before != null) {
      throw inputError('hide_history is not supported: added members see the channel\'s whole history', { hide_history: 'not supported' });
    }
    if (input.cooldown) throw inputError('cooldown (slow mode) is not supported', { cooldown: 'not supported' });
    if (input.accept_invite && input.reject_invite) throw inputError('accept_invite and reject_invite cannot both be set', { accept_invite: 'conflict' });
    for (const field of ['add_members', 'remove_members', 'add_moderators', 'demote_moderators', 'assign_roles', 'invites'] as const) {
      checkList(input[field], field);
    }
    const limits = this.deps.customData;
    for (const field of ['add_members', 'invites'] as const) {
      for (const m of input[field] ?? []) {
        checkUserId(m.user_id, field);
        checkChannelRole(m.channel_role, `${field}.channel_role`);
        checkCustomData(m.custom, `${field}.${m.user_id}`, limits);
      }
    }
    for (const field of ['remove_members', 'add_moderators', 'demote_moderators'] as const) for (const u of input[field] ?? []) checkUserId(u, field);
    for (const r of input.assign_roles ?? []) {
      checkUserId(r.user_id, 'assign_roles');
      checkChannelRole(r.channel_role, 'assign_roles.channel_role');
    }
    if (input.data) checkCustomData(input.data.custom, 'data', limits);
    const answering = Boolean(input.accept_invite || input.reject_invite);
    const actor = actingUserOf(caller, input.user_id, answering, 'update the channel');
    const author = input.message ? checkChangeMessage(caller, input.message, actor, limits, type) : undefined;
    const now = this.deps.clock.nowMicros();
    const server = caller.kind === 'server';

    return this.deps.storage.transaction(async (stores) => {
      let channel = await lockedChannel(stores, type, id);
      const cid = channel.cid;
      const [actorMember] = actor ? await stores.members.batchGet(cid, [actor]) : [];
      const removesOthers = (input.remove_members ?? []).some((u) => u !== actor);
      const administers =
        input.data !== undefined || (input.add_filter_tags?.length ?? 0) > 0 || (input.remove_filter_tags?.length ?? 0) > 0 ||
        (input.add_members?.length ?? 0) > 0 || (input.invites?.length ?? 0) > 0 || (input.add_moderators?.length ?? 0) > 0 ||
        (input.demote_moderators?.length ?? 0) > 0 || (input.assign_roles?.length ?? 0) > 0 || removesOthers;
      if (administers) requireChannelAdmin(caller, channel, actorMember, 'UpdateChannel');
      else if (!answering) requireMember(caller, channel, actorMember);
      if (answering && (!actorMember || !isPendingInvite(actorMember))) {
        throw inputError(`user "${actor}" has no pending invite to channel "${cid}"`, { user_id: 'not invited' });
      }

      const named = [
        ...(actor ? [actor] : []), ...(author ? [author] : []),
        ...(input.add_members ?? []).map((m) => m.user_id), ...(input.invites ?? []).map((m) => m.user_id),
        ...(input.remove_members ?? []), ...(input.add_moderators ?? []), ...(input.demote_moderators ?? []),
        ...(input.assign_roles ?? []).map((r) => r.user_id),
      ];
      const users = await usersById(stores, named);
      if (author) requireUsers(users, [author], 'message.user_id');

      // Events are built once the channel is final (its member_count, custom data); these say what happened.
      let channelUpdated = false;
      const added: ChannelMember[] = [];
      const invited: ChannelMember[] = [];
      const removed: ChannelMember[] = [];
      const updated = new Map<string, ChannelMember>();
      let answered: { member: ChannelMember; type: string } | null = null;

      if (input.data) {
        channel = replaceChannelData(channel, input.data, now, server);
        channelUpdated = true;
      }
      if ((input.add_filter_tags?.length ?? 0) > 0 || (input.remove_filter_tags?.length ?? 0) > 0) {
        channel = changeFilterTags(channel, input.add_filter_tags ?? [], input.remove_filter_tags ?? [], now);
        channelUpdated = true;
      }
      if (channelUpdated) {
        checkCustomData(channel.custom, 'data', limits);
        await stores.channelAdmin.save(channel);
      }

      if (input.add_members?.length) {
        requireUsers(users, input.add_members.map((m) => m.user_id), 'add_members');
        const ids = new Set(await stores.channels.addMembers(cid, input.add_members, now));
        added.push(...(await stores.members.batchGet(cid, [...ids])));
      }
      if (input.invites?.length) {
        requireUsers(users, input.invites.map((m) => m.user_id), 'invites');
        const ids = await stores.channels.addMembers(cid, input.invites.map((m) => ({ ...m, invited: true })), now);
        invited.push(...(await stores.members.batchGet(cid, ids)));
      }
      if (input.remove_members?.length) removed.push(...(await stores.members.remove(cid, input.remove_members, now)));

      const roles: Array<[string, string]> = [
        ...(input.assign_roles ?? []).map((r) => [r.user_id, r.channel_role] as [string, string]),
        ...(input.add_moderators ?? []).map((u) => [u, ChannelRole.moderator] as [string, string]),
        ...(input.demote_moderators ?? []).map((u) => [u, ChannelRole.member] as [string, string]),
      ];
      if (roles.length > 0) {
        const current = new Map((await stores.members.batchGet(cid, roles.map(([u]) => u))).map((m) => [m.user_id, m]));
        for (const [userId, role] of roles) {
          const member = updated.get(userId) ?? current.get(userId);
          if (!member) throw inputError(`user "${userId}" is not a member of channel "${cid}"`, { user_id: 'not a member' });
          if (member.channel_role !== role) updated.set(userId, { ...member, channel_role: role, updated_at: now });
        }
        for (const member of updated.values()) await stores.members.update(cid, member);
      }

      if (answering) {
        const accept = Boolean(input.accept_invite);
        const member: ChannelMember = { ...actorMember!, updated_at: now, ...(accept ? { invite_accepted_at: now } : { invite_rejected_at: now }) };
        await stores.members.update(cid, member);
        answered = { member, type: accept ? 'notification.invite_accepted' : 'notification.invite_rejected' };
      }

      let final = (await stores.channelAdmin.lock(cid))!;
      const by = actor ? ref(actor, users) : undefined;
      const member = (m: ChannelMember) => ({ member: m, user: users.get(m.user_id) ?? null });

      // Added members: member.added to webhooks here, and the chat feed's members_added row
      // (notification.added_to_channel with the channel's members, member.added to watchers).
      if (added.length > 0) {
        await publishChatEvents(this.deps, stores, added.map((m) => ({
          type: 'member.added', created_at: now, channel: final, member: member(m), user: ref(m.user_id, users), to_watchers: false,
        })));
        await stores.feed.append({ kind: FeedKind.membersAdded, cid, user_ids: added.map((m) => m.user_id), by: caller.kind === 'user' ? caller.userId : null, at: now }, now);
      }
      const message = input.message && author ? await insertChangeMessage(this.deps, stores, final, input.message, users.get(author)!, now) : null;
      if (message) final = (await stores.channelAdmin.lock(cid))!;
      const withMessage = message ? { message: { message, author: users.get(message.user_id) ?? null } } : {};

      const events: ChatEvent[] = [];
      if (channelUpdated) events.push({ type: 'channel.updated', created_at: now, channel: final, with_channel: true, ...(by && { user: by }), ...withMessage });
      for (const m of invited) {
        events.push({ type: 'member.added', created_at: now, channel: final, member: member(m), user: ref(m.user_id, users) });
        events.push({
          type: 'notification.invited', created_at: now, channel: final, with_channel: true, member: member(m), user: ref(m.user_id, users),
          notify: [m.user_id], to_watchers: false, webhook: false,
        });
      }
      for (const m of removed) {
        events.push({ type: 'member.removed', created_at: now, channel: final, member: member(m), user: ref(m.user_id, users) });
        events.push({
          type: 'notification.removed_from_channel', created_at: now, channel: final, with_channel: true, member: member(m),
          user: ref(m.user_id, users), notify: [m.user_id], to_watchers: false, webhook: false,
        });
      }
      for (const m of updated.values()) {
        events.push({ type: 'member.updated', created_at: now, channel: final, member: member(m), user: ref(m.user_id, users), notify: [m.user_id] });
      }
      if (answered) {
        const m = answered.member;
        events.push({ type: 'member.updated', created_at: now, channel: final, member: member(m), user: ref(m.user_id, users) });
        events.push({
          type: answered.type, created_at: now, channel: final, with_channel: true, member: member(m), user: ref(m.user_id, users),
          notify: [m.user_id], to_watchers: false, webhook: false,
        });
      }
      await publishChatEvents(this.deps, stores, events);
      return this.answer(stores, final, message);
    });
  }

  /** `PATCH /channels/{type}/{id}`: set and unset fields of the channel (stream-chat updatePartial). */
  async updatePartial(caller: Caller, type: string, id: string, input: { set?: Record<string, unknown>; unset?: string[]; user_id?: string }): Promise<ChannelChange> {
    const actor = actingUserOf(caller, input.user_id, false, 'update the channel');
    const now = this.deps.clock.nowMicros();
    return this.deps.storage.transaction(async (stores) => {
      const channel = await lockedChannel(stores, type, id);
      const [actorMember] = actor ? await stores.members.batchGet(channel.cid, [actor]) : [];
      requireChannelAdmin(caller, channel, actorMember, 'UpdateChannelPartial');
      const next = patchChannel(channel, input.set ?? {}, input.unset ?? [], now, caller.kind === 'server');
      checkCustomData(next.custom, 'set', this.deps.customData);
      await stores.channelAdmin.save(next);
      const users = await usersById(stores, actor ? [actor] : []);
      await publishChatEvents(this.deps, stores, [
        { type: 'channel.updated', created_at: now, channel: next, with_channel: true, ...(actor && { user: ref(actor, users) }) },
      ]);
      return this.answer(stores, next, null);
    });
  }

  /**
   * `POST /channels/{type}/{id}/truncate`: the history up to `truncated_at` (now by default)
   * is gone for everyone. Soft: the messages are marked deleted, so history, unread counts and
   * message_count leave them out; hard: they and their reactions are removed.
   */
  async truncate(caller: Caller, type: string, id: string, input: TruncateInput): Promise<ChannelChange> {
    if (input.member_ids?.length) throw inputError('member_ids is not supported: a truncation is for every member', { member_ids: 'not supported' });
    const actor = actingUserOf(caller, input.user_id, false, 'truncate the channel');
    const limits = this.deps.customData;
    const author = input.message ? checkChangeMessage(caller, input.message, actor, limits, type) : undefined;
    const now = this.deps.clock.nowMicros();
    const at = input.truncated_at ?? now;
    if (at > now) throw inputError('truncated_at cannot be in the future', { truncated_at: 'in the future' });
    return this.deps.storage.transaction(async (stores) => {
      const channel = await lockedChannel(stores, type, id);
      const [actorMember] = actor ? await stores.members.batchGet(channel.cid, [actor]) : [];
      requireChannelAdmin(caller, channel, actorMember, 'TruncateChannel');
      const users = await usersById(stores, [...(actor ? [actor] : []), ...(author ? [author] : [])]);
      if (author) requireUsers(users, [author], 'message.user_id');
      await stores.channelAdmin.truncate(channel.cid, at, actor ?? null, Boolean(input.hard_delete), now);
      // The message announces the truncation: it comes after it, even when truncated_at is now.
      const message = input.message && author ? await insertChangeMessage(this.deps, stores, channel, input.message, users.get(author)!, Math.max(now, at + 1)) : null;
      const final = (await stores.channelAdmin.lock(channel.cid))!;
      await publishChatEvents(this.deps, stores, [{
        type: 'channel.truncated', created_at: now, channel: final, with_channel: true,
        ...(actor && { user: ref(actor, users) }),
        ...(message && { message: { message, author: users.get(message.user_id) ?? null } }),
      }]);
      return this.answer(stores, final, message);
    });
  }

  private async answer(stores: Stores, channel: Channel, message: Message | null): Promise<ChannelChange> {
    const members = await stores.channels.members(channel.cid, MEMBERS_IN_RESPONSE, 0);
    const users = await usersById(stores, [...members.map((m) => m.user_id), ...(channel.created_by_id ? [channel.created_by_id] : []), ...(message ? [message.user_id] : [])]);
    return {
      channel,
      created_by: channel.created_by_id ? (users.get(channel.created_by_id) ?? null) : null,
      members: members.map((m) => ({ member: m, user: users.get(m.user_id) ?? null })),
      message: message ? { message, user: users.get(message.user_id)! } : null,
    };
  }
}

