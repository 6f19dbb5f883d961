import { randomBytes } from 'node:crypto';
import type { MemberWithUser } from '../app/channel-state.js';
import type { ChatNotice } from '../app/chat-feed.js';
import type { ChannelEvent, UnreadCounts } from '../app/realtime-ports.js';
import { splitCid, type Channel } from '../domain/channel.js';
import type { Micros } from '../domain/clock.js';
import type { ChatEvent } from '../domain/chat-event.js';
import type { MuteWithUsers } from '../domain/moderation.js';
import type { User } from '../domain/user.js';
import { encodeChatEvent } from './chat-event-encoding.js';
import type { ChannelMuteView } from '../domain/channel-mute.js';
import { encodeChannelMute } from './channel-mute-encoding.js';
import { encodeMute } from './moderation-encoding.js';
import { legacyWire as wire, WireEncoder } from './wire-encoder.js';

/**
 * Stream's realtime events, as chat clients receive them over the WebSocket or long-poll:
 * the legacy encoding (RFC 3339 times, custom fields flattened), like Stream's own.
 */

type MessageNotice = Extract<ChatNotice, { kind: 'message' }>;
type AddedNotice = Extract<ChatNotice, { kind: 'added' }>;
type ReadNotice = Extract<ChatNotice, { kind: 'read' }>;

const channelRef = (c: Pick<Channel, 'cid' | 'id' | 'type'>) => ({ cid: c.cid, channel_id: c.id, channel_type: c.type });

/** The legacy encoding with each time formatted once: a batch's thousands of events share a few. */
class MemoizedWire extends WireEncoder {
  private readonly times = new Map<Micros, string>();

  override time(micros: Micros): string;
  override time(micros: Micros | null | undefined): string | null;
  override time(micros: Micros | null | undefined): string | bigint | null {
    if (micros === null || micros === undefined) return null;
    let formatted = this.times.get(micros);
    if (formatted === undefined) this.times.set(micros, (formatted = super.time(micros) as string));
    return formatted;
  }
}

// Fragment markers carry this process's nonce, so that no user-supplied string can pass for one.
const NONCE = randomBytes(6).toString('hex');
const MARKER = `"\\u0001${NONCE}`;
const MARKERS = new RegExp(`"\\\\u0001${NONCE}(\\d+)"`, 'g');

/**
 * JSON that many events of one stretch share, serialized once and spliced into the text of
 * each (Node 20 has no JSON.rawJSON). A campaign's notification.message_new is ~2.6 KB, of
 * which the sender (three times), the channel type's config and the capabilities are ~1.6 KB:
 * splicing them roughly halves what JSON.stringify walks per recipient.
 */
class Fragments {
  private readonly texts: string[] = [];
  private readonly stands = new Map<unknown, object>();

  /** A stand-in for `value`: it serializes as a marker that `stringify` replaces with the JSON of `value`. */
  of(value: unknown): object {
    let stand = this.stands.get(value);
    if (!stand) {
      const marker = `\u0001${NONCE}${this.texts.length}`;
      this.texts.push(JSON.stringify(value));
      this.stands.set(value, (stand = { toJSON: () => marker }));
    }
    return stand;
  }

  stringify(value: unknown): string {
    const json = JSON.stringify(value);
    return json.includes(MARKER) ? json.replace(MARKERS, (_, index: string) => this.texts[Number(index)]) : json;
  }
}

/**
 * Encodes the events of one stretch of the feed. Objects that many events share (a campaign's
 * sender, the times of a batch, a channel type's config) are encoded once; use a fresh encoder
 * per stretch, as users change between them. Its events become text through `json` only.
 */
export class ChatEventEncoder {
  private readonly wire = new MemoizedWire('legacy');
  private readonly fragments = new Fragments();
  private readonly users = new Map<string, object>();

  /** An event of this encoder as JSON text, its shared parts spliced in. */
  json(event: object): string {
    return this.fragments.stringify(event);
  }

  /** An event of this encoder for many recipients, each with their own unread counts. */
  frame(event: object): SharedFrame {
    return new SharedFrame(this.json(event));
  }

  private user(user: User | null, id: string): object {
    let encoded = this.users.get(id);
    if (!encoded) this.users.set(id, (encoded = this.fragments.of(this.wire.userOrStub(user, id))));
    return encoded;
  }

