import type { Channel } from '../domain/channel.js';
import type { ChatEvent } from '../domain/chat-event.js';
import type { Micros } from '../domain/clock.js';
import { inputError, notAllowed, notFound } from '../domain/errors.js';
import { banFilterFields } from '../domain/filter/ban-filter-fields.js';
import { parseFilter } from '../domain/filter/filter-parser.js';
import { parseSort } from '../domain/filter/sort-spec.js';
import { APP_WIDE, CHANNEL_MODERATOR_ROLES, expiryOf, isActive, MODERATOR_ROLES, type Ban } from '../domain/moderation.js';
import { formatRfc3339 } from '../domain/time.js';
import { checkUserId, type User } from '../domain/user.js';
import type { AppDeps } from './app-deps.js';
import type { Caller } from './caller.js';
import { publishChatEvents } from './chat-events.js';
import type { Stores } from './ports.js';

export interface BanInput {
  target_user_id: string;
  /** Who bans: a server-side call may name one; a user token bans as itself. */
  banned_by_id?: string;
  /** The channel of a channel ban; absent for an app-wide ban. */
  channel_cid?: string;
  /** Minutes. */
  timeout?: number;
  reason?: string;
  shadow?: boolean;
  ip_ban?: boolean;
}

export interface UnbanInput {
  target_user_id: string;
  channel_cid?: string;
  unbanned_by_id?: string;
}

export interface BanQuery {
  filter_conditions?: unknown;
  sort?: unknown;
  limit?: number;
  offset?: number;
}

export interface BanWithObjects {
  ban: Ban;
  user: User | null;
  bannedBy: User | null;
  channel: Channel | null;
}

const MAX_BAN_QUERY_LIMIT = 100;
const MAX_BAN_QUERY_OFFSET = 1000;
const MAX_REASON_LENGTH = 1000;

/**
 * Whether `user` may send to `cid`, read in the send's transaction (MessagesService.send): a
 * deactivated or banned user may not (403, code 17); a shadow-banned one may, and its message
 * is stored `shadowed`. A ban found expired is lifted on the way, flags included.
 */
export async function sendingRule(stores: Stores, user: User, cid: string, now: Micros): Promise<{ shadowed: boolean }> {
  if (user.deactivated_at !== null) throw notAllowed(`user "${user.id}" is deactivated`);
  let shadowed = false;
  for (const ban of await stores.moderation.bansOf(user.id, [APP_WIDE, cid])) {
    if (!isActive(ban, now)) {
      await stores.moderation.deleteBan(ban.user_id, ban.channel_cid);
    } else if (!ban.shadow) {
      throw notAllowed(ban.channel_cid === APP_WIDE ? `user "${user.id}" is banned` : `user "${user.id}" is banned from channel "${cid}"`);
    } else {
      shadowed = true;
    }
  }
  return { shadowed };
}

/** Bans, app-wide and per channel (Stream's /moderation/ban, /moderation/unban, /query_banned_users). */
export class UserBansService {
  constructor(private readonly deps: AppDeps) {}

  async ban(caller: Caller, input: BanInput): Promise<void> {
    checkUserId(input.target_user_id, 'target_user_id');
    if (input.reason !== undefined && input.reason.length > MAX_REASON_LENGTH) {
      throw inputError(`reason must be at most ${MAX_REASON_LENGTH} characters`, { reason: 'too long' });
    }
    const now = this.deps.clock.nowMicros();
    const expires = expiryOf(input.timeout, now);
    const cid = input.channel_cid ?? APP_WIDE;
    await this.deps.storage.transaction(async (stores) => {
      const { actor, channel } = await this.moderator(stores, caller, input.banned_by_id, cid, 'ban users');
      const target = await existingUser(stores, input.target_user_id, 'target_user_id');
      if (actor && actor.id === target.id) throw inputError('a user cannot ban itself', { target_user_id: 'self' });
      const ban: Ban = {
        user_id: target.id,
        channel_cid: cid,
        banned_by_id: actor?.id ?? null,
        reason: input.reason ?? null,
        shadow: input.shadow ?? false,
        ip_ban: input.ip_ban ?? false,
        expires_at: expires,
        created_at: now,
      };
      await stores.moderation.upsertBan(ban);
      const after = { ...target, ...(cid === APP_WIDE && { banned: !ban.shadow, shadow_banned: ban.shadow }) };
      await publishChatEvents(this.deps, stores, [
        banEvent('user.banned', ban, after, actor, channel, now, {
          ...(ban.reason !== null && { reason: ban.reason }),
          ...(expires !== null && { expiration: formatRfc3339(expires) }),
          total_bans: 1,
        }),
      ]);
    });
  }

  async unban(caller: Caller, input: UnbanInput): Promise<void> {
    checkUserId(input.target_user_id, 'target_user_id');
    const cid = input.channel_cid ?? APP_WIDE;
    const now = this.deps.clock.nowMicros();
    await this.deps.storage.transaction(async (stores) => {
      const { actor, channel } = await this.moderator(stores, caller, input.unbanned_by_id, cid, 'unban users');
      const target = await existingUser(stores, input.target_user_id, 'target_user_id');
      const removed = await stores.moderation.deleteBan(target.id, cid);
      // Unbanning a user who is not banned is no error, and no event.
      if (!removed) return;
      const after = cid === APP_WIDE ? { ...target, banned: false, shadow_banned: false } : target;
      await publishChatEvents(this.deps, stores, [banEvent('user.unbanned', removed, after, actor, channel, now, {})]);
    });
  }

