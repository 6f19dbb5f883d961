import type { Campaign } from '../domain/campaign.js';
import type { CampaignTarget, TargetStatus } from '../domain/campaign-target.js';
import type { Micros } from '../domain/clock.js';
import type { CampaignBatchEntry } from '../domain/feed.js';
import type { PreparedDelivery } from './outbox-types.js';

/** Where the audience is read from, in expansion order: user_ids, then each segment. */
export type AudienceSource =
  | { kind: 'user_ids'; ids: readonly string[] }
  | { kind: 'segment'; segmentId: string };

export interface AudienceLease {
  step: number;
  cursor: string | null;
}

export interface AudienceStore {
  /** Takes the campaign's expansion lease unless expansion is done or another owner holds it. */
  claim(campaignId: string, owner: string, now: Micros, leaseMs: number): Promise<AudienceLease | undefined>;
  /**
   * Expands one keyset page of `sources[lease.step]` after `lease.cursor`. In one transaction:
   * inserts the page's targets that are not in the ledger yet, counts them into
   * stats_targets_total and moves the saved state on (the next source when this one is
   * exhausted), fenced by the lease owner. `appended` is false when the lease was lost.
   */
  expandPage(
    campaign: Campaign,
    sources: readonly AudienceSource[],
    lease: AudienceLease,
    owner: string,
    limit: number,
    now: Micros,
  ): Promise<{ appended: boolean; done: boolean }>;
  release(campaignId: string, owner: string): Promise<void>;
}

/** One target's send, planned in JS before the write transaction. */
export interface DeliveryItem {
  targetId: string;
  kind: 'user' | 'channel';
  /** Decided before the write: skipped (with reason) or failed (with error), no message. */
  outcome?: { status: typeof TargetStatus.skipped | typeof TargetStatus.failed; reason?: string; error?: string };
  cid: string;
  channelType: string;
  channelId: string;
  /** User targets: the receiving user. */
  receiverId?: string;
  messageId: string;
  text: string;
  /** Webhook deliveries to insert with the message, and more if the send creates the channel. */
  webhooks?: { always: PreparedDelivery[]; ifCreated: PreparedDelivery[] };
}

export interface MemberPlan {
  user_id: string;
  channel_role: string;
}

export interface DeliveryPlan {
  campaignId: string;
  owner: string;
  now: Micros;
  senderId: string;
  createChannels: boolean;
  senderMode: Campaign['sender_mode'];
  senderVisibility: Campaign['sender_visibility'];
  showChannels: boolean;
  /** For channels the campaign creates. */
  channel: { team: string | null; customJson: string; members: readonly MemberPlan[] };
  message: { attachmentsJson: string; pollId: string | null; customJson: string };
  items: readonly DeliveryItem[];
  /** The batch's chat feed row, written last in its transaction when it sent anything. */
  feed: CampaignBatchEntry;
}

export interface DeliveryResult {
  sent: number;
  skipped: number;
  failed: number;
  channelsCreated: number;
  usersSent: number;
  /** Targets whose lease was lost (the reaper gave them to another worker): not touched. */
  lost: number;
}

export interface ChannelInfo {
  cid: string;
  custom: Record<string, unknown>;
  team: string | null;
}

export interface LedgerStore {
  /**
   * Takes up to `limit` pending targets of the campaign, in target id order: with a lease on
   * PostgreSQL; on SQLite (one writer) as a plain read. Either way the commit writes only rows
   * still pending and not leased to another owner.
   */
  claim(campaignId: string, owner: string, now: Micros, leaseMs: number, limit: number): Promise<string[]>;
  /** Writes the batch in one transaction: messages, channels, ledger rows and stats. */
  commit(plan: DeliveryPlan): Promise<DeliveryResult>;
  /** Gives leased targets back (after a failed batch), fenced by the owner. */
  release(campaignId: string, owner: string, targetIds: readonly string[]): Promise<void>;
  /** Frees every lease that expired: the worker that held it died or stalled. */
  reapExpired(now: Micros): Promise<number>;
  channelsByCid(cids: readonly string[]): Promise<ChannelInfo[]>;
  get(campaignId: string, targetId: string): Promise<CampaignTarget | undefined>;
  query(campaignId: string, statuses: readonly TargetStatus[] | null, after: string | null, limit: number): Promise<CampaignTarget[]>;
  /** Counts a read of campaign messages in a channel by a user (stats_users_read). */
  markRead(cid: string, userId: string, at: Micros): Promise<void>;
}

export interface SchedulerStore {
  /** scheduled → in_progress for campaigns whose time has come; returns their ids. */
  promoteDue(now: Micros): Promise<string[]>;
  /** scheduled or in_progress → stopped for campaigns past stop_at; returns their ids. */
  stopDue(now: Micros): Promise<string[]>;
  /** Campaigns in progress, oldest first. */
  inProgress(): Promise<Campaign[]>;
  /**
   * in_progress → completed when expansion is done and no target is pending. Run it in a
   * transaction: the campaign row stays locked so that no target is appended meanwhile.
   */
  completeIfDone(campaignId: string, now: Micros): Promise<boolean>;
}

export interface SenderStores {
  ledger: LedgerStore;
  audience: AudienceStore;
}
