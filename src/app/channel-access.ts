import { cidOf, type Channel, type ChannelMember } from '../domain/channel.js';
import { isChannelAdmin, isPendingInvite } from '../domain/channel-member.js';
import { checkCustomData, type CustomDataLimits } from '../domain/custom-data.js';
import { inputError, notAllowed, notFound } from '../domain/errors.js';
import { EventType } from '../domain/events.js';
import { FeedKind } from '../domain/feed.js';
import { checkMessageLength, MAX_ATTACHMENTS, MessageType, type Message } from '../domain/message.js';
import type { User } from '../domain/user.js';
import type { AppDeps } from './app-deps.js';
import type { Caller } from './caller.js';
import { checkChannelType } from './channels.js';
import type { Stores } from './ports.js';
import { sendingRule } from './user-bans.js';

/**
 * What the channel management services share: who acts, who may, and the optional message a
 * change is announced with.
 */

/** The channel, locked for the transaction (ChannelAdminStore.lock); 404 when it does not exist. */
export async function lockedChannel(stores: Stores, type: string, id: string): Promise<Channel> {
  checkChannelType(type);
  const cid = cidOf(type, id);
  const channel = await stores.channelAdmin.lock(cid);
  if (!channel) throw notFound(`channel "${cid}" does not exist`);
  return channel;
}

/**
 * The user a request acts as: a user token's own (a different `user_id` is refused), or the
 * server's `user_id`, required when `required`.
 */
export function actingUserOf(caller: Caller, userId: string | undefined, required: boolean, what: string): string | undefined {
  if (caller.kind === 'user') {
    if (userId !== undefined && userId !== caller.userId) {
      throw notAllowed(`user "${caller.userId}" is not allowed to ${what} for user "${userId}"`);
    }
    return caller.userId;
  }
  if (required && !userId) throw inputError('user_id is a required field when using server side auth', { user_id: 'required' });
  return userId;
}

/** Refuses a user token that is neither the channel's owner nor one of its moderators. */
export function requireChannelAdmin(caller: Caller, channel: Channel, member: ChannelMember | undefined, action: string): void {
  if (caller.kind === 'server' || isChannelAdmin(channel, caller.userId, member)) return;
  throw notAllowed(
    `user "${caller.userId}" is not allowed to perform action ${action} in channel "${channel.cid}": only its owner, its moderators and the server may`,
  );
}

/** Refuses a user token that is not a member of the channel (a pending invite is not one yet). */
export function requireMember(caller: Caller, channel: Channel, member: ChannelMember | undefined): void {
  if (caller.kind === 'server') return;
  if (!member || isPendingInvite(member)) throw notAllowed(`user "${caller.userId}" is not a member of channel "${channel.cid}"`);
}

export async function usersById(stores: Stores, ids: readonly string[]): Promise<Map<string, User>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  return new Map((await stores.users.batchGet(unique)).map((u) => [u.id, u]));
}

/** 400 naming the users that do not exist (or were deleted), as Stream's member operations do. */
export function requireUsers(users: ReadonlyMap<string, User>, ids: readonly string[], field: string): void {
  const missing = [...new Set(ids)].filter((id) => !users.get(id) || users.get(id)!.deleted_at !== null);
  if (missing.length > 0) throw inputError(`the following users don't exist: ${missing.join(', ')}`, { [field]: 'unknown users' });
}

/** The message a channel change is announced with (`message` of update, truncate, invites…). */
export interface ChangeMessageInput {
  id?: string;
  text?: string;
  user_id?: string;
  type?: string;
  attachments?: unknown[];
  silent?: boolean;
  custom: Record<string, unknown>;
}

/** Checks the message before the transaction; returns its author. */
export function checkChangeMessage(caller: Caller, input: ChangeMessageInput, actor: string | undefined, limits: CustomDataLimits, channelType: string): string {
  const author = input.user_id ?? actor;
  if (!author) throw inputError('message.user_id is required when using server side auth', { user_id: 'required' });
  // A user token announces its own change; the server may have anyone announce it.
  if (caller.kind === 'user' && author !== caller.userId) {
    throw notAllowed(`user "${caller.userId}" cannot send messages as "${author}"`);
  }
  const text = input.text ?? '';
  checkMessageLength(text, channelType);
  if ((input.attachments?.length ?? 0) > MAX_ATTACHMENTS) throw inputError(`at most ${MAX_ATTACHMENTS} attachments`, { attachments: 'too many' });
  if (text === '' && (input.attachments?.length ?? 0) === 0) throw inputError('message text or attachments are required', { text: 'required' });
  const type = input.type ?? MessageType.regular;
  if (type !== MessageType.regular && type !== MessageType.system) throw inputError(`message type "${type}" cannot be sent`, { type: 'invalid' });
  checkCustomData(input.custom, 'message', limits);
  return author;
}

/**
 * Inserts the message of a change in its transaction, with message.new for webhooks and the
 * chat feed, as a message sent through the API. Call it after the change and before
 * publishChatEvents.
 */
export async function insertChangeMessage(
  deps: AppDeps,
  stores: Stores,
  channel: Channel,
  input: ChangeMessageInput,
  author: User,
  now: number,
): Promise<Message> {
  if (input.id && (await stores.messages.get(input.id))) throw inputError(`a message with id "${input.id}" already exists`, { id: 'duplicate' });
  const message: Message = {
    id: input.id ?? deps.ids.next(),
    cid: channel.cid,
    user_id: author.id,
    type: input.type ?? MessageType.regular,
    text: input.text ?? '',
    attachments: input.attachments ?? [],
    poll_id: null,
    custom: input.custom,
    campaign_id: null,
    created_at: now,
    updated_at: now,
    deleted_at: null,
    silent: input.silent ?? false,
  };
  // As a message sent through the API: refused for a deactivated or banned author, stored
  // shadowed for a shadow-banned one.
  if ((await sendingRule(stores, author, channel.cid, now)).shadowed) message.shadowed = true;
  await stores.messages.insert(message);
  await stores.channels.unhideAll(channel.cid, now);
  await deps.events.record(stores, [{ type: EventType.messageNew, message, user: author, channel }]);
  await stores.feed.append({ kind: FeedKind.message, message_id: message.id, cid: channel.cid }, now);
  return message;
}
