import type { ChannelMuteView } from '../domain/channel-mute.js';
import type { User } from '../domain/user.js';
import type { WireEncoder } from './wire-encoder.js';

/** Stream's ChannelMute: who muted which channel, until when (`expires`, absent for ever). */
export function encodeChannelMute(wire: WireEncoder, { mute, channel }: ChannelMuteView, user: User | null): Record<string, unknown> {
  return {
    user: wire.userOrStub(user, mute.user_id),
    ...(channel && { channel: wire.channel(channel, null) }),
    created_at: wire.time(mute.created_at),
    updated_at: wire.time(mute.updated_at),
    ...(mute.expires_at !== null && { expires: wire.time(mute.expires_at) }),
  };
}

/**
 * The user with its channel mutes: `me` of notification.channel_mutes_updated (stream-chat sets
 * its muted channels from `me.channel_mutes`) and `own_user` of a channel mute.
 */
export function encodeOwnChannelMutes(wire: WireEncoder, user: User, mutes: readonly ChannelMuteView[]): Record<string, unknown> {
  return { ...wire.user(user), channel_mutes: mutes.map((m) => encodeChannelMute(wire, m, user)) };
}
