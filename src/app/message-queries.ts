import { cidOf, type Channel } from '../domain/channel.js';
import type { Micros } from '../domain/clock.js';
import { inputError, notAllowed, notFound } from '../domain/errors.js';
import { planSearch, searchCursors, type SearchPayload } from '../domain/message-search.js';
import type { AppDeps } from './app-deps.js';
import type { Caller } from './caller.js';
import { checkChannelType } from './channels.js';
import { withReactions } from './message-reactions.js';
import { withAuthors, withQuoted } from './message-references.js';
import type { ReplyPage } from './message-query-ports.js';
import type { MessageWithAuthor } from './messages.js';
import { pageLimit } from './paging.js';

/** getReplies' paging: ids as in a channel's history, created_at bounds, and the sort's direction. */
export type RepliesInput = Partial<ReplyPage>;

export interface PinnedInput {
  limit?: number;
  offset?: number;
  /** By pinned_at; -1 (newest pin first) by default. */
  direction?: 1 | -1;
  pinned_at_before?: Micros;
  pinned_at_before_or_equal?: Micros;
  pinned_at_after?: Micros;
  pinned_at_after_or_equal?: Micros;
}

export interface SearchResults {
  results: Array<MessageWithAuthor & { channel: Channel }>;
  next?: string;
  previous?: string;
}

/** Reads of messages beyond a channel's history: a thread's replies, pinned messages, search. */
export class MessageQueriesService {
  constructor(private readonly deps: AppDeps) {}

  async replies(caller: Caller, parentId: string, input: RepliesInput): Promise<MessageWithAuthor[]> {
    const parent = await this.deps.storage.messages.get(parentId);
    if (!parent) throw notFound(`message "${parentId}" does not exist`);
    await this.requireMember(caller, parent.cid);
    const { limit, newest, ...bounds } = input;
    const replies = await this.deps.storage.messageQueries.replies(parentId, { ...bounds, limit: pageLimit(limit, 25, 300), newest: newest ?? false });
    const reacted = await withReactions(this.deps.storage, replies, readerOf(caller));
    return withQuoted(this.deps.storage, await withAuthors(this.deps.storage, reacted));
  }

  async pinned(caller: Caller, type: string, id: string, input: PinnedInput): Promise<MessageWithAuthor[]> {
    checkChannelType(type);
    const cid = cidOf(type, id);
    if (!(await this.deps.storage.channels.get(cid))) throw notFound(`channel "${cid}" does not exist`);
    await this.requireMember(caller, cid);
    const offset = input.offset ?? 0;
    if (!Number.isInteger(offset) || offset < 0 || offset > 1000) throw inputError('offset must be between 0 and 1000', { offset: 'out of range' });
    const { limit, direction, ...bounds } = input;
    const pinned = await this.deps.storage.messageQueries.pinned(cid, {
      ...bounds,
      limit: pageLimit(limit, 25, 300),
      offset,
      direction: direction ?? -1,
      now: this.deps.clock.nowMicros(),
    });
    return withAuthors(this.deps.storage, await withReactions(this.deps.storage, pinned, readerOf(caller)));
  }

  /**
   * Messages of the channels that match the channel filter (for a user token, only channels it
   * is a member of), by a text query or a message filter. The query matches messages whose
   * text holds every word of it, whatever the case (ASCII case on SQLite).
   */
  async search(caller: Caller, payload: SearchPayload): Promise<SearchResults> {
    const plan = planSearch(payload);
    const memberId = caller.kind === 'user' ? caller.userId : undefined;
    // One row more than the page says whether there is a next one.
    const found = await this.deps.storage.messageQueries.search({ ...plan, limit: plan.limit + 1, memberId });
    const page = found.slice(0, plan.limit);
    const channels = new Map(page.map((r) => [r.message.id, r.channel]));
    const reacted = await withReactions(this.deps.storage, page.map((r) => r.message), memberId);
    const messages = await withQuoted(this.deps.storage, await withAuthors(this.deps.storage, reacted));
    return {
      results: messages.map((m) => ({ ...m, channel: channels.get(m.message.id)! })),
      ...searchCursors(plan, found.length > plan.limit),
    };
  }

  private async requireMember(caller: Caller, cid: string): Promise<void> {
    if (caller.kind === 'user' && !(await this.deps.storage.channels.member(cid, caller.userId))) {
      throw notAllowed(`user "${caller.userId}" is not a member of channel "${cid}"`);
    }
  }
}

// own_reactions are the reader's: a user token's user (a server token reads as no one).
const readerOf = (caller: Caller): string | undefined => (caller.kind === 'user' ? caller.userId : undefined);
