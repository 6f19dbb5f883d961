import type { Flag, FlagTarget } from '../domain/flag.js';
import type { FilterNode } from '../domain/filter/filter-ast.js';
import type { SortSpec } from '../domain/filter/sort-spec.js';

export interface FlagPage {
  filter: FilterNode;
  /** Empty: newest first. */
  sort: SortSpec;
  limit: number;
  offset: number;
  /** Only flags of messages (queryMessageFlags). */
  messagesOnly: boolean;
}

/** A flag as the queries return it, with what its filters read of the flagged message. */
export interface FlagRow extends Flag {
  /** The flagged message's author and channel; null for user flags and messages since removed. */
  message_user_id: string | null;
  channel_cid: string | null;
}

/** Flags (table `flags`, one per flagger and target). */
export interface FlagStore {
  /** False when the user already flagged the target. */
  insert(flag: Flag): Promise<boolean>;
  /** Removes the user's flag of the target; returns it, if there was one. */
  delete(targetType: FlagTarget, targetId: string, userId: string): Promise<Flag | undefined>;
  /** How many users flagged the target (Stream's total_flags). */
  countFor(targetType: FlagTarget, targetId: string): Promise<number>;
  query(page: FlagPage): Promise<FlagRow[]>;
  /** How many flags match (the v2 flag_count). */
  count(filter: FilterNode): Promise<number>;
}
