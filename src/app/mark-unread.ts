import { cidOf } from '../domain/channel.js';
import type { Micros } from '../domain/clock.js';
import { inputError, notAllowed, notFound } from '../domain/errors.js';
import { formatRfc3339 } from '../domain/time.js';
import type { AppDeps } from './app-deps.js';
import type { Caller } from './caller.js';
import { checkChannelType } from './channels.js';
import { publishChatEvents } from './chat-events.js';

export interface MarkUnreadInput {
  user_id?: string;
  message_id?: string;
  /** The time from which messages are unread, instead of a message. */
  message_timestamp?: Micros;
  thread_id?: string;
}

/**
 * `POST /channels/{type}/{id}/unread`: the member's last read moves back to just before the
 * message (or time) given, so that it and the later messages by others count as unread again,
 * and the member's connections hear `notification.mark_unread` with the new counts.
 */
export class MarkUnreadService {
  constructor(private readonly deps: AppDeps) {}

  async markUnread(caller: Caller, type: string, id: string, input: MarkUnreadInput): Promise<void> {
    checkChannelType(type);
    const cid = cidOf(type, id);
    const who = actingUser(caller, input.user_id);
    // Thread read state is not kept: a thread is never unread here.
    if (input.thread_id) throw inputError('marking a thread unread is not supported', { thread_id: 'not supported' });
    if (!input.message_id && input.message_timestamp === undefined) {
      throw inputError('message_id or message_timestamp is required', { message_id: 'required' });
    }
    const now = this.deps.clock.nowMicros();
    await this.deps.storage.transaction(async (stores) => {
      const channel = await stores.channels.get(cid);
      if (!channel) throw notFound(`channel "${cid}" does not exist`);
      let from = input.message_timestamp ?? 0;
      let lastReadMessageId: string | undefined;
      if (input.message_id) {
        const message = await stores.messages.get(input.message_id);
        if (!message || message.cid !== cid) throw notFound(`message "${input.message_id}" does not exist in channel "${cid}"`);
        from = message.created_at;
        [lastReadMessageId] = (await stores.messages.history(cid, { limit: 1, id_lt: message.id })).map((m) => m.id);
      }
      // Unread means created after the last read: one microsecond before makes `from` unread.
      const lastRead = from - 1;
      if (!(await stores.channels.setLastRead(cid, who, lastRead, now))) {
        throw inputError(`user "${who}" is not a member of channel "${cid}"`, { user_id: 'not a member' });
      }
      const [[user], totals, inChannel] = await Promise.all([
        stores.users.batchGet([who]),
        stores.channels.unreadCountsOf([who]),
        stores.channels.memberUnreadCounts(cid, [who]),
      ]);
      const total = totals.get(who) ?? { messages: 0, channels: 0 };
      await publishChatEvents(this.deps, stores, [
        {
          type: 'notification.mark_unread',
          created_at: now,
          channel,
          with_channel: true,
          to_watchers: false,
          notify: [who],
          user: { id: who, user: user ?? null },
          fields: {
            ...(input.message_id && { first_unread_message_id: input.message_id }),
            ...(lastReadMessageId && { last_read_message_id: lastReadMessageId }),
            last_read_at: formatRfc3339(lastRead),
            unread_messages: inChannel.get(who) ?? 0,
            total_unread_count: total.messages,
            unread_count: total.messages,
            unread_channels: total.channels,
            unread_threads: 0,
            unread_thread_messages: 0,
          },
        },
      ]);
    });
  }
}

function actingUser(caller: Caller, userId: string | undefined): string {
  if (caller.kind === 'user') {
    if (userId && userId !== caller.userId) throw notAllowed(`user "${caller.userId}" cannot mark channels unread for "${userId}"`);
    return caller.userId;
  }
  if (!userId) throw inputError('user_id is a required field when using server side auth', { user_id: 'required' });
  return userId;
}
