import {
  checkChannelId,
  cidOf,
  distinctChannelId,
  type Channel,
} from '../domain/channel.js';
import { channelTypes } from '../domain/channel-types.js';
import { checkCustomData } from '../domain/custom-data.js';
import { inputError, notAllowed, notFound } from '../domain/errors.js';
import { EventType } from '../domain/events.js';
import { FeedKind } from '../domain/feed.js';
import { channelFilterFields } from '../domain/filter/channel-filter-fields.js';
import { parseFilter } from '../domain/filter/filter-parser.js';
import { parseSort } from '../domain/filter/sort-spec.js';
import { checkUserId } from '../domain/user.js';
import type { AppDeps } from './app-deps.js';
import { requireSelf, requireServer, type Caller } from './caller.js';
import { loadChannelState, type ChannelState } from './channel-state.js';
import { publishChatEvents } from './chat-events.js';
import type { NewMember, Stores } from './ports.js';
import type { Watching } from './realtime-ports.js';

export const MAX_CHANNEL_MEMBERS_PER_REQUEST = 100;
/** Channels one POST /channels/read may name (read_by_channel); without names, all unread ones. */
const MAX_CHANNELS_READ = 100;

export interface ChannelDataInput {
  created_by_id?: string;
  members?: NewMember[];
  /** Users invited at creation: members pending until they accept (channel-updates.ts). */
  invites?: NewMember[];
  team?: string;
  frozen?: boolean;
  custom: Record<string, unknown>;
}

export interface GetOrCreateInput {
  type: string;
  /** Absent for a distinct channel, whose id derives from its member set. */
  id?: string;
  data?: ChannelDataInput;
  messages?: { limit?: number; id_lt?: string; id_lte?: string; id_gt?: string; id_gte?: string };
  members?: { limit?: number; offset?: number };
  /** The caller's chat connection, when it asked to watch the channel. */
  watchFrom?: string;
}

export interface QueryChannelsInput {
  filter_conditions?: unknown;
  sort?: unknown;
  limit?: number;
  offset?: number;
  message_limit?: number;
  member_limit?: number;
  user_id?: string;
  /** The caller's chat connection, when it asked to watch the channels. */
  watchFrom?: string;
}

function bounded(value: number | undefined, fallback: number, max: number, field: string): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < 0 || v > max) throw inputError(`${field} must be between 0 and ${max}`, { [field]: 'out of range' });
  return v;
}

export function checkChannelType(type: string): void {
  if (!channelTypes[type]) throw notFound(`channel type "${type}" does not exist`);
}

export class ChannelsService {
  constructor(
    private readonly deps: AppDeps,
    /** The chat connections of this process; absent where no API runs (a worker). */
    private readonly watching?: Watching,
  ) {}

