import { inputError } from '../domain/errors.js';
import type { Message } from '../domain/message.js';
import type { User } from '../domain/user.js';
import type { MessageWithUser } from './channel-state.js';
import type { Stores } from './ports.js';

/**
 * The messages a message names: its thread's parent and the message it quotes. Both must be
 * messages of its channel that are not deleted; a reply cannot be a parent (Stream's threads
 * are one level deep).
 */
export async function checkReferences(stores: Stores, cid: string, refs: { parent_id?: string | null; quoted_message_id?: string | null }): Promise<void> {
  if (refs.parent_id) {
    const parent = await referenced(stores, cid, refs.parent_id, 'parent_id');
    if (parent.parent_id) throw inputError(`message "${parent.id}" is a thread reply and cannot be a parent`, { parent_id: 'is a reply' });
  }
  if (refs.quoted_message_id) await referenced(stores, cid, refs.quoted_message_id, 'quoted_message_id');
}

async function referenced(stores: Stores, cid: string, id: string, field: string): Promise<Message> {
  const found = await stores.messages.get(id);
  if (!found || found.cid !== cid || found.deleted_at !== null) {
    throw inputError(`${field}: message "${id}" does not exist in channel "${cid}"`, { [field]: 'not found' });
  }
  return found;
}

/** Each message with its author, in one user lookup. */
export async function withAuthors(stores: Pick<Stores, 'users'>, messages: readonly Message[]): Promise<MessageWithUser[]> {
  if (messages.length === 0) return [];
  const users = await usersById(stores, messages.map((m) => m.user_id));
  return messages.map((message) => ({ message, user: users.get(message.user_id) ?? null }));
}

/**
 * Adds `quoted_message` (and its author) to the messages that quote one: one read of the
 * quoted messages and one of their authors, only when some message quotes.
 */
export async function withQuoted(stores: Pick<Stores, 'users' | 'messages'>, items: MessageWithUser[]): Promise<MessageWithUser[]> {
  const ids = [...new Set(items.flatMap((i) => (i.message.quoted_message_id ? [i.message.quoted_message_id] : [])))];
  if (ids.length === 0) return items;
  const quoted = new Map((await stores.messages.byIds(ids)).map((m) => [m.id, m]));
  const authors = await usersById(stores, [...quoted.values()].map((m) => m.user_id));
  return items.map((item) => {
    const q = item.message.quoted_message_id ? quoted.get(item.message.quoted_message_id) : undefined;
    if (!q) return item;
    return { ...item, message: { ...item.message, quoted_message: { message: q, author: authors.get(q.user_id) ?? null } } };
  });
}

async function usersById(stores: Pick<Stores, 'users'>, ids: readonly string[]): Promise<Map<string, User>> {
  return new Map((await stores.users.batchGet([...new Set(ids)])).map((u) => [u.id, u]));
}
