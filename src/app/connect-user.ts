import type { Caller } from './caller.js';
import { admitUserToken } from './token-gate.js';
import { checkCustomData } from '../domain/custom-data.js';
import { notFound } from '../domain/errors.js';
import { checkJsonInput } from '../domain/json-input.js';
import { applyPartialUpdate, checkUserId, upsertedUser, type User } from '../domain/user.js';
import type { MuteWithUsers } from '../domain/moderation.js';
import type { ChannelMuteView } from '../domain/channel-mute.js';
import type { AppDeps } from './app-deps.js';
import { ownUserState } from './user-mutes.js';

/** What a chat client's `connectUser` may not change about itself (Stream's rule). */
const SERVER_OWNED = new Set(['role', 'teams', 'teams_role', 'banned', 'shadow_banned', 'revoke_tokens_issued_before']);

export interface ConnectedUser {
  user: User;
  unread: { messages: number; channels: number };
  /** Its mutes in force and whom it blocked: health.check's me.mutes and me.blocked_user_ids. */
  mutes?: MuteWithUsers[];
  blocked_user_ids?: string[];
  /** Its channel mutes in force: health.check's me.channel_mutes. */
  channel_mutes?: ChannelMuteView[];
}

/**
 * The REST side of a chat client's connection: `connectUser(user, token)` creates or updates
 * the user from the details it sends, as Stream does, without letting it change its role,
 * bans or teams; then reads the unread counts of the first health check.
 */
export class ConnectUserService {
  constructor(private readonly deps: AppDeps) {}

  /** A user token's checks beyond its signature (token-gate.ts); REST's auth runs them for every call. */
  admit(caller: Extract<Caller, { kind: 'user' }>): Promise<void> {
    return admitUserToken(this.deps.storage, caller.userId, caller.issuedAt);
  }

  /** `issuedAt`: the token's iat, for revocation. */
  async connect(userId: string, details: Record<string, unknown>, issuedAt: number | undefined): Promise<ConnectedUser> {
    checkUserId(userId, 'user_id');
    await admitUserToken(this.deps.storage, userId, issuedAt);
    checkJsonInput(details, ['user_details']);
    const set: Record<string, unknown> = {};
    const nested = details.custom && typeof details.custom === 'object' && !Array.isArray(details.custom) ? details.custom : {};
    for (const [key, value] of Object.entries({ ...details, ...nested })) {
      if (key !== 'custom' && key !== 'id' && !SERVER_OWNED.has(key)) set[key] = value;
    }
    const now = this.deps.clock.nowMicros();
    const user = await this.deps.storage.transaction(async (stores) => {
      const [before] = await stores.users.batchGet([userId]);
      if (before?.deleted_at != null) throw notFound(`user "${userId}" was deleted`);
      const after = applyPartialUpdate(before ?? upsertedUser({ id: userId, custom: {} }, undefined, now, false), set, [], now);
      checkCustomData(after.custom, 'user_details', this.deps.customData);
      await stores.users.batchUpsert([after]);
      return after;
    });
    const unread = await this.deps.storage.channels.unreadCountsOf([userId]);
    const own = await ownUserState(this.deps.storage, user, now);
    const channelMutes = await this.deps.storage.channelMutes.ofUser(userId, now);
    return { user, unread: unread.get(userId)!, mutes: own.mutes, blocked_user_ids: own.blocked_user_ids, channel_mutes: channelMutes };
  }
}
