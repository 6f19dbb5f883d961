import type { Channel } from '../domain/channel.js';
import type { ChatEvent } from '../domain/chat-event.js';
import { checkCustomData } from '../domain/custom-data.js';
import { decodeOffset, offsetPager } from '../domain/cursor.js';
import { inputError, notAllowed, notFound } from '../domain/errors.js';
import { reactionFilterFields } from '../domain/filter/reaction-filter-fields.js';
import { parseFilter } from '../domain/filter/filter-parser.js';
import { parseSort } from '../domain/filter/sort-spec.js';
import type { Message, Reaction } from '../domain/message.js';
import { checkReactionScore, checkReactionType, ReactionEventType, retally } from '../domain/reaction.js';
import type { User } from '../domain/user.js';
import type { AppDeps } from './app-deps.js';
import type { Caller } from './caller.js';
import { publishChatEvents } from './chat-events.js';
import { withReactions } from './message-reactions.js';
import { pageLimit, type Paged } from './paging.js';
import type { Stores } from './ports.js';

export interface ReactionInput {
  type: unknown;
  score?: unknown;
  /** Who reacts, for server-side auth; a user token reacts as itself. */
  user_id?: string;
  custom: Record<string, unknown>;
}

export interface SendReactionOptions {
  /** Replace every other reaction of the user on the message. */
  enforce_unique?: boolean;
}

/** What a reaction change answers: the message as it is now (for the actor), and the reaction. */
export interface ReactionChange {
  message: Message;
  author: User | null;
  reaction: Reaction;
}

export interface ReactionQuery {
  filter?: unknown;
  sort?: unknown;
  limit?: number;
  next?: string;
  prev?: string;
}

/** Stream's paging of GET /messages/{id}/reactions (limit ≤ 300, offset ≤ 1000) and of the query (limit ≤ 100). */
const LIST_MAX = 300;
const LIST_MAX_OFFSET = 1000;
const QUERY_MAX = 100;

/**
 * Reactions to messages. Each change runs in one transaction that locks the message row first
 * (ReactionStore.lockMessage), then reads the user's reactions and the message's tallies,
 * writes both, and reports the event last: two users reacting at once change the tallies one
 * after the other, so reaction_counts and reaction_scores stay the sums of the rows. The cost
 * is an O(1) read-modify-write of one row per change (never a count of a message's reactions),
 * and concurrent reactions to one message wait for each other's commit.
 */
export class ReactionsService {
  constructor(private readonly deps: AppDeps) {}

  async send(caller: Caller, messageId: string, input: ReactionInput, options: SendReactionOptions = {}): Promise<ReactionChange> {
    const type = checkReactionType(input.type);
    const score = checkReactionScore(input.score);
    checkCustomData(input.custom, 'reaction', this.deps.customData);
    const userId = this.actor(caller, input.user_id, 'add reactions');
    const now = this.deps.clock.nowMicros();
    return this.deps.storage.transaction(async (stores) => {
      const { message, channel, user, author } = await this.lockedMessage(stores, caller, messageId, userId);
      const existing = await stores.reactions.ofUser(messageId, userId);
      const same = existing.find((r) => r.type === type);
      const removed = options.enforce_unique ? existing : same ? [same] : [];
      const reaction: Reaction = {
        message_id: messageId,
        type,
        user_id: userId,
        score,
        custom: input.custom,
        created_at: same?.created_at ?? now,
        updated_at: now,
      };
      await stores.reactions.delete(messageId, userId, removed.filter((r) => r.type !== type).map((r) => r.type));
      await stores.reactions.upsert(reaction);
      const eventType = options.enforce_unique && existing.length > 0 ? ReactionEventType.updated : ReactionEventType.new;
      return this.finish(stores, { message, channel, author, user, userId, removed, added: reaction, eventType, now });
    });
  }

  async delete(caller: Caller, messageId: string, type: string, userIdParam: string | undefined): Promise<ReactionChange> {
    const userId = this.actor(caller, userIdParam, 'remove reactions');
    const now = this.deps.clock.nowMicros();
    return this.deps.storage.transaction(async (stores) => {
      const { message, channel, user, author } = await this.lockedMessage(stores, caller, messageId, userId);
      const removed = await stores.reactions.delete(messageId, userId, [type]);
      if (removed.length === 0) throw notFound(`user "${userId}" has no reaction "${type}" on message "${messageId}"`);
      return this.finish(stores, { message, channel, author, user, userId, removed, added: null, eventType: ReactionEventType.deleted, now });
    });
  }

  /** GET /messages/{id}/reactions: newest first, by offset. */
  async list(caller: Caller, messageId: string, page: { limit?: number; offset?: number }): Promise<Reaction[]> {
    const limit = pageLimit(page.limit, 10, LIST_MAX);
    const offset = page.offset ?? 0;
    if (!Number.isInteger(offset) || offset < 0 || offset > LIST_MAX_OFFSET) {
      throw inputError(`offset must be between 0 and ${LIST_MAX_OFFSET}`, { offset: 'out of range' });
    }
    await this.readable(caller, messageId);
    const reactions = await this.deps.storage.reactions.page(messageId, { filter: parseFilter({}, reactionFilterFields), sort: [], limit, offset });
    return this.withUsers(reactions);
  }

