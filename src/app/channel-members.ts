import { cidOf, distinctChannelId } from '../domain/channel.js';
import { applyMemberPatch } from '../domain/channel-member.js';
import { checkCustomData } from '../domain/custom-data.js';
import { inputError, notAllowed, notFound } from '../domain/errors.js';
import { and, compare, FieldKind, type FilterNode } from '../domain/filter/filter-ast.js';
import { parseFilter } from '../domain/filter/filter-parser.js';
import { memberFilterFields } from '../domain/filter/member-filter-fields.js';
import { parseSort } from '../domain/filter/sort-spec.js';
import { parseTime } from '../domain/time.js';
import { checkUserId } from '../domain/user.js';
import type { AppDeps } from './app-deps.js';
import type { Caller } from './caller.js';
import { actingUserOf, lockedChannel, requireMember, usersById } from './channel-access.js';
import type { MemberWithUser } from './channel-state.js';
import { checkChannelType } from './channels.js';
import { publishChatEvents } from './chat-events.js';

/** `GET /members?payload=…`: stream-chat's channel.queryMembers, node-sdk's queryMembers. */
export interface QueryMembersInput {
  type?: unknown;
  id?: unknown;
  /** A distinct channel (no id) is named by its members, as stream-chat sends them. */
  members?: unknown;
  filter_conditions?: unknown;
  sort?: unknown;
  limit?: unknown;
  offset?: unknown;
  user_id?: unknown;
  created_at_after?: unknown;
  created_at_after_or_equal?: unknown;
  created_at_before?: unknown;
  created_at_before_or_equal?: unknown;
  user_id_gt?: unknown;
  user_id_gte?: unknown;
  user_id_lt?: unknown;
  user_id_lte?: unknown;
}

export const MAX_MEMBERS_LIMIT = 300;
export const MAX_MEMBERS_OFFSET = 1000;

function bounded(value: unknown, fallback: number, max: number, field: string): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) throw inputError(`${field} must be between 0 and ${max}`, { [field]: 'out of range' });
  return v;
}

/** The paging options of QueryMembersOptions, as filter leaves on created_at and user_id. */
function pagingBounds(input: QueryMembersInput): FilterNode[] {
  const bounds: FilterNode[] = [];
  const times = [['created_at_after', '$gt'], ['created_at_after_or_equal', '$gte'], ['created_at_before', '$lt'], ['created_at_before_or_equal', '$lte']] as const;
  for (const [field, op] of times) {
    if (input[field] != null) bounds.push(compare('created_at', FieldKind.time, op, parseTime(input[field], field)));
  }
  const ids = [['user_id_gt', '$gt'], ['user_id_gte', '$gte'], ['user_id_lt', '$lt'], ['user_id_lte', '$lte']] as const;
  for (const [field, op] of ids) {
    const value = input[field];
    if (value == null) continue;
    if (typeof value !== 'string') throw inputError(`${field} must be a user id`, { [field]: 'not a string' });
    bounds.push(compare('user_id', FieldKind.string, op, value));
  }
  return bounds;
}

/** Query members, and the partial update of one membership (archive, pin, custom data, role). */
export class ChannelMembersService {
  constructor(private readonly deps: AppDeps) {}

  async query(caller: Caller, input: QueryMembersInput): Promise<MemberWithUser[]> {
    if (typeof input.type !== 'string' || input.type === '') throw inputError('type is a required field', { type: 'required' });
    checkChannelType(input.type);
    let id: string;
    if (typeof input.id === 'string' && input.id !== '') id = input.id;
    else if (Array.isArray(input.members) && input.members.length > 0) {
      const memberIds = input.members.map((m) => checkUserId(typeof m === 'string' ? m : (m as { user_id?: unknown } | null)?.user_id, 'members'));
      id = distinctChannelId(memberIds);
    } else throw inputError('id or members is required to name the channel', { id: 'required' });
    if (input.user_id !== undefined && caller.kind === 'user' && input.user_id !== caller.userId) {
      throw notAllowed(`user "${caller.userId}" cannot query members for user "${String(input.user_id)}"`);
    }
    const bounds = pagingBounds(input);
    const parsed = parseFilter(input.filter_conditions ?? {}, memberFilterFields);
    const filter = bounds.length > 0 ? and([parsed, ...bounds]) : parsed;
    const sort = parseSort(input.sort, memberFilterFields);
    const limit = bounded(input.limit, 100, MAX_MEMBERS_LIMIT, 'limit');
    const offset = bounded(input.offset, 0, MAX_MEMBERS_OFFSET, 'offset');

    const storage = this.deps.storage;
    const cid = cidOf(input.type, id);
    const channel = await storage.channels.get(cid);
    if (!channel) throw notFound(`channel "${cid}" does not exist`);
    if (caller.kind === 'user') requireMember(caller, channel, (await storage.members.batchGet(cid, [caller.userId]))[0]);
    // Stream's default order: the oldest membership first.
    const order = sort.length > 0 ? sort : [{ field: 'created_at', fieldKind: FieldKind.time, direction: 1 as const }];
    const members = await storage.members.query({ cid, filter, sort: order, limit, offset });
    const users = await usersById(storage, members.map((m) => m.user_id));
    return members.map((member) => ({ member, user: users.get(member.user_id) ?? null }));
  }

  /**
   * `PATCH /channels/{type}/{id}/member` (user_id in the query) and its older form
   * `…/member/{user_id}`: a user changes its own membership (archive, pin, custom data); the
   * server any member's, its channel_role too. member.updated goes to the channel's watchers,
   * the member's own connections and webhooks.
   */
  async updatePartial(
    caller: Caller,
    type: string,
    id: string,
    userId: string | undefined,
    change: { set?: Record<string, unknown>; unset?: string[] },
  ): Promise<MemberWithUser> {
    const who = actingUserOf(caller, userId, true, 'update the membership')!;
    checkUserId(who, 'user_id');
    const now = this.deps.clock.nowMicros();
    return this.deps.storage.transaction(async (stores) => {
      const channel = await lockedChannel(stores, type, id);
      const [member] = await stores.members.batchGet(channel.cid, [who]);
      if (!member) throw inputError(`user "${who}" is not a member of channel "${channel.cid}"`, { user_id: 'not a member' });
      const next = applyMemberPatch(member, change.set ?? {}, change.unset ?? [], now, caller.kind === 'server');
      checkCustomData(next.custom, 'set', this.deps.customData);
      await stores.members.update(channel.cid, next);
      const [user] = await stores.users.batchGet([who]);
      const updated = { member: next, user: user ?? null };
      await publishChatEvents(this.deps, stores, [
        { type: 'member.updated', created_at: now, channel, member: updated, user: { id: who, user: user ?? null }, notify: [who] },
      ]);
      return updated;
    });
  }
}
