import { ChannelRole, type Channel, type ChannelMember } from './channel.js';
import type { Micros } from './clock.js';
import { inputError, notAllowed } from './errors.js';

/** Member fields that are never custom data, on either wire encoding. */
export const memberReservedFields = new Set([
  'user_id', 'user', 'channel_role', 'role', 'is_moderator', 'created_at', 'updated_at', 'deleted_at',
  'banned', 'shadow_banned', 'ban_expires', 'notifications_muted', 'invited', 'invite_accepted_at',
  'invite_rejected_at', 'status', 'archived_at', 'pinned_at', 'archived', 'pinned', 'hidden',
  'last_read_at', 'custom', 'cid', 'channel',
]);

// Stream's channel roles are names: channel_member, channel_moderator, or an app's own.
const CHANNEL_ROLE = /^[\w-]{1,64}$/;

export function checkChannelRole(role: unknown, field: string): string {
  if (typeof role !== 'string' || !CHANNEL_ROLE.test(role)) {
    throw inputError(`${field} must be a channel role: 1 to 64 letters, digits, _ or -`, { [field]: 'invalid channel role' });
  }
  return role;
}

/** Stream's invite status of a member (query members' `invite` field, the member's `status`). */
export type InviteStatus = 'pending' | 'accepted' | 'rejected' | 'member';

export function inviteStatus(m: ChannelMember): InviteStatus {
  if (m.invite_rejected_at != null) return 'rejected';
  if (m.invite_accepted_at != null) return 'accepted';
  return m.invited ? 'pending' : 'member';
}

/** An invited member that has neither accepted nor rejected: not in the channel yet. */
export const isPendingInvite = (m: ChannelMember) => inviteStatus(m) === 'pending';

/**
 * Who may change a channel and its members with a user token: its creator (Stream's owner) and
 * its moderators. Everything else a user does to a channel concerns its own membership.
 */
export function isChannelAdmin(channel: Channel, userId: string, member: ChannelMember | undefined): boolean {
  if (channel.created_by_id === userId) return true;
  if (!member || isPendingInvite(member)) return false;
  return member.channel_role === ChannelRole.moderator || member.channel_role === ChannelRole.owner;
}

/**
 * A partial member update (`PATCH /channels/{type}/{id}/member`): `set` wins over `unset` for
 * the same key, as in Stream. `archived` and `pinned` are the member's own flags (stream-chat's
 * archive() and pin()); `channel_role` only the server may change; any other name is custom
 * data of the membership, and `custom` (the v2 form) sets several at once.
 */
export function applyMemberPatch(
  member: ChannelMember,
  set: Record<string, unknown>,
  unset: readonly string[],
  now: Micros,
  mayChangeRole: boolean,
): ChannelMember {
  const next: ChannelMember = { ...member, custom: { ...member.custom }, updated_at: now };
  const roleChange = () => {
    if (!mayChangeRole) throw notAllowed('only the server may change a member\'s channel_role');
  };
  for (const key of unset) {
    if (typeof key !== 'string') throw inputError('unset must be a list of field names', { unset: 'invalid' });
    if (key === 'archived') next.archived_at = null;
    else if (key === 'pinned') next.pinned_at = null;
    else if (key === 'channel_role') {
      roleChange();
      next.channel_role = ChannelRole.member;
    } else if (memberReservedFields.has(key)) throw inputError(`${key} cannot be unset`, { unset: key });
    else delete next.custom![key];
  }
  for (const [key, value] of Object.entries(set)) {
    switch (key) {
      case 'archived':
      case 'pinned': {
        if (typeof value !== 'boolean') throw inputError(`set.${key} must be true or false`, { [key]: 'not a boolean' });
        const column = key === 'archived' ? 'archived_at' : 'pinned_at';
        next[column] = value ? (member[column] ?? now) : null;
        break;
      }
      case 'channel_role':
        roleChange();
        next.channel_role = checkChannelRole(value, 'set.channel_role');
        break;
      case 'custom':
        if (!value || typeof value !== 'object' || Array.isArray(value)) {
          throw inputError('set.custom must be an object', { custom: 'not an object' });
        }
        Object.assign(next.custom!, value);
        break;
      default:
        if (memberReservedFields.has(key)) throw inputError(`${key} cannot be set on a member`, { set: key });
        next.custom![key] = value;
    }
  }
  return next;
}
