import type { Channel, ChannelMember } from './channel.js';
import type { ChannelMuteView } from './channel-mute.js';
import type { Micros } from './clock.js';
import type { Message, Reaction } from './message.js';
import type { OwnUserState } from './moderation.js';
import type { User } from './user.js';

/**
 * A chat event of Stream's (channel.updated, member.removed, reaction.new, user.banned, a
 * custom event…), as the change that caused it describes it: the objects it carries and who
 * must hear it. One shape for every such event, so that each operation only says what
 * happened; webhooks and chat connections encode it the same way (wire/chat-event-encoding.ts).
 * It is stored as JSON in the chat feed, so it holds plain data only.
 */
export interface ChatEvent {
  type: string;
  created_at: Micros;
  /** The channel it concerns; its watchers hear it unless `to_watchers` is false. */
  channel?: Channel;
  /** Carry the whole channel object (channel.updated, channel.truncated, notification.*). */
  with_channel?: boolean;
  /** Who acted, or whom a user.* event concerns. */
  user?: { id: string; user: User | null };
  message?: { message: Message; author: User | null };
  member?: { member: ChannelMember; user: User | null };
  reaction?: { reaction: Reaction; user: User | null };
  /** Other users the event names, by field: created_by, target_user, target_users… */
  users?: Record<string, { id: string; user: User | null } | Array<{ id: string; user: User | null }>>;
  /** The notified user's own state, Stream's `me` (notification.mutes_updated). */
  me?: OwnUserState;
  /** The notified user with its channel mutes, sent as `me` (notification.channel_mutes_updated). */
  channel_mutes?: { user: User; mutes: ChannelMuteView[] };
  /** Close the connections of the `notify` users once they have it (user.deactivated). */
  disconnect?: boolean;
  /** Plain fields added as they are: hard_delete, reason, expiration, shadow, a custom event's data. */
  fields?: Record<string, unknown>;
  /** Users whose every connection hears it, watching the channel or not. */
  notify?: string[];
  to_watchers?: boolean;
  /** Also to webhooks (default true); false for events only clients care about. */
  webhook?: boolean;
}