  /** Bans in force, with their users and channels; a user token needs a moderator role. */
  async query(caller: Caller, query: BanQuery): Promise<BanWithObjects[]> {
    if (caller.kind === 'user') {
      const [user] = await this.deps.storage.users.batchGet([caller.userId]);
      if (!user || !MODERATOR_ROLES.has(user.role)) throw notAllowed(`user "${caller.userId}" is not allowed to query banned users`);
    }
    const filter = parseFilter(query.filter_conditions ?? {}, banFilterFields);
    const parsedSort = parseSort(query.sort, banFilterFields);
    // Newest first unless asked otherwise, as Stream lists bans.
    const sort = parsedSort.length > 0 ? parsedSort : parseSort([{ field: 'created_at', direction: -1 }], banFilterFields);
    const limit = query.limit ?? 25;
    const offset = query.offset ?? 0;
    if (!Number.isInteger(limit) || limit < 0 || limit > MAX_BAN_QUERY_LIMIT) {
      throw inputError(`limit must be between 0 and ${MAX_BAN_QUERY_LIMIT}`, { limit: 'out of range' });
    }
    if (!Number.isInteger(offset) || offset < 0 || offset > MAX_BAN_QUERY_OFFSET) {
      throw inputError(`offset must be between 0 and ${MAX_BAN_QUERY_OFFSET}`, { offset: 'out of range' });
    }
    const storage = this.deps.storage;
    const bans = await storage.moderation.queryBans({ filter, sort, limit, offset }, this.deps.clock.nowMicros());
    const userIds = bans.flatMap((b) => (b.banned_by_id === null ? [b.user_id] : [b.user_id, b.banned_by_id]));
    const users = new Map((await storage.users.batchGet(userIds)).map((u) => [u.id, u]));
    const channels = new Map<string, Channel | undefined>();
    for (const cid of new Set(bans.map((b) => b.channel_cid).filter((c) => c !== APP_WIDE))) channels.set(cid, await storage.channels.get(cid));
    return bans.map((ban) => ({
      ban,
      user: users.get(ban.user_id) ?? null,
      bannedBy: ban.banned_by_id === null ? null : (users.get(ban.banned_by_id) ?? null),
      channel: channels.get(ban.channel_cid) ?? null,
    }));
  }

  /**
   * Who acts, and the channel of a channel ban. A server-side call acts as `actingId` when it
   * names one; a user token acts as itself and needs a global moderator role (admin,
   * moderator) or, for a channel ban, to own or moderate the channel.
   */
  private async moderator(stores: Stores, caller: Caller, actingId: string | undefined, cid: string, what: string): Promise<{ actor: User | null; channel: Channel | null }> {
    let channel: Channel | null = null;
    if (cid !== APP_WIDE) {
      channel = (await stores.channels.get(cid)) ?? null;
      if (!channel || channel.deleted_at !== null) throw notFound(`channel "${cid}" does not exist`);
    }
    if (caller.kind === 'server') {
      return { actor: actingId === undefined ? null : await existingUser(stores, actingId, 'banned_by_id'), channel };
    }
    if (actingId !== undefined && actingId !== caller.userId) {
      throw notAllowed(`user "${caller.userId}" cannot ${what} as "${actingId}"`);
    }
    const actor = await existingUser(stores, caller.userId, 'user_id');
    if (MODERATOR_ROLES.has(actor.role)) return { actor, channel };
    const membership = channel && (await stores.channels.member(channel.cid, actor.id));
    if (membership && CHANNEL_MODERATOR_ROLES.has(membership.channel_role)) return { actor, channel };
    throw notAllowed(`user "${actor.id}" with role "${actor.role}" is not allowed to ${what}${channel ? ` in channel "${channel.cid}"` : ''}`);
  }
}

async function existingUser(stores: Stores, id: string, field: string): Promise<User> {
  checkUserId(id, field);
  const [user] = await stores.users.batchGet([id]);
  if (!user || user.deleted_at !== null) throw inputError(`user "${id}" does not exist`, { [field]: 'not found' });
  return user;
}

/**
 * user.banned / user.unbanned: to webhooks, to the channel's watchers for a channel ban, and
 * to the user concerned. A shadow ban goes to webhooks only: telling would undo it.
 */
function banEvent(type: string, ban: Ban, user: User, actor: User | null, channel: Channel | null, now: Micros, fields: Record<string, unknown>): ChatEvent {
  return {
    type,
    created_at: now,
    ...(channel && { channel }),
    user: { id: user.id, user },
    ...(actor && { users: { created_by: { id: actor.id, user: actor } } }),
    fields: { ...fields, shadow: ban.shadow },
    ...(ban.shadow ? { to_watchers: false } : { notify: [user.id] }),
  };
}
