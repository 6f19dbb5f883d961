import type { Micros } from '../domain/clock.js';
import type { FilterNode } from '../domain/filter/filter-ast.js';
import type { SortSpec } from '../domain/filter/sort-spec.js';
import type { Reaction } from '../domain/message.js';
import type { Ban, UserBlock, UserMute } from '../domain/moderation.js';

/**
 * Users' lifecycle and moderation: bans, mutes, blocks, deactivation, restore, export. Tables
 * `bans`, `user_mutes`, `user_blocks` (migration 009) and flags on `users`/`channel_members`.
 */
export interface ModerationStore {
  /**
   * Stores the ban, replacing one of the same user and channel, and keeps the flags clients
   * read in step: users.banned/shadow_banned for an app-wide ban, the membership's
   * banned/shadow_banned/ban_expires for a channel ban.
   */
  upsertBan(ban: Ban): Promise<void>;
  /** Removes the ban and clears those flags; returns the ban removed, if there was one. */
  deleteBan(userId: string, channelCid: string): Promise<Ban | undefined>;
  /** The user's bans among `channelCids` ('' for app-wide), expired ones included. */
  bansOf(userId: string, channelCids: readonly string[]): Promise<Ban[]>;
  /** Bans not expired at `now` that match the filter, a page in `sort` order. */
  queryBans(page: { filter: FilterNode; sort: SortSpec; limit: number; offset: number }, now: Micros): Promise<Ban[]>;

  /** Inserts or renews the mutes (created_at kept on renewal). */
  upsertMutes(mutes: readonly UserMute[]): Promise<void>;
  /** Returns the target ids whose mute it removed. */
  deleteMutes(userId: string, targetIds: readonly string[]): Promise<string[]>;
  /** The user's mutes not expired at `now`, oldest first. */
  mutesOf(userId: string, now: Micros): Promise<UserMute[]>;

  /** Stores the block unless it exists; returns the stored one. */
  insertBlock(block: UserBlock): Promise<UserBlock>;
  deleteBlock(userId: string, blockedUserId: string): Promise<boolean>;
  /** The user's blocks, oldest first. */
  blocksOf(userId: string): Promise<UserBlock[]>;

  /** Sets (or, with null, clears) deactivated_at of the users; returns the ids it changed. */
  setDeactivated(userIds: readonly string[], deactivatedAt: Micros | null, now: Micros): Promise<string[]>;
  /** Un-deletes the messages of the user soft-deleted exactly at `deletedAt` (its deactivation). */
  restoreMessages(userId: string, deletedAt: Micros, now: Micros): Promise<number>;
  /** Brings soft-deleted users back; returns the ids restored. */
  restoreUsers(userIds: readonly string[], now: Micros): Promise<string[]>;

  /** The user's messages, deleted ones included, oldest first, at most `limit`. */
  messageIdsOf(userId: string, limit: number): Promise<string[]>;
  /** The user's reactions, oldest first, at most `limit`. */
  reactionsOf(userId: string, limit: number): Promise<Reaction[]>;
}
