import type { MemberWithUser } from '../app/channel-state.js';
import type { ChatNotice } from '../app/chat-feed.js';
import type { ChannelEvent, UnreadCounts } from '../app/realtime-ports.js';
import { splitCid, type Channel } from '../domain/channel.js';
import type { Micros } from '../domain/clock.js';
import type { User } from '../domain/user.js';
import { legacyWire as wire } from './wire-encoder.js';

/**
 * Stream's realtime events, as chat clients receive them over the WebSocket or long-poll:
 * the legacy encoding (RFC 3339 times, custom fields flattened), like Stream's own.
 */

type MessageNotice = Extract<ChatNotice, { kind: 'message' }>;
type AddedNotice = Extract<ChatNotice, { kind: 'added' }>;
type ReadNotice = Extract<ChatNotice, { kind: 'read' }>;

const channelRef = (c: Pick<Channel, 'cid' | 'id' | 'type'>) => ({ cid: c.cid, channel_id: c.id, channel_type: c.type });

/** A channel as events carry it, with its members when the event lists them. */
const channelOf = (c: Channel, members?: MemberWithUser[]) => ({
  ...wire.channel(c, null),
  ...(members && { members: members.map((m) => wire.member(m)) }),
});

/**
 * An event for many recipients, encoded once: each recipient's frame is this JSON with its
 * own unread counts spliced in before the closing brace (the fields Stream adds per user).
 */
export class SharedFrame {
  private readonly head: string;

  constructor(event: Record<string, unknown>) {
    const json = JSON.stringify(event);
    this.head = json.slice(0, -1);
  }

  for(unread: UnreadCounts | undefined): string {
    if (!unread) return `${this.head}}`;
    return `${this.head},"total_unread_count":${unread.messages},"unread_channels":${unread.channels},"unread_count":${unread.messages}}`;
  }
}

export function messageEvent(
  type: 'message.new' | 'notification.message_new',
  { message, author, channel }: MessageNotice,
  watcherCount: number,
): Record<string, unknown> {
  const user = wire.userOrStub(author, message.user_id);
  return {
    type,
    ...channelRef(channel),
    ...(type === 'notification.message_new' && { channel: channelOf(channel) }),
    message_id: message.id,
    message: wire.message({ message, user: author }, user),
    user,
    watcher_count: watcherCount,
    channel_member_count: channel.member_count,
    ...(channel.last_message_at !== null && { channel_last_message_at: wire.time(channel.last_message_at) }),
    created_at: wire.time(message.created_at),
  };
}

export function addedEvents({ channel, members, member }: AddedNotice): { notification: Record<string, unknown>; watchers: Record<string, unknown> } {
  const base = {
    ...channelRef(channel),
    member: wire.member(member),
    user: wire.userOrStub(member.user, member.member.user_id),
    created_at: wire.time(member.member.created_at),
  };
  return {
    notification: { type: 'notification.added_to_channel', ...base, channel: channelOf(channel, members) },
    watchers: { type: 'member.added', ...base },
  };
}

export function readEvents({ channel, reader, readerId, at }: ReadNotice): { notification: Record<string, unknown>; watchers: Record<string, unknown> } {
  const base = { ...channelRef(channel), user: wire.userOrStub(reader, readerId), created_at: wire.time(at) };
  return {
    notification: { type: 'notification.mark_read', ...base, channel: channelOf(channel) },
    watchers: { type: 'message.read', ...base },
  };
}

export function channelEvent(cid: string, event: ChannelEvent): Record<string, unknown> {
  return {
    type: event.type,
    ...channelRef({ cid, ...splitCid(cid) }),
    user: wire.user(event.user),
    ...(event.parent_id !== undefined && { parent_id: event.parent_id }),
    created_at: wire.time(event.created_at),
  };
}

/** The health check: the first frame of a connection (with `me`) and the answer to each ping. */
export function healthCheck(connectionId: string, at: Micros, me?: { user: User; unread: UnreadCounts }): Record<string, unknown> {
  return {
    type: 'health.check',
    connection_id: connectionId,
    cid: '*',
    created_at: wire.time(at),
    ...(me && {
      me: {
        ...wire.user(me.user),
        // Arrays, never null: the client iterates them on every health check.
        devices: [],
        mutes: [],
        channel_mutes: [],
        blocked_user_ids: [],
        total_unread_count: me.unread.messages,
        unread_count: me.unread.messages,
        unread_channels: me.unread.channels,
        unread_threads: 0,
      },
    }),
  };
}