  async getOrCreate(caller: Caller, input: GetOrCreateInput): Promise<ChannelState & { created: boolean }> {
    checkChannelType(input.type);
    const data = input.data ?? { custom: {} };
    checkCustomData(data.custom, 'data', this.deps.customData);
    const members = (data.members ?? []).map((m) => ({ ...m, user_id: checkUserId(m.user_id, 'data.members') }));
    const invites = (data.invites ?? []).map((m) => ({ ...m, user_id: checkUserId(m.user_id, 'data.invites') }));
    for (const m of [...members, ...invites]) checkCustomData(m.custom, `data.members.${m.user_id}`, this.deps.customData);
    if (members.length > MAX_CHANNEL_MEMBERS_PER_REQUEST || invites.length > MAX_CHANNEL_MEMBERS_PER_REQUEST) {
      throw inputError(`at most ${MAX_CHANNEL_MEMBERS_PER_REQUEST} members per request`, { members: 'too many' });
    }
    const id = input.id === undefined ? distinctChannelId(members.map((m) => m.user_id)) : checkChannelId(input.id);
    const cid = cidOf(input.type, id);
    const createdBy = caller.kind === 'user' ? caller.userId : data.created_by_id;
    const now = this.deps.clock.nowMicros();

    const state = await this.deps.storage.transaction(async (stores) => {
      let channel = await stores.channels.get(cid);
      let created = false;
      if (!channel) {
        if (!createdBy) {
          throw inputError(
            'either data.created_by or data.created_by_id must be provided when using server side auth.',
            { created_by: 'required' },
          );
        }
        if (caller.kind === 'user' && members.length > 0 && !members.some((m) => m.user_id === caller.userId)) {
          throw notAllowed(`user "${caller.userId}" cannot create a channel it is not a member of`);
        }
        await this.requireUsers(stores, [createdBy, ...members.map((m) => m.user_id), ...invites.map((m) => m.user_id)]);
        const fresh: Channel = {
          cid,
          type: input.type,
          id,
          created_by_id: createdBy,
          team: data.team ?? null,
          frozen: data.frozen ?? false,
          disabled: false,
          member_count: 0,
          message_count: 0,
          last_message_at: null,
          custom: data.custom,
          created_at: now,
          updated_at: now,
          deleted_at: null,
        };
        ({ channel, created } = await stores.channels.getOrInsert(fresh));
        if (created) {
          const added = members.length > 0 ? await stores.channels.addMembers(cid, members, now) : [];
          const invited = invites.length > 0 ? await stores.channels.addMembers(cid, invites.map((m) => ({ ...m, invited: true })), now) : [];
          channel = { ...channel, member_count: added.length + invited.length };
          await this.recordCreated(stores, channel, members.filter((m) => added.includes(m.user_id)), caller, now);
          if (invited.length > 0) await this.recordInvited(stores, channel, invited, now);
        }
      } else if (caller.kind === 'user' && !(await stores.channels.member(cid, caller.userId))) {
        throw notAllowed(`user "${caller.userId}" is not a member of channel "${cid}"`);
      }
      const state = await loadChannelState(stores, channel, {
        messageLimit: bounded(input.messages?.limit, 25, 300, 'messages.limit'),
        messagePage: input.messages,
        memberLimit: bounded(input.members?.limit, 100, 100, 'members.limit'),
        memberOffset: input.members?.offset,
        viewerId: caller.kind === 'user' ? caller.userId : undefined,
        now,
      });
      return { ...state, created };
    });
    const [watched] = await this.watch(caller, input.watchFrom, [state]);
    return { ...watched, created: state.created };
  }

  async query(caller: Caller, input: QueryChannelsInput): Promise<ChannelState[]> {
    const filter = parseFilter(input.filter_conditions ?? {}, channelFilterFields);
    const sort = parseSort(input.sort, channelFilterFields);
    // A user token sees only its own channels; a server may ask on behalf of a user.
    const memberId = caller.kind === 'user' ? caller.userId : input.user_id;
    if (input.user_id !== undefined) requireSelf(caller, input.user_id, 'query channels');
    const limit = bounded(input.limit, 10, 30, 'limit');
    const offset = bounded(input.offset, 0, 1000, 'offset');
    const messageLimit = bounded(input.message_limit, 25, 300, 'message_limit');
    const memberLimit = bounded(input.member_limit, 100, 100, 'member_limit');
    const stores = this.deps.storage;
    const channels = await stores.channels.query({ filter, sort, limit, offset, memberId });
    const states = await Promise.all(
      channels.map((channel) => loadChannelState(stores, channel, { messageLimit, memberLimit, viewerId: memberId, now: this.deps.clock.nowMicros() })),
    );
    return this.watch(caller, input.watchFrom, states);
  }

  /**
   * Adds the channels to the watch set of the caller's connection (a user's own only), then
   * fills in who watches each, as this process sees it.
   */
  private async watch(caller: Caller, connectionId: string | undefined, states: ChannelState[]): Promise<ChannelState[]> {
    if (!this.watching) return states;
    if (connectionId && caller.kind === 'user') this.watching.watch(connectionId, caller.userId, states.map((s) => s.channel.cid));
    const watcherIds = states.map((s) => this.watching!.watchersOf(s.channel.cid));
    const known = new Map(states.flatMap((s) => s.members.flatMap((m) => (m.user ? [[m.user.id, m.user] as const] : []))));
    const missing = [...new Set(watcherIds.flat().filter((id) => !known.has(id)))];
    for (const user of missing.length > 0 ? await this.deps.storage.users.batchGet(missing) : []) known.set(user.id, user);
    return states.map((s, i) => ({ ...s, watchers: watcherIds[i].flatMap((id) => known.get(id) ?? []) }));
  }