  /** A channel as events carry it, with its members when the event lists them. */
  private channel(c: Channel, creator: User | null, members?: MemberWithUser[]) {
    const encoded = this.wire.channel(c, null);
    return {
      ...encoded,
      config: this.fragments.of(encoded.config),
      own_capabilities: this.fragments.of(encoded.own_capabilities),
      ...(c.created_by_id !== null && { created_by: this.user(creator, c.created_by_id) }),
      ...(members && { members: members.map((m) => this.member(m)) }),
    };
  }

  private member(m: MemberWithUser) {
    return { ...this.wire.member(m), user: this.user(m.user, m.member.user_id) };
  }

  messageEvent(type: 'message.new' | 'notification.message_new' | 'message.updated' | 'message.deleted', { message, author, channel }: MessageNotice, watcherCount: number) {
    const user = this.user(author, message.user_id);
    return {
      type,
      ...channelRef(channel),
      ...(type === 'notification.message_new' && { channel: this.channel(channel, channel.created_by_id === message.user_id ? author : null) }),
      message_id: message.id,
      message: this.wire.message({ message, user: author }, user),
      user,
      watcher_count: watcherCount,
      channel_member_count: channel.member_count,
      ...(channel.last_message_at !== null && { channel_last_message_at: this.wire.time(channel.last_message_at) }),
      created_at: this.wire.time(message.created_at),
    };
  }

  /** notification.added_to_channel for the member, member.added for the channel's watchers. */
  addedEvents({ channel, members, member }: AddedNotice) {
    const creator = members.find((m) => m.member.user_id === channel.created_by_id)?.user ?? null;
    const base = {
      ...channelRef(channel),
      member: this.member(member),
      user: this.user(member.user, member.member.user_id),
      created_at: this.wire.time(member.member.created_at),
    };
    return {
      notification: { type: 'notification.added_to_channel', ...base, channel: this.channel(channel, creator, members) },
      watchers: { type: 'member.added', ...base },
    };
  }

  /** notification.mark_read for the reader's connections, message.read for the watchers. */
  readEvents({ channel, reader, readerId, at }: ReadNotice) {
    const base = { ...channelRef(channel), user: this.user(reader, readerId), created_at: this.wire.time(at) };
    return {
      notification: { type: 'notification.mark_read', ...base, channel: this.channel(channel, null) },
      watchers: { type: 'message.read', ...base },
    };
  }

  chatEvent(event: ChatEvent) {
    return encodeChatEvent(this.wire, event);
  }

  channelEvent(cid: string, event: ChannelEvent) {
    return {
      type: event.type,
      ...channelRef({ cid, ...splitCid(cid) }),
      user: this.user(event.user, event.user.id),
      ...(event.parent_id !== undefined && { parent_id: event.parent_id }),
      created_at: this.wire.time(event.created_at),
    };
  }
}

/**
 * An event for many recipients, encoded once: each recipient's frame is this JSON with its
 * own unread counts spliced in before the closing brace (the fields Stream adds per user).
 */
export class SharedFrame {
  private readonly head: string;

  /** `json`: the event's text (`ChatEventEncoder.frame` makes one). */
  constructor(json: string) {
    this.head = json.slice(0, -1);
  }

  for(unread: UnreadCounts | undefined): string {
    if (!unread) return `${this.head}}`;
    return `${this.head},"total_unread_count":${unread.messages},"unread_channels":${unread.channels},"unread_count":${unread.messages}}`;
  }
}

/** The health check: the first frame of a connection (with `me`) and the answer to each ping. */
export function healthCheck(
  connectionId: string,
  at: Micros,
  me?: { user: User; unread: UnreadCounts; mutes?: MuteWithUsers[]; blocked_user_ids?: string[]; channel_mutes?: ChannelMuteView[] },
): Record<string, unknown> {
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
        mutes: me.mutes?.map((m) => encodeMute(wire, m)) ?? [],
        channel_mutes: me.channel_mutes?.map((m) => encodeChannelMute(wire, m, me.user)) ?? [],
        blocked_user_ids: me.blocked_user_ids ?? [],
        total_unread_count: me.unread.messages,
        unread_count: me.unread.messages,
        unread_channels: me.unread.channels,
        unread_threads: 0,
      },
    }),
  };
}
