import type { Message, Reaction } from '../domain/message.js';
import { hasReactions, LATEST_REACTIONS, OWN_REACTIONS } from '../domain/reaction.js';
import type { User } from '../domain/user.js';
import type { Stores } from './ports.js';

type ReadStores = Pick<Stores, 'reactions' | 'users'>;

/**
 * Gives messages what Stream returns with them on every read: latest_reactions (the 10 newest,
 * with their authors) and the reader's own_reactions. Only messages whose tallies show a
 * reaction are looked up, so a page of unreacted history costs no statement at all; otherwise
 * it costs one top-N read of the reactions (plus one of the reader's), and one of their users.
 * `readerId`: the user reading (a user token, or the server's user_id); none, no own_reactions.
 */
export async function withReactions<M extends Message>(stores: ReadStores, messages: readonly M[], readerId?: string): Promise<M[]> {
  const ids = messages.filter(hasReactions).map((m) => m.id);
  if (ids.length === 0) return [...messages];
  const [latest, own] = await Promise.all([
    stores.reactions.latestFor(ids, LATEST_REACTIONS),
    readerId ? stores.reactions.ownFor(ids, readerId) : Promise.resolve(new Map<string, Reaction[]>()),
  ]);
  const authorIds = new Set([...latest.values(), ...own.values()].flat().map((r) => r.user_id));
  const users = new Map((authorIds.size > 0 ? await stores.users.batchGet([...authorIds]) : []).map((u) => [u.id, u]));
  return messages.map((m) => (hasReactions(m) ? withReactionsOf(m, latest.get(m.id) ?? [], (own.get(m.id) ?? []).slice(0, OWN_REACTIONS), users) : m));
}

function withReactionsOf<M extends Message>(m: M, latest: Reaction[], own: Reaction[], users: ReadonlyMap<string, User>): M {
  const withUser = (r: Reaction): Reaction => ({ ...r, user: users.get(r.user_id) ?? null });
  return { ...m, latest_reactions: latest.map(withUser), own_reactions: own.map(withUser) };
}

/** withReactions as a lookup, for a caller that places the messages itself (channel-state.ts). */
export async function reactionsOf(stores: ReadStores, messages: readonly Message[], readerId?: string): Promise<(m: Message) => Message> {
  if (!messages.some(hasReactions)) return (m) => m;
  const byId = new Map((await withReactions(stores, messages, readerId)).map((m) => [m.id, m]));
  return (m) => byId.get(m.id) ?? m;
}
