import { Type, type Static } from '@sinclair/typebox';
import type { NewMember } from '../app/ports.js';
import { ChannelRole } from '../domain/channel.js';
import { memberReservedFields } from '../domain/channel-member.js';
import { inputError } from '../domain/errors.js';
import { customOf } from '../wire/wire-encoder.js';

/**
 * A member as requests name one, everywhere (channel creation, add_members, invites): a user
 * id, or a member object, `{user_id, channel_role?, ...custom}` on the legacy wire,
 * `{user_id, channel_role?, custom?}` on v2 (node-sdk's ChannelMemberRequest), or
 * `{user: {id}}` without user_id.
 */
export const MemberSchema = Type.Union([
  Type.String(),
  Type.Object(
    {
      user_id: Type.Optional(Type.String()),
      user: Type.Optional(Type.Object({ id: Type.String() }, { additionalProperties: true })),
      channel_role: Type.Optional(Type.String()),
      custom: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    },
    { additionalProperties: true },
  ),
]);

export type MemberBody = Static<typeof MemberSchema>;

export function toNewMember(m: MemberBody, field: string): NewMember {
  if (typeof m === 'string') return { user_id: m, channel_role: ChannelRole.member };
  if (m.user_id !== undefined && m.user !== undefined && m.user.id !== m.user_id) {
    throw inputError(`${field}: a member's user_id and user.id disagree`, { [field]: 'conflict' });
  }
  const userId = m.user_id ?? m.user?.id;
  if (userId === undefined) throw inputError(`${field}: each member needs a user_id (or user.id)`, { [field]: 'no user id' });
  const custom = customOf(m, memberReservedFields);
  return { user_id: userId, channel_role: m.channel_role ?? ChannelRole.member, ...(Object.keys(custom).length > 0 && { custom }) };
}

export const toNewMembers = (members: readonly MemberBody[] | undefined, field: string): NewMember[] | undefined =>
  members?.map((m) => toNewMember(m, field));