  /** Takes the caller's connection off the channel's watchers (`stop-watching`). */
  stopWatching(caller: Caller, cid: string, connectionId: string | undefined): void {
    if (caller.kind !== 'user') throw inputError('stop-watching needs a user token', { connection_id: 'user only' });
    if (!connectionId) throw inputError('connection_id is required to stop watching', { connection_id: 'required' });
    this.watching?.stopWatching(connectionId, caller.userId, cid);
  }

  async delete(caller: Caller, cid: string, hard: boolean): Promise<Channel> {
    requireServer(caller, 'DeleteChannel');
    const channel = await this.deps.storage.channels.get(cid);
    if (!channel) throw notFound(`channel "${cid}" does not exist`);
    const now = this.deps.clock.nowMicros();
    await this.deps.storage.channels.delete(cid, hard, now);
    return { ...channel, deleted_at: now, updated_at: now };
  }

  /** Hides (or shows) the channel for one user until a new message arrives. */
  async setHidden(caller: Caller, cid: string, userId: string | undefined, hidden: boolean, clearHistory = false): Promise<void> {
    const who = this.actingUser(caller, userId);
    const now = this.deps.clock.nowMicros();
    const found = await this.deps.storage.transaction(async (stores) => {
      if (!(await stores.channels.setHidden(cid, who, hidden, now))) return false;
      // channel.hidden / channel.visible: to the user's own connections (stream-chat sets
      // channel.data.hidden from them) and to webhooks.
      const channel = await stores.channels.get(cid);
      const [user] = await stores.users.batchGet([who]);
      if (channel) {
        await publishChatEvents(this.deps, stores, [{
          type: hidden ? 'channel.hidden' : 'channel.visible', created_at: now, channel, with_channel: true,
          user: { id: who, user: user ?? null }, notify: [who], to_watchers: false,
          ...(hidden && { fields: { clear_history: clearHistory } }),
        }]);
      }
      return true;
    });
    if (!found) await this.memberOrThrow(cid, who);
  }

  async markRead(caller: Caller, cid: string, userId: string | undefined): Promise<{ user_id: string; at: number; channel: Channel }> {
    const who = this.actingUser(caller, userId);
    const at = this.deps.clock.nowMicros();
    const channel = await this.deps.storage.channels.get(cid);
    if (!channel) throw notFound(`channel "${cid}" does not exist`);
    const read = await this.deps.storage.transaction(async (stores) => {
      if (!(await stores.channels.markRead(cid, who, at))) return false;
      // Campaign messages in this channel now count as read by this user (stats_users_read).
      if (channel.message_count > 0) await stores.campaignTargets.markRead(cid, who, at);
      await stores.feed.append({ kind: FeedKind.read, cid, user_id: who, at }, at);
      return true;
    });
    if (!read) await this.memberOrThrow(cid, who);
    return { user_id: who, at, channel };
  }

