import type { Micros } from '../domain/clock.js';
import { inputError, notAllowed } from '../domain/errors.js';
import { expiryOf, type MuteWithUsers, type OwnUserState, type UserBlock, type UserMute } from '../domain/moderation.js';
import { checkUserId, type User } from '../domain/user.js';
import type { AppDeps } from './app-deps.js';
import type { Caller } from './caller.js';
import { publishChatEvents } from './chat-events.js';
import type { Stores } from './ports.js';

export const MAX_MUTE_TARGETS = 100;

export interface MuteResult {
  /** The mutes made or renewed, in the order asked. */
  mutes: MuteWithUsers[];
  own: OwnUserState;
  /** Targets that are not users (or were deleted). */
  nonExisting: string[];
}

export interface BlockWithUsers {
  block: UserBlock;
  user: User | null;
  blocked: User | null;
}

/**
 * What a user's own connection is told of itself: its mutes in force (with both users) and
 * whom it blocked. health.check's `me` (ConnectUserService) and a mute's `own_user`.
 */
export async function ownUserState(stores: Stores, user: User, now: Micros): Promise<OwnUserState> {
  const [mutes, blocks] = await Promise.all([stores.moderation.mutesOf(user.id, now), stores.moderation.blocksOf(user.id)]);
  const targets = new Map((await stores.users.batchGet(mutes.map((m) => m.target_id))).map((u) => [u.id, u]));
  return {
    user,
    mutes: mutes.map((mute) => ({ mute, user, target: targets.get(mute.target_id) ?? null })),
    blocked_user_ids: blocks.map((b) => b.blocked_user_id),
  };
}

/** The user a call acts for: a user token's own, or the `user_id` a server-side call names. */
async function actingUser(stores: Stores, caller: Caller, userId: string | undefined, what: string): Promise<User> {
  if (caller.kind === 'user' && userId !== undefined && userId !== caller.userId) {
    throw notAllowed(`user "${caller.userId}" is not allowed to ${what} for user "${userId}"`);
  }
  const id = caller.kind === 'user' ? caller.userId : userId;
  if (id === undefined) throw inputError('user_id is required when using server side auth', { user_id: 'required' });
  checkUserId(id, 'user_id');
  const [user] = await stores.users.batchGet([id]);
  if (!user || user.deleted_at !== null) throw inputError(`user "${id}" does not exist`, { user_id: 'not found' });
  return user;
}

function targetList(targetIds: readonly string[], field: string): string[] {
  if (targetIds.length === 0) throw inputError(`${field} is a required field`, { [field]: 'required' });
  if (targetIds.length > MAX_MUTE_TARGETS) throw inputError(`at most ${MAX_MUTE_TARGETS} ${field}`, { [field]: 'too many' });
  targetIds.forEach((id) => checkUserId(id, field));
  return [...new Set(targetIds)];
}

const ref = (user: User) => ({ id: user.id, user });

/** User mutes (/moderation/mute, /moderation/unmute) and blocks (/users/block, /users/unblock). */
export class UserMutesService {
  constructor(private readonly deps: AppDeps) {}