  /** POST /messages/{id}/reactions (queryReactions): filtered, sorted by created_at, with next/prev cursors. */
  async query(caller: Caller, messageId: string, input: ReactionQuery): Promise<Paged<Reaction>> {
    const filter = parseFilter(input.filter ?? {}, reactionFilterFields);
    const sort = parseSort(input.sort, reactionFilterFields);
    const unsortable = sort.find((s) => s.field !== 'created_at');
    if (unsortable) throw inputError(`reactions sort by created_at only, not "${unsortable.field}"`, { sort: 'not supported' });
    const limit = pageLimit(input.limit, 25, QUERY_MAX);
    const offset = input.next ? decodeOffset(input.next, 'next') : decodeOffset(input.prev, 'prev');
    await this.readable(caller, messageId);
    // One row more than the page says whether there is a next one.
    const rows = await this.deps.storage.reactions.page(messageId, { filter, sort, limit: limit + 1, offset });
    const items = await this.withUsers(rows.slice(0, limit));
    return { items, ...offsetPager(offset, limit, items.length, rows.length > limit) };
  }

  /** Who acts: a user token as itself only; the server names the user. */
  private actor(caller: Caller, userId: string | undefined, what: string): string {
    if (caller.kind === 'user') {
      if (userId !== undefined && userId !== caller.userId) {
        throw notAllowed(`user "${caller.userId}" is not allowed to ${what} for user "${userId}"`);
      }
      return caller.userId;
    }
    if (!userId) throw inputError('reaction.user or reaction.user_id is required when using server side auth', { user_id: 'required' });
    return userId;
  }

  /** The message, locked, with what the change reports; a user token must be a member of its channel. */
  private async lockedMessage(stores: Stores, caller: Caller, messageId: string, userId: string) {
    if (!(await stores.reactions.lockMessage(messageId))) throw notFound(`message "${messageId}" does not exist`);
    const message = await stores.messages.get(messageId);
    if (!message || message.deleted_at !== null) throw notFound(`message "${messageId}" does not exist`);
    const [channel, users] = await Promise.all([stores.channels.get(message.cid), stores.users.batchGet([userId, message.user_id])]);
    if (!channel) throw notFound(`message "${messageId}" does not exist`);
    const user = users.find((u) => u.id === userId);
    if (!user || user.deleted_at !== null) throw inputError(`user "${userId}" does not exist`, { user_id: 'not found' });
    if (caller.kind === 'user' && !(await stores.channels.member(message.cid, userId))) {
      throw notAllowed(`user "${userId}" is not a member of channel "${message.cid}"`);
    }
    return { message, channel, user, author: users.find((u) => u.id === message.user_id) ?? null };
  }

  /** Writes the new tallies, reads the message back as the actor sees it, and reports the event (last). */
  private async finish(
    stores: Stores,
    c: {
      message: Message; channel: Channel; author: User | null; user: User; userId: string;
      removed: Reaction[]; added: Reaction | null; eventType: ReactionEventType; now: number;
    },
  ): Promise<ReactionChange> {
    const tallies = retally(c.message, c.removed, c.added);
    await stores.reactions.setTallies(c.message.id, tallies);
    const tallied: Message = { ...c.message, reaction_counts: tallies.counts, reaction_scores: tallies.scores };
    const [message] = await withReactions(stores, [tallied], c.userId);
    const reaction = { ...(c.added ?? c.removed[0]), user: c.user };
    const event: ChatEvent = {
      type: c.eventType,
      created_at: c.now,
      channel: c.channel,
      user: { id: c.userId, user: c.user },
      // A reader's own_reactions are its own: watchers work theirs out from `reaction`.
      message: { message: { ...message, own_reactions: [] }, author: c.author },
      reaction: { reaction, user: c.user },
    };
    await publishChatEvents(this.deps, stores, [event]);
    return { message, author: c.author, reaction };
  }

  private async readable(caller: Caller, messageId: string): Promise<Message> {
    const message = await this.deps.storage.messages.get(messageId);
    if (!message || message.deleted_at !== null) throw notFound(`message "${messageId}" does not exist`);
    if (caller.kind === 'user' && !(await this.deps.storage.channels.member(message.cid, caller.userId))) {
      throw notAllowed(`user "${caller.userId}" is not a member of channel "${message.cid}"`);
    }
    return message;
  }

  private async withUsers(reactions: Reaction[]): Promise<Reaction[]> {
    if (reactions.length === 0) return reactions;
    const users = new Map((await this.deps.storage.users.batchGet([...new Set(reactions.map((r) => r.user_id))])).map((u) => [u.id, u]));
    return reactions.map((r) => ({ ...r, user: users.get(r.user_id) ?? null }));
  }
}
