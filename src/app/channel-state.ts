import type { Channel, ChannelMember } from '../domain/channel.js';
import type { Micros } from '../domain/clock.js';
import type { Message } from '../domain/message.js';
import type { User } from '../domain/user.js';
import { reactionsOf } from './message-reactions.js';
import type { Stores } from './ports.js';

export interface MemberWithUser {
  member: ChannelMember;
  user: User | null;
}

export interface MessageWithUser {
  message: Message;
  user: User | null;
}

export interface ReadState {
  user: User | null;
  user_id: string;
  /** When the member last read the channel, or joined it if it never did. */
  last_read: Micros;
  /** Messages by others since then: the client's unread count of the channel. */
  unread_messages: number;
}

/** A channel as Stream's ChannelState returns it: the channel plus one page of members and messages. */
export interface ChannelState {
  channel: Channel;
  created_by: User | null;
  members: MemberWithUser[];
  messages: MessageWithUser[];
  read: ReadState[];
  membership: MemberWithUser | null;
  /** Users watching the channel (through this process's chat connections). */
  watchers: User[];
  /** The newest pins, oldest first (Stream's state.pinned_messages). */
  pinned_messages?: MessageWithUser[];
}

/** Pins a channel's state carries; GET /channels/{type}/{id}/pinned_messages pages the rest. */
export const PINNED_IN_STATE = 10;

export interface StateOptions {
  messageLimit: number;
  memberLimit: number;
  memberOffset?: number;
  messagePage?: { id_lt?: string; id_lte?: string; id_gt?: string; id_gte?: string };
  /** The user whose membership is reported (user tokens, or query_channels' user_id). */
  viewerId?: string;
  /** Pins that expired before `now` are left out; without it, none is. */
  now?: Micros;
}

/** Loads members, messages and the users they name, with one user lookup for all of them. */
export async function loadChannelState(stores: Stores, channel: Channel, options: StateOptions): Promise<ChannelState> {
  const members =
    options.memberLimit > 0 ? await stores.channels.members(channel.cid, options.memberLimit, options.memberOffset ?? 0) : [];
  const messages =
    options.messageLimit > 0
      ? await stores.messages.history(channel.cid, { limit: options.messageLimit, ...options.messagePage })
      : [];
  // The messages_pinned index: a few rows, when any.
  const pinned = (
    await stores.messageQueries.pinned(channel.cid, { limit: PINNED_IN_STATE, offset: 0, now: options.now ?? 0, direction: -1 })
  ).reverse();
  const viewer = options.viewerId
    ? (members.find((m) => m.user_id === options.viewerId) ??
      (await stores.channels.member(channel.cid, options.viewerId)))
    : undefined;
  const userIds = [
    ...members.map((m) => m.user_id),
    ...messages.map((m) => m.user_id),
    ...pinned.map((m) => m.user_id),
    ...(channel.created_by_id ? [channel.created_by_id] : []),
    ...(viewer ? [viewer.user_id] : []),
  ];
  const [users, unread] = await Promise.all([
    stores.users.batchGet(userIds).then((found) => new Map(found.map((u) => [u.id, u]))),
    stores.channels.memberUnreadCounts(channel.cid, members.map((m) => m.user_id)),
  ]);
  const userOf = (id: string) => users.get(id) ?? null;
  // latest_reactions and own_reactions: one read for the page and its pins, none when nothing in them has a reaction.
  const reacted = await reactionsOf(stores, [...messages, ...pinned], options.viewerId);
  return {
    channel,
    created_by: channel.created_by_id ? userOf(channel.created_by_id) : null,
    members: members.map((member) => ({ member, user: userOf(member.user_id) })),
    messages: messages.map((message) => ({ message: reacted(message), user: userOf(message.user_id) })),
    pinned_messages: pinned.map((message) => ({ message: reacted(message), user: userOf(message.user_id) })),
    // Every member, read or not: stream-chat takes a missing entry as "read up to now".
    read: members.map((m) => ({
      user: userOf(m.user_id),
      user_id: m.user_id,
      last_read: m.last_read_at ?? m.created_at,
      unread_messages: unread.get(m.user_id) ?? 0,
    })),
    membership: viewer ? { member: viewer, user: userOf(viewer.user_id) } : null,
    watchers: [],
  };
}
