import type { ChatEvent } from '../domain/chat-event.js';
import { encodeOwnChannelMutes } from './channel-mute-encoding.js';
import { encodeOwnUser } from './moderation-encoding.js';
import type { WireEncoder } from './wire-encoder.js';

/** A ChatEvent as Stream's event object, for webhooks and chat connections alike (legacy encoding). */
export function encodeChatEvent(wire: WireEncoder, e: ChatEvent): Record<string, unknown> {
  const { channel, message, member, reaction, user } = e;
  return {
    type: e.type,
    ...(channel && { cid: channel.cid, channel_id: channel.id, channel_type: channel.type }),
    ...(channel && e.with_channel && { channel: wire.channel(channel, null) }),
    ...(user && { user: wire.userOrStub(user.user, user.id) }),
    ...(message && { message_id: message.message.id, message: wire.message({ message: message.message, user: message.author }) }),
    ...(member && { member: wire.member(member) }),
    ...(reaction && { reaction: wire.reaction(reaction.reaction, reaction.user) }),
    ...(channel && { channel_member_count: channel.member_count }),
    ...(e.users && Object.fromEntries(Object.entries(e.users).map(([field, u]) => [
      field, Array.isArray(u) ? u.map((one) => wire.userOrStub(one.user, one.id)) : wire.userOrStub(u.user, u.id),
    ]))),
    ...(e.me && { me: encodeOwnUser(wire, e.me) }),
    ...(e.channel_mutes && { me: encodeOwnChannelMutes(wire, e.channel_mutes.user, e.channel_mutes.mutes) }),
    ...e.fields,
    created_at: wire.time(e.created_at),
  };
}