  async mute(caller: Caller, input: { target_ids: readonly string[]; user_id?: string; timeout?: number }): Promise<MuteResult> {
    const targetIds = targetList(input.target_ids, 'target_ids');
    const now = this.deps.clock.nowMicros();
    const expires = expiryOf(input.timeout, now);
    return this.deps.storage.transaction(async (stores) => {
      const user = await actingUser(stores, caller, input.user_id, 'mute users');
      if (targetIds.includes(user.id)) throw inputError('a user cannot mute itself', { target_ids: 'self' });
      const found = new Map((await stores.users.batchGet(targetIds)).filter((u) => u.deleted_at === null).map((u) => [u.id, u]));
      const targets = targetIds.flatMap((id) => found.get(id) ?? []);
      if (targets.length === 0) throw inputError('none of the users to mute exists', { target_ids: 'not found' });
      const mutes: UserMute[] = targets.map((t) => ({ user_id: user.id, target_id: t.id, expires_at: expires, created_at: now, updated_at: now }));
      await stores.moderation.upsertMutes(mutes);
      const own = await ownUserState(stores, user, now);
      await publishChatEvents(this.deps, stores, [
        {
          type: 'user.muted',
          created_at: now,
          user: ref(user),
          users: targets.length === 1 ? { target_user: ref(targets[0]) } : { target_users: targets.map(ref) },
        },
        { type: 'notification.mutes_updated', created_at: now, me: own, notify: [user.id], webhook: false },
      ]);
      // A renewal keeps the mute's first created_at: report the stored ones.
      const stored = new Map(own.mutes.map((m) => [m.mute.target_id, m]));
      return {
        mutes: targets.map((t) => stored.get(t.id) ?? { mute: mutes.find((m) => m.target_id === t.id)!, user, target: t }),
        own,
        nonExisting: targetIds.filter((id) => !found.has(id)),
      };
    });
  }

  async unmute(caller: Caller, input: { target_ids: readonly string[]; user_id?: string }): Promise<{ nonExisting: string[] }> {
    const targetIds = targetList(input.target_ids, 'target_ids');
    const now = this.deps.clock.nowMicros();
    return this.deps.storage.transaction(async (stores) => {
      const user = await actingUser(stores, caller, input.user_id, 'unmute users');
      const found = new Map((await stores.users.batchGet(targetIds)).map((u) => [u.id, u]));
      const removed = await stores.moderation.deleteMutes(user.id, targetIds);
      if (removed.length > 0) {
        const targets = removed.map((id) => ({ id, user: found.get(id) ?? null }));
        await publishChatEvents(this.deps, stores, [
          {
            type: 'user.unmuted',
            created_at: now,
            user: ref(user),
            users: targets.length === 1 ? { target_user: targets[0] } : { target_users: targets },
          },
          { type: 'notification.mutes_updated', created_at: now, me: await ownUserState(stores, user, now), notify: [user.id], webhook: false },
        ]);
      }
      return { nonExisting: targetIds.filter((id) => !found.has(id)) };
    });
  }

  async block(caller: Caller, input: { blocked_user_id: string; user_id?: string }): Promise<UserBlock> {
    checkUserId(input.blocked_user_id, 'blocked_user_id');
    const now = this.deps.clock.nowMicros();
    return this.deps.storage.transaction(async (stores) => {
      const user = await actingUser(stores, caller, input.user_id, 'block users');
      if (input.blocked_user_id === user.id) throw inputError('a user cannot block itself', { blocked_user_id: 'self' });
      const [blocked] = await stores.users.batchGet([input.blocked_user_id]);
      if (!blocked || blocked.deleted_at !== null) {
        throw inputError(`user "${input.blocked_user_id}" does not exist`, { blocked_user_id: 'not found' });
      }
      return stores.moderation.insertBlock({ user_id: user.id, blocked_user_id: blocked.id, created_at: now });
    });
  }

  async unblock(caller: Caller, input: { blocked_user_id: string; user_id?: string }): Promise<void> {
    checkUserId(input.blocked_user_id, 'blocked_user_id');
    await this.deps.storage.transaction(async (stores) => {
      const user = await actingUser(stores, caller, input.user_id, 'unblock users');
      await stores.moderation.deleteBlock(user.id, input.blocked_user_id);
    });
  }

  async blocks(caller: Caller, userId: string | undefined): Promise<BlockWithUsers[]> {
    const storage = this.deps.storage;
    const user = await actingUser(storage, caller, userId, 'list blocked users');
    const blocks = await storage.moderation.blocksOf(user.id);
    const blocked = new Map((await storage.users.batchGet(blocks.map((b) => b.blocked_user_id))).map((u) => [u.id, u]));
    return blocks.map((block) => ({ block, user, blocked: blocked.get(block.blocked_user_id) ?? null }));
  }
}
