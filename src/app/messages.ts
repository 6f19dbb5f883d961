import { cidOf } from '../domain/channel.js';
import { checkCustomData } from '../domain/custom-data.js';
import { inputError, notAllowed, notFound } from '../domain/errors.js';
import { EventType } from '../domain/events.js';
import { FeedKind } from '../domain/feed.js';
import { checkMessageLength, MAX_ATTACHMENTS, MessageType, type Message } from '../domain/message.js';
import type { User } from '../domain/user.js';
import type { AppDeps } from './app-deps.js';
import type { Caller } from './caller.js';
import { checkChannelType } from './channels.js';
import { checkReferences, withQuoted } from './message-references.js';
import { withReactions } from './message-reactions.js';
import { sendingRule } from './user-bans.js';

export interface MessageInput {
  id?: string;
  text?: string;
  user_id?: string;
  type?: string;
  attachments?: unknown[];
  poll_id?: string;
  /** A thread reply's parent, and whether the reply also shows in the channel. */
  parent_id?: string;
  show_in_channel?: boolean;
  quoted_message_id?: string;
  custom: Record<string, unknown>;
}

export interface MessageWithAuthor {
  message: Message;
  user: User | null;
}

export class MessagesService {
  constructor(private readonly deps: AppDeps) {}

  async send(caller: Caller, type: string, id: string, input: MessageInput): Promise<MessageWithAuthor> {
    checkChannelType(type);
    const cid = cidOf(type, id);
    const userId = caller.kind === 'user' ? caller.userId : input.user_id;
    if (!userId) throw inputError('message.user or message.user_id is required when using server side auth', { user_id: 'required' });
    if (caller.kind === 'user' && input.user_id && input.user_id !== caller.userId) {
      throw notAllowed(`user "${caller.userId}" cannot send messages as "${input.user_id}"`);
    }
    const text = input.text ?? '';
    checkMessageLength(text, type);
    const attachments = input.attachments ?? [];
    if (attachments.length > MAX_ATTACHMENTS) throw inputError(`at most ${MAX_ATTACHMENTS} attachments`, { attachments: 'too many' });
    checkCustomData(input.custom, 'message', this.deps.customData);
    if (text === '' && attachments.length === 0 && !input.poll_id) {
      throw inputError('message text, attachments or poll_id are required', { text: 'required' });
    }
    const messageType = input.type ?? MessageType.regular;
    if (messageType !== MessageType.regular && messageType !== MessageType.system) {
      throw inputError(`message type "${messageType}" cannot be sent`, { type: 'invalid' });
    }
    const now = this.deps.clock.nowMicros();
    const message: Message = {
      id: input.id ?? this.deps.ids.next(),
      cid,
      user_id: userId,
      type: messageType,
      text,
      attachments,
      poll_id: input.poll_id ?? null,
      custom: input.custom,
      campaign_id: null,
      created_at: now,
      updated_at: now,
      deleted_at: null,
      parent_id: input.parent_id ?? null,
      show_in_channel: Boolean(input.parent_id && input.show_in_channel),
      quoted_message_id: input.quoted_message_id ?? null,
    };
    return this.deps.storage.transaction(async (stores) => {
      const channel = await stores.channels.get(cid);
      if (!channel) throw notFound(`channel "${cid}" does not exist`);
      const [user] = await stores.users.batchGet([userId]);
      if (!user || user.deleted_at !== null) throw inputError(`user "${userId}" does not exist`, { user_id: 'not found' });
      // Deactivated and banned users are refused; a shadow-banned one's message is stored shadowed.
      if ((await sendingRule(stores, user, cid, now)).shadowed) message.shadowed = true;
      if (caller.kind === 'user' && !(await stores.channels.member(cid, userId))) {
        throw notAllowed(`user "${userId}" is not a member of channel "${cid}"`);
      }
      if (input.id && (await stores.messages.get(input.id))) {
        throw inputError(`a message with id "${input.id}" already exists`, { id: 'duplicate' });
      }
      await checkReferences(stores, cid, message);
      await stores.messages.insert(message);
      // The parent's reply_count moves in the reply's transaction.
      if (message.parent_id) await stores.messages.adjustReplyCount(message.parent_id, 1);
      // A new message brings the channel back for members who had hidden it, as in Stream.
      await stores.channels.unhideAll(cid, now);
      await this.deps.events.record(stores, [{ type: EventType.messageNew, message, user, channel }]);
      await stores.feed.append({ kind: FeedKind.message, message_id: message.id, cid }, now);
      const [withQuote] = await withQuoted(stores, [{ message, user }]);
      return withQuote;
    });
  }

  async get(caller: Caller, id: string): Promise<MessageWithAuthor> {
    // A soft-deleted message is still there, as type `deleted`, as on Stream.
    const message = await this.deps.storage.messages.get(id);
    if (!message) throw notFound(`message "${id}" does not exist`);
    await this.requireReadable(caller, message.cid);
    const [user] = await this.deps.storage.users.batchGet([message.user_id]);
    const [reacted] = await withReactions(this.deps.storage, [message], readerOf(caller));
    const [found] = await withQuoted(this.deps.storage, [{ message: reacted, user: user ?? null }]);
    return found;
  }

  async batchGet(caller: Caller, type: string, id: string, ids: readonly string[]): Promise<MessageWithAuthor[]> {
    const cid = cidOf(type, id);
    if (ids.length === 0) throw inputError('ids is a required field', { ids: 'required' });
    if (ids.length > 100) throw inputError('at most 100 ids', { ids: 'too many' });
    if (!(await this.deps.storage.channels.get(cid))) throw notFound(`channel "${cid}" does not exist`);
    await this.requireReadable(caller, cid);
    const messages = await this.deps.storage.messages.batchGet(cid, ids);
    const users = new Map((await this.deps.storage.users.batchGet(messages.map((m) => m.user_id))).map((u) => [u.id, u]));
    const reacted = await withReactions(this.deps.storage, messages, readerOf(caller));
    return reacted.map((message) => ({ message, user: users.get(message.user_id) ?? null }));
  }

  private async requireReadable(caller: Caller, cid: string): Promise<void> {
    if (caller.kind === 'user' && !(await this.deps.storage.channels.member(cid, caller.userId))) {
      throw notAllowed(`user "${caller.userId}" is not a member of channel "${cid}"`);
    }
  }
}

/** Whose own_reactions a read shows: a user token's; the server reads as nobody. */
const readerOf = (caller: Caller): string | undefined => (caller.kind === 'user' ? caller.userId : undefined);