  /**
   * Marks many channels read at once (`POST /channels/read`): those named in `read_by_channel`
   * (each must be one of the user's), or else every channel of the user's with unread messages,
   * which leaves it nothing unread. Each is read as by markRead, with its own read row, so that
   * the reader's connections hear notification.mark_read and the watchers message.read, and the
   * last one carries unread counts of zero (stream-chat then clears every channel it holds). The
   * message ids of `read_by_channel` are not used: the whole channel is read, as markRead does.
   */
  async markChannelsRead(caller: Caller, userId: string | undefined, readByChannel?: Record<string, string>): Promise<{ user_id: string; at: number; cids: string[] }> {
    const who = this.actingUser(caller, userId);
    const named = readByChannel && Object.keys(readByChannel);
    if (named && named.length > MAX_CHANNELS_READ) {
      throw inputError(`read_by_channel names at most ${MAX_CHANNELS_READ} channels`, { read_by_channel: 'too many' });
    }
    const at = this.deps.clock.nowMicros();
    const cids = await this.deps.storage.transaction(async (stores) => {
      const cids = named && named.length > 0 ? named : (await stores.channels.unreadChannels(who)).map((c) => c.cid);
      const missing: string[] = [];
      for (const cid of cids) {
        // False for a channel that does not exist as for one the user is not a member of.
        if (!(await stores.channels.markRead(cid, who, at))) {
          missing.push(cid);
          continue;
        }
        await stores.campaignTargets.markRead(cid, who, at);
        await stores.feed.append({ kind: FeedKind.read, cid, user_id: who, at }, at);
      }
      if (missing.length > 0) {
        throw inputError(`user "${who}" is not a member of these channels: ${missing.join(', ')}`, { read_by_channel: 'not a member' });
      }
      return cids;
    });
    return { user_id: who, at, cids };
  }

  /**
   * channel.created and member.added for each first member (webhooks), and the chat feed row
   * that tells connected members they were added, in the creating transaction.
   */
  private async recordCreated(stores: Stores, channel: Channel, members: NewMember[], caller: Caller, now: number): Promise<void> {
    const users = new Map((await stores.users.batchGet([channel.created_by_id ?? '', ...members.map((m) => m.user_id)])).map((u) => [u.id, u]));
    await this.deps.events.record(stores, [
      { type: EventType.channelCreated, channel, createdBy: users.get(channel.created_by_id ?? '') ?? null },
      ...members.map((m) => ({
        type: EventType.memberAdded,
        channel,
        member: { user_id: m.user_id, channel_role: m.channel_role, created_at: now },
        user: users.get(m.user_id) ?? null,
      })),
    ]);
    if (members.length > 0) {
      const by = caller.kind === 'user' ? caller.userId : null;
      await stores.feed.append({ kind: FeedKind.membersAdded, cid: channel.cid, user_ids: members.map((m) => m.user_id), by, at: now }, now);
    }
  }

  /** member.added (watchers, webhooks) and notification.invited (the invitee) for invites made at creation. */
  private async recordInvited(stores: Stores, channel: Channel, userIds: string[], now: number): Promise<void> {
    const users = new Map((await stores.users.batchGet(userIds)).map((u) => [u.id, u]));
    const members = await stores.members.batchGet(channel.cid, userIds);
    await publishChatEvents(this.deps, stores, members.flatMap((m) => {
      const member = { member: m, user: users.get(m.user_id) ?? null };
      const user = { id: m.user_id, user: member.user };
      return [
        { type: 'member.added', created_at: now, channel, member, user },
        { type: 'notification.invited', created_at: now, channel, with_channel: true, member, user, notify: [m.user_id], to_watchers: false, webhook: false },
      ];
    }));
  }

  private actingUser(caller: Caller, userId: string | undefined): string {
    if (caller.kind === 'user') {
      if (userId !== undefined) requireSelf(caller, userId, 'act');
      return caller.userId;
    }
    if (!userId) throw inputError('user_id is a required field when using server side auth', { user_id: 'required' });
    return userId;
  }

  private async memberOrThrow(cid: string, userId: string): Promise<never> {
    if (!(await this.deps.storage.channels.get(cid))) throw notFound(`channel "${cid}" does not exist`);
    throw inputError(`user "${userId}" is not a member of channel "${cid}"`, { user_id: 'not a member' });
  }

  private async requireUsers(stores: Stores, ids: string[]): Promise<void> {
    const unique = [...new Set(ids)];
    const found = new Set((await stores.users.batchGet(unique)).filter((u) => u.deleted_at === null).map((u) => u.id));
    const missing = unique.filter((id) => !found.has(id));
    if (missing.length > 0) {
      throw inputError(`the following users don't exist: ${missing.join(', ')}`, { members: 'unknown users' });
    }
  }
}
