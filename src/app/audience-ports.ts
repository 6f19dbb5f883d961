import type { Campaign } from '../domain/campaign.js';
import type { User } from '../domain/user.js';

/**
 * What a campaign preview reads of its audience (storage/audience-store.ts). It writes nothing.
 * The audience is the sender's: user_ids or every segment, as expansion reads them
 * (storage/sender/segment-page.ts), de-duplicated, minus targets the ledger has finished.
 */
export interface AudienceStore {
  /** Counts over the whole audience, computed in the database. */
  count(campaign: Campaign, request: AudienceCountRequest): Promise<AudienceCounts>;
  /** Targets in id order after `after` (null: from the first), the unfinished ones with their users. */
  page(campaign: Campaign, after: string | null, limit: number): Promise<AudiencePage>;
  /** Those of `targetIds` that a send started now would reach: in the audience and not finished. */
  batchInAudience(campaign: Campaign, targetIds: readonly string[]): Promise<Set<string>>;
  /** Each cid that has a channel row: `live`, or `deleted` (a send skips it and cannot create it). */
  batchChannelStates(cids: readonly string[]): Promise<Map<string, 'live' | 'deleted'>>;
  /** Messages a second of the campaign that completed last with messages sent; null if none did. */
  recentSendRate(): Promise<number | null>;
}

/** Where userVars (app/template-vars.ts) finds a `receiver.*` path. */
export type UserVarSource =
  | { kind: 'column'; column: 'id' | 'name' | 'image' | 'role' | 'language' }
  | { kind: 'json'; column: 'teams' | 'custom'; path: readonly (string | number)[] }
  /** A property of a text field: never there. */
  | { kind: 'never' };

export interface AudienceCountRequest {
  /**
   * Decide user targets' distinct channels (sender + receiver) in the database: the channel
   * type, or null when the campaign names its channels with channel_template.id.
   */
  distinctChannelType: string | null;
  /** Counted as missing for each target whose receiver lacks it (channel targets have none). */
  receiverVars: readonly UserVarSource[];
}

export interface AudienceCounts {
  /** Distinct targets a send started now would reach. */
  total: number;
  /** Per segment id, its size before de-duplication (and before the ledger is subtracted); 0 for a deleted segment. */
  segments: Map<string, number>;
  /** Channel targets (cids), and those whose channel is live. */
  channelTargets: number;
  liveChannelTargets: number;
  /** User targets that are users (not deleted), and the sender among them. */
  knownUsers: number;
  sender: number;
  /** With distinctChannelType: known users whose distinct channel is live, or deleted. */
  distinctLive: number;
  distinctDeleted: number;
  /** Per receiverVars entry: targets without the value (or null), no receiver counting as without. */
  missing: number[];
}

export interface AudiencePage {
  /** Unfinished targets of the page; `user` for those that are users (not deleted). */
  rows: Array<{ target: string; user?: User }>;
  /** The target to continue after; null at the end. */
  next: string | null;
}
