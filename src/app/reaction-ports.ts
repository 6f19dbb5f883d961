import type { FilterNode } from '../domain/filter/filter-ast.js';
import type { SortSpec } from '../domain/filter/sort-spec.js';
import type { Reaction } from '../domain/message.js';
import type { ReactionTallies } from '../domain/reaction.js';

export interface ReactionPage {
  filter: FilterNode;
  /** Empty: newest first. */
  sort: SortSpec;
  limit: number;
  offset: number;
}

/**
 * Reactions (table `reactions`, one row per message, type and user) and the tallies each
 * message carries (messages.reaction_counts, reaction_scores).
 */
export interface ReactionStore {
  /**
   * Locks the message row until the transaction ends (PostgreSQL; SQLite's one writer already
   * serialises), so that the tallies read next and written by setTallies cannot interleave with
   * another reaction's. False when there is no such message.
   */
  lockMessage(messageId: string): Promise<boolean>;
  /** The user's reactions on the message. */
  ofUser(messageId: string, userId: string): Promise<Reaction[]>;
  /** Inserts the reaction, or replaces the one of the same message, type and user. */
  upsert(reaction: Reaction): Promise<void>;
  /** Deletes the user's reactions of these types on the message; returns those it deleted. */
  delete(messageId: string, userId: string, types: readonly string[]): Promise<Reaction[]>;
  setTallies(messageId: string, tallies: ReactionTallies): Promise<void>;
  /** A page of the message's reactions. */
  page(messageId: string, page: ReactionPage): Promise<Reaction[]>;
  /** Per message, its `perMessage` newest reactions, newest first; messages without any are absent. */
  latestFor(messageIds: readonly string[], perMessage: number): Promise<Map<string, Reaction[]>>;
  /** Per message, the user's reactions on it, newest first. */
  ownFor(messageIds: readonly string[], userId: string): Promise<Map<string, Reaction[]>>;
}
