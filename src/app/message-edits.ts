import type { Channel } from '../domain/channel.js';
import { ChannelRole } from '../domain/channel.js';
import type { ChatEvent } from '../domain/chat-event.js';
import { inputError, notAllowed, notFound } from '../domain/errors.js';
import { MessageType, type Message } from '../domain/message.js';
import { patchMessage, replaceMessage, type EditContext, type MessageReplacement } from '../domain/message-update.js';
import type { AppDeps } from './app-deps.js';
import type { Caller } from './caller.js';
import { publishChatEvents } from './chat-events.js';
import { checkReferences, withQuoted } from './message-references.js';
import type { MessageWithAuthor } from './messages.js';
import type { Stores } from './ports.js';

export interface DeleteOptions {
  hard: boolean;
  /** Server side: who deleted it (node-sdk's `deleted_by`); the author by default. */
  deleted_by?: string;
  delete_for_me?: boolean;
}

// App roles that may change anyone's messages, as Stream's admin and moderator may.
const MODERATING_ROLES = new Set(['admin', 'moderator']);

/**
 * Changes of a message after it was sent: a full update, a partial one (which also pins and
 * unpins), a soft or hard delete. Each writes the message and its `message.updated` or
 * `message.deleted` event (webhooks and the channel's watchers) in one transaction.
 */
export class MessageEditsService {
  constructor(private readonly deps: AppDeps) {}

  update(caller: Caller, id: string, userId: string | undefined, body: MessageReplacement): Promise<MessageWithAuthor> {
    return this.edit(caller, id, userId, (message, ctx) => replaceMessage(message, body, ctx));
  }

  patch(caller: Caller, id: string, userId: string | undefined, set: Record<string, unknown>, unset: readonly string[]): Promise<MessageWithAuthor> {
    return this.edit(caller, id, userId, (message, ctx) => patchMessage(message, set, unset, ctx));
  }

  async delete(caller: Caller, id: string, options: DeleteOptions): Promise<MessageWithAuthor> {
    // Deleting for one user needs a per-user record of hidden messages, which Herald does not keep.
    if (options.delete_for_me) throw inputError('delete_for_me is not supported', { delete_for_me: 'not supported' });
    const now = this.deps.clock.nowMicros();
    return this.deps.storage.transaction(async (stores) => {
      const { message, channel } = await this.load(stores, id);
      const actorId = actingUser(caller, options.deleted_by, message.user_id, 'deleted_by');
      await this.requireMayChange(stores, caller, message, 'delete');
      // Deleting a deleted message again changes nothing, unless it now goes for good.
      if (message.deleted_at !== null && !options.hard) return this.answer(stores, message);
      const deleted: Message = { ...message, type: MessageType.deleted, deleted_at: message.deleted_at ?? now, updated_at: now };
      if (options.hard) await stores.messages.remove(id);
      else await stores.messages.update(deleted);
      // reply_count counts the replies not deleted.
      if (message.parent_id && message.deleted_at === null) await stores.messages.adjustReplyCount(message.parent_id, -1);
      const after = (await stores.channels.get(channel.cid)) ?? channel;
      await this.publish(stores, 'message.deleted', after, deleted, actorId, now, { hard_delete: options.hard });
      return this.answer(stores, deleted);
    });
  }

  private async edit(
    caller: Caller,
    id: string,
    userId: string | undefined,
    change: (message: Message, ctx: EditContext) => Message,
  ): Promise<MessageWithAuthor> {
    const now = this.deps.clock.nowMicros();
    return this.deps.storage.transaction(async (stores) => {
      const { message, channel } = await this.load(stores, id);
      if (message.deleted_at !== null) throw inputError(`message "${id}" was deleted and cannot be updated`, { id: 'deleted' });
      const actorId = actingUser(caller, userId, message.user_id, 'user_id');
      await this.requireMayChange(stores, caller, message, 'update');
      const next = change(message, { actorId, now, limits: this.deps.customData });
      if (next.quoted_message_id && next.quoted_message_id !== message.quoted_message_id) {
        if (next.quoted_message_id === id) throw inputError('a message cannot quote itself', { quoted_message_id: 'itself' });
        await checkReferences(stores, channel.cid, { quoted_message_id: next.quoted_message_id });
      }
      await stores.messages.update(next);
      await this.publish(stores, 'message.updated', channel, next, actorId, now);
      return this.answer(stores, next);
    });
  }

  private async load(stores: Stores, id: string): Promise<{ message: Message; channel: Channel }> {
    const message = await stores.messages.get(id);
    if (!message) throw notFound(`message "${id}" does not exist`);
    const channel = await stores.channels.get(message.cid);
    if (!channel) throw notFound(`message "${id}" does not exist`);
    return { message, channel };
  }

  /** A user token changes its own messages; admins, moderators and channel moderators anyone's. */
  private async requireMayChange(stores: Stores, caller: Caller, message: Message, what: 'update' | 'delete'): Promise<void> {
    if (caller.kind === 'server' || message.user_id === caller.userId) return;
    const [[user], member] = await Promise.all([stores.users.batchGet([caller.userId]), stores.channels.member(message.cid, caller.userId)]);
    if ((user && MODERATING_ROLES.has(user.role)) || member?.channel_role === ChannelRole.moderator) return;
    throw notAllowed(`user "${caller.userId}" cannot ${what} message "${message.id}" of user "${message.user_id}"`);
  }

  /** Last in the transaction (publishChatEvents). */
  private async publish(stores: Stores, type: string, channel: Channel, message: Message, actorId: string, now: number, fields: Record<string, unknown> = {}) {
    const users = new Map((await stores.users.batchGet([message.user_id, actorId])).map((u) => [u.id, u]));
    const event: ChatEvent = {
      type,
      created_at: now,
      channel,
      message: { message, author: users.get(message.user_id) ?? null },
      user: { id: actorId, user: users.get(actorId) ?? null },
      fields: { ...fields, channel_message_count: channel.message_count },
    };
    await publishChatEvents(this.deps, stores, [event]);
  }

  private async answer(stores: Stores, message: Message): Promise<MessageWithAuthor> {
    const [author] = await stores.users.batchGet([message.user_id]);
    const [found] = await withQuoted(stores, [{ message, user: author ?? null }]);
    return found;
  }
}

/** Who acts: a user token's own user (naming another is refused); for a server, the one given or the author. */
function actingUser(caller: Caller, given: string | undefined, authorId: string, field: string): string {
  if (caller.kind === 'server') return given || authorId;
  if (given && given !== caller.userId) throw notAllowed(`user "${caller.userId}" cannot act as "${given}" (${field})`);
  return caller.userId;
}
