import type { ChannelInfo, MemberRow, Outcome } from '../app/campaign-rendering.js';
import type { PreparedDelivery } from '../app/outbox-types.js';
import type { Campaign } from '../domain/campaign.js';
import type { Micros } from '../domain/clock.js';
import type { CampaignBatchEntry } from '../domain/feed.js';
import type { BucketRow } from '../domain/rate-bucket.js';

/**
 * The sender's one port: what it needs from storage and nothing else. Each dialect implements
 * it once (storage/dialects/*\/…-sender-store.ts); the rules it executes are decided here, in
 * the planner (batch-planner.ts), never in SQL.
 */
export interface SenderStore {
  /** Takes the campaign's expansion lease unless expansion is done or another owner holds it. */
  claimAudience(campaignId: string, owner: string, now: Micros, leaseMs: number): Promise<AudienceLease | undefined>;
  /**
   * Expands one keyset page of `sources[lease.step]` after `lease.cursor`. In one transaction:
   * inserts the page's targets that are not in the ledger yet, counts them into
   * stats_targets_total and moves the saved state on (the next source when this one is
   * exhausted), fenced by the lease owner. `appended` is false when the lease was lost.
   */
  expandPage(campaign: Campaign, sources: readonly AudienceSource[], lease: AudienceLease, owner: string, limit: number, now: Micros): Promise<{ appended: boolean; done: boolean }>;
  releaseAudience(campaignId: string, owner: string): Promise<void>;
  /**
   * Sends one batch: claims up to `claim.limit` pending targets of the campaign in target id
   * order, hands them to `plan`, and writes the plan in ONE transaction with the claim:
   * messages, channels, members, ledger rows, webhook rows, the chat feed row and the stats,
   * so that a crash loses only uncommitted work and no target is sent twice. Targets the plan
   * leaves out stay pending. Null when no target was free.
   */
  sendBatch(claim: BatchClaim, plan: (targetIds: readonly string[]) => Promise<DeliveryPlan>): Promise<DeliveryResult | null>;
  /**
   * Disk held back for the write that stops a campaign on a full disk (SQLite keeps a reserve
   * file beside the database): kept each round, given up just before that write.
   */
  keepDiskReserve(): Promise<void>;
  releaseDiskReserve(): Promise<boolean>;
  /** What the batch's receivers decided about being messaged by `senderId` (bans, blocks, mutes), live at `now`. */
  receiverRules(senderId: string, userIds: readonly string[], now: Micros): Promise<ReceiverRules>;
  /** Channel targets' channels, for their templates (`channel.*`). */
  channelsByCid(cids: readonly string[]): Promise<ChannelInfo[]>;
  /**
   * The throttle's token buckets (send_rate_buckets): reads the rows of `keys`, locked against
   * every other worker, and writes the levels `update` makes of them, in one short
   * transaction of its own (never the batch's, which would hold the app's bucket for a batch).
   */
  updateBuckets(keys: readonly string[], now: Micros, update: (rows: ReadonlyMap<string, BucketRow>) => ReadonlyMap<string, number>): Promise<void>;
}

/** Per receiver: why it may not get the campaign's message, or gets it silently. */
export interface ReceiverRules {
  /** user id → the cids it is banned from, '' meaning app-wide. */
  banned: Map<string, Set<string>>;
  /** Users who blocked the sender. */
  blockedSender: Set<string>;
  /** Users who muted the sender. */
  mutedSender: Set<string>;
  /** user id → the cids it muted. */
  mutedChannels: Map<string, Set<string>>;
}

/** Where the audience is read from, in expansion order: user_ids, then each segment. */
export type AudienceSource = { kind: 'user_ids'; ids: readonly string[] } | { kind: 'segment'; segmentId: string };

export interface AudienceLease {
  step: number;
  cursor: string | null;
}

export interface BatchClaim {
  campaignId: string;
  owner: string;
  limit: number;
  /** Deferred targets due by now are claimed too. */
  now: Micros;
}

export type { ChannelInfo, MemberRow, Outcome };

/** One target's send, planned in JS before the write. The writer only executes it. */
export interface DeliveryItem {
  targetId: string;
  /** Decided in planning: skipped (with reason) or failed (with error), nothing written but the ledger row. */
  outcome?: Outcome;
  /**
   * Outside its delivery window: the target stays pending until then (deferred_until), and
   * nothing else is written. Claims take it again when it is due.
   */
  deferUntil?: Micros;
  cid: string;
  channelType: string;
  channelId: string;
  messageId: string;
  text: string;
  /** The channel is created with these members when it does not exist yet. */
  create?: { members: readonly MemberRow[] };
  /** Sent without notifying the receiver (it muted the channel or the sender): no unread count. */
  silent?: boolean;
  /** The reason a sent target's ledger row keeps (SilentReason), null when plain. */
  sentReason?: string;
  /** Members added when the channel exists already (the sender, in sender_mode include). */
  join: readonly MemberRow[];
  /** The member for whom an existing channel is shown again (show_channels). */
  unhide?: string;
  /** What the target becomes when its channel does not exist at commit and is not created. */
  ifMissing: Outcome;
  /** Users reached: the receiver, or the channel's members other than the sender. */
  reach: 'receiver' | 'members';
  /** Webhook deliveries to insert with the message, and more if the send creates the channel. */
  webhooks?: { always: PreparedDelivery[]; ifCreated: PreparedDelivery[] };
}

export interface DeliveryPlan {
  campaignId: string;
  now: Micros;
  senderId: string;
  /** For channels the campaign creates. */
  channel: { team: string | null; customJson: string };
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
  /** Targets the plan did not cover (planning ran out of time): still pending. */
  unplanned: number;
  /** The change in the campaign's deferred targets: deferred now, less those done that were. */
  deferred: number;
}

export const emptyResult = (): DeliveryResult => ({ sent: 0, skipped: 0, failed: 0, channelsCreated: 0, usersSent: 0, unplanned: 0, deferred: 0 });
