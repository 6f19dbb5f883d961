import type { Micros } from '../domain/clock.js';
import { inputError } from '../domain/errors.js';
import type { AppDeps } from './app-deps.js';
import { requireServer, type Caller } from './caller.js';

export interface UnreadReport {
  total: number;
  channels: Array<{ cid: string; unread: number; last_read: Micros }>;
  /** Per channel type: channels with unread messages, and the messages. */
  byType: Array<{ type: string; channels: number; unread: number }>;
}

// Stream's batch answers up to 100 users a call.
const MAX_BATCH = 100;

/** `GET /unread` and `POST /unread_batch`: a user's unread messages, over its channels. */
export class UnreadService {
  constructor(private readonly deps: AppDeps) {}

  async of(caller: Caller, userId: string | undefined): Promise<UnreadReport> {
    const who = caller.kind === 'user' ? caller.userId : userId;
    if (!who) throw inputError('user_id is required when using server side auth', { user_id: 'required' });
    if (caller.kind === 'user' && userId && userId !== caller.userId) throw inputError(`user_id must be the token's user "${caller.userId}"`, { user_id: 'mismatch' });
    return this.report(who);
  }

  async batch(caller: Caller, userIds: readonly string[]): Promise<Map<string, UnreadReport>> {
    requireServer(caller, 'unread counts of many users');
    if (userIds.length === 0 || userIds.length > MAX_BATCH) throw inputError(`user_ids must hold 1 to ${MAX_BATCH} ids`, { user_ids: 'size' });
    const reports = new Map<string, UnreadReport>();
    for (const id of new Set(userIds)) reports.set(id, await this.report(id));
    return reports;
  }

  private async report(userId: string): Promise<UnreadReport> {
    const channels = await this.deps.storage.channels.unreadChannels(userId);
    const byType = new Map<string, { type: string; channels: number; unread: number }>();
    for (const c of channels) {
      const t = byType.get(c.type) ?? { type: c.type, channels: 0, unread: 0 };
      t.channels++;
      t.unread += c.unread;
      byType.set(c.type, t);
    }
    return {
      total: channels.reduce((sum, c) => sum + c.unread, 0),
      channels: channels.map(({ cid, unread, last_read }) => ({ cid, unread, last_read })),
      byType: [...byType.values()],
    };
  }
}
