import { checkCustomData } from '../domain/custom-data.js';
import { notFound } from '../domain/errors.js';
import { checkJsonInput } from '../domain/json-input.js';
import { applyPartialUpdate, checkUserId, upsertedUser, type User } from '../domain/user.js';
import type { AppDeps } from './app-deps.js';

/** What a chat client's `connectUser` may not change about itself (Stream's rule). */
const SERVER_OWNED = new Set(['role', 'teams', 'teams_role', 'banned', 'shadow_banned', 'revoke_tokens_issued_before']);

export interface ConnectedUser {
  user: User;
  unread: { messages: number; channels: number };
}

/**
 * The REST side of a chat client's connection: `connectUser(user, token)` creates or updates
 * the user from the details it sends, as Stream does, without letting it change its role,
 * bans or teams; then reads the unread counts of the first health check.
 */
export class ConnectUserService {
  constructor(private readonly deps: AppDeps) {}

  async connect(userId: string, details: Record<string, unknown>): Promise<ConnectedUser> {
    checkUserId(userId, 'user_id');
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
    return { user, unread: unread.get(userId)! };
  }
}
