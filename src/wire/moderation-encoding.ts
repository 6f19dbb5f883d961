import type { BanWithObjects } from '../app/user-bans.js';
import type { MuteWithUsers, OwnUserState, UserBlock } from '../domain/moderation.js';
import type { User } from '../domain/user.js';
import type { WireEncoder } from './wire-encoder.js';

/** Stream's mute object (MuteResponse / UserMuteResponse): who muted whom, until when. */
export function encodeMute(wire: WireEncoder, { mute, user, target }: MuteWithUsers): Record<string, unknown> {
  return {
    user: wire.userOrStub(user, mute.user_id),
    target: wire.userOrStub(target, mute.target_id),
    created_at: wire.time(mute.created_at),
    updated_at: wire.time(mute.updated_at),
    ...(mute.expires_at !== null && { expires: wire.time(mute.expires_at) }),
  };
}

/**
 * Stream's OwnUser: the user with its mutes and blocks, as `me` of health.check and
 * notification.mutes_updated and `own_user` of a mute. Unread counts and channel mutes are
 * the caller's to add (a client sets its muted channels from channel_mutes events only).
 */
export function encodeOwnUser(wire: WireEncoder, me: OwnUserState): Record<string, unknown> {
  return {
    ...wire.user(me.user),
    // Arrays, never null: the client iterates them on every health check.
    devices: [],
    mutes: me.mutes.map((m) => encodeMute(wire, m)),
    blocked_user_ids: me.blocked_user_ids,
  };
}

/** One entry of queryBannedUsers' `bans` (BanResponse). */
export function encodeBan(wire: WireEncoder, { ban, user, bannedBy, channel }: BanWithObjects): Record<string, unknown> {
  return {
    user: wire.userOrStub(user, ban.user_id),
    ...(ban.banned_by_id !== null && { banned_by: wire.userOrStub(bannedBy, ban.banned_by_id) }),
    ...(channel && { channel: wire.channel(channel, null) }),
    ...(ban.reason !== null && { reason: ban.reason }),
    ...(ban.expires_at !== null && { expires: wire.time(ban.expires_at) }),
    shadow: ban.shadow,
    ip_ban: ban.ip_ban,
    created_at: wire.time(ban.created_at),
  };
}

/** A block as GET /users/block lists it (BlockedUserResponse). */
export function encodeBlock(wire: WireEncoder, block: UserBlock, user: User | null, blocked: User | null): Record<string, unknown> {
  return {
    user_id: block.user_id,
    user: wire.userOrStub(user, block.user_id),
    blocked_user_id: block.blocked_user_id,
    blocked_user: wire.userOrStub(blocked, block.blocked_user_id),
    created_at: wire.time(block.created_at),
  };
}
