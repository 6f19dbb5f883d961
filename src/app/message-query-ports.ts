import type { Channel } from '../domain/channel.js';
import type { Micros } from '../domain/clock.js';
import type { FilterNode } from '../domain/filter/filter-ast.js';
import type { SortSpec } from '../domain/filter/sort-spec.js';
import type { Message } from '../domain/message.js';

/** The store of message reads beyond a channel's history (storage/message-query-store.ts). */

/** A page of a thread's replies; always returned oldest first, like a channel's history. */
export interface ReplyPage {
  limit: number;
  id_lt?: string;
  id_lte?: string;
  id_gt?: string;
  id_gte?: string;
  created_at_before?: Micros;
  created_at_before_or_equal?: Micros;
  created_at_after?: Micros;
  created_at_after_or_equal?: Micros;
  /** Without a lower bound: the newest `limit` (sort created_at -1) rather than the oldest. */
  newest: boolean;
}

/** A page of a channel's pinned messages, pins past their pin_expires left out. */
export interface PinnedPage {
  limit: number;
  offset: number;
  now: Micros;
  /** By pinned_at: -1 newest pin first (Stream's default), 1 oldest first. */
  direction: 1 | -1;
  pinned_at_before?: Micros;
  pinned_at_before_or_equal?: Micros;
  pinned_at_after?: Micros;
  pinned_at_after_or_equal?: Micros;
}

/** Search: messages (not deleted) of the channels that match `channelFilter`. */
export interface MessageSearch {
  channelFilter: FilterNode;
  messageFilter: FilterNode;
  sort: SortSpec;
  limit: number;
  offset: number;
  /** Only channels this user is a member of (a user token's search). */
  memberId?: string;
}

/** Reads of messages beyond a channel's history: threads, pins and search. */
export interface MessageQueryStore {
  replies(parentId: string, page: ReplyPage): Promise<Message[]>;
  pinned(cid: string, page: PinnedPage): Promise<Message[]>;
  search(search: MessageSearch): Promise<Array<{ message: Message; channel: Channel }>>;
}
