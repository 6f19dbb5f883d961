import type { Channel, ChannelMember } from '../domain/channel.js';
import type { Micros } from '../domain/clock.js';
import type { FilterNode } from '../domain/filter/filter-ast.js';
import type { SortSpec } from '../domain/filter/sort-spec.js';
import type { Message } from '../domain/message.js';
import type { AppSettings } from '../domain/app-settings.js';
import type { Campaign, CampaignStatus, MessageTemplate } from '../domain/campaign.js';
import type { MessageJob, MessageJobKind } from '../domain/message-job.js';
import type { OutboxStatus } from '../domain/events.js';
import type { CampaignTarget, TargetStatus } from '../domain/campaign-target.js';
import type { OutboxPosition, OutboxRow, PreparedDelivery } from './outbox-types.js';

export type { OutboxPosition, OutboxRow, PreparedDelivery };
import type { Segment } from '../domain/segment.js';
import type { Task } from '../domain/task.js';
import type { FeedEntry, FeedRow } from '../domain/feed.js';
import type { UnreadCounts } from './realtime-ports.js';
import type { ReactionStore } from './reaction-ports.js';
import type { FlagStore } from './flag-ports.js';
import type { User } from '../domain/user.js';
import type { AudienceStore } from './audience-ports.js';
import type { MessageQueryStore } from './message-query-ports.js';
import type { ModerationStore } from './moderation-ports.js';
import type { ChannelAdminStore, ChannelExportStore, ChannelMuteStore, MemberStore } from './channel-management-ports.js';

/** Store interfaces the app layer owns; storage/ implements them for SQLite and PostgreSQL. */

export interface PageRequest {
  filter: FilterNode;
  sort: SortSpec;
  limit: number;
  offset: number;
}

export interface UserStore {
  /** Inserts or fully replaces users, keeping each existing user's created_at. */
  batchUpsert(users: readonly User[]): Promise<void>;
  batchGet(ids: readonly string[]): Promise<User[]>;
  /** Deactivated users only with `includeDeactivated` (Stream's include_deactivated_users). */
  query(page: PageRequest & { includeDeactivated?: boolean }): Promise<User[]>;
  /** Marks users deleted (soft) or removes them and their memberships (hard). Returns how many existed. */
  batchDelete(ids: readonly string[], mode: 'soft' | 'hard', now: Micros): Promise<number>;
}

export interface NewMember {
  user_id: string;
  channel_role: string;
  /** A campaign's sender may join hidden or archived for itself (sender_visibility); false by default. */
  hidden?: boolean;
  archived?: boolean;
  /** The membership's custom data (a member object's own fields). */
  custom?: Record<string, unknown>;
  /** Invited: a member once it accepts (invites). */
  invited?: boolean;
}

export interface ChannelStore {
  get(cid: string): Promise<Channel | undefined>;
  /** Creates the channel unless its cid exists; returns the stored one and whether it was created. */
  getOrInsert(channel: Channel): Promise<{ channel: Channel; created: boolean }>;
  query(page: PageRequest & { memberId?: string }): Promise<Channel[]>;
  /** Soft delete keeps the row and its messages; hard removes both. */
  delete(cid: string, hard: boolean, now: Micros): Promise<boolean>;
  members(cid: string, limit: number, offset: number): Promise<ChannelMember[]>;
  member(cid: string, userId: string): Promise<ChannelMember | undefined>;
  /** Adds the members that are not there yet and keeps member_count true; returns the added ids. */
  addMembers(cid: string, members: readonly NewMember[], now: Micros): Promise<string[]>;
  setHidden(cid: string, userId: string, hidden: boolean, now: Micros): Promise<boolean>;
  /** Un-hides the channel for every member who hid it (a new message arrived). */
  unhideAll(cid: string, now: Micros): Promise<void>;
  markRead(cid: string, userId: string, at: Micros): Promise<boolean>;
  /** Moves the member's last read (back, for mark unread); null: never read. False if not a member. */
  setLastRead(cid: string, userId: string, lastRead: Micros | null, now: Micros): Promise<boolean>;
  /** Per user: messages by others after its last read, over the channels it is a member of. */
  unreadCountsOf(userIds: readonly string[]): Promise<Map<string, UnreadCounts>>;
  /** The user's channels with messages unread by it: per channel, how many, and its last read (or join). */
  unreadChannels(userId: string): Promise<Array<{ cid: string; type: string; unread: number; last_read: Micros }>>;
  /** Per member of the channel among `userIds`: messages by others after its last read. */
  memberUnreadCounts(cid: string, userIds: readonly string[]): Promise<Map<string, number>>;
  /** The channels that exist (not deleted) among `cids`, each with all its members. */
  batchWithMembers(cids: readonly string[]): Promise<ChannelWithMembers[]>;
}

export interface ChannelWithMembers {
  channel: Channel;
  /** Oldest member first. */
  members: ChannelMember[];
}

export interface MessagePage {
  limit: number;
  id_lt?: string;
  id_lte?: string;
  id_gt?: string;
  id_gte?: string;
}

export interface MessageStore {
  /** Inserts the message and bumps the channel's message_count and last_message_at. */
  insert(message: Message): Promise<void>;
  get(id: string): Promise<Message | undefined>;
  batchGet(cid: string, ids: readonly string[]): Promise<Message[]>;
  /** Newest-last page of a channel's history: thread replies only with show_in_channel. */
  history(cid: string, page: MessagePage): Promise<Message[]>;
  /** Writes the message's content, type, pin and times: an edit, or a soft delete. */
  update(message: Message): Promise<void>;
  /** Removes the message (a hard delete) and takes it off its channel's message_count. */
  remove(id: string): Promise<boolean>;
  /** Adds `delta` to a thread parent's reply_count. */
  adjustReplyCount(parentId: string, delta: number): Promise<void>;
  /** Soft-deletes (marks) or removes the messages the users wrote. */
  batchDeleteByUsers(userIds: readonly string[], mode: 'soft' | 'hard', now: Micros): Promise<void>;
  /**
   * The campaign's messages with ids in [firstId, lastId] (one send batch: IdGenerator.block),
   * in id order, up to `limit`; `afterId` continues after the last one read.
   */
  batchOfCampaign(campaignId: string, range: { firstId: string; lastId: string; afterId?: string; limit: number }): Promise<Message[]>;
  /** Messages by id, deleted ones too, whatever their channel. */
  byIds(ids: readonly string[]): Promise<Message[]>;
  /** Soft-deletes the messages not deleted yet (type `deleted`, deleted_at); returns those it deleted. */
  recall(ids: readonly string[], now: Micros): Promise<Message[]>;
  /**
   * Gives each message not deleted its new text, and all of them the attachments and custom
   * data given (text_updated_at = now); returns those it changed.
   */
  edit(texts: ReadonlyMap<string, string>, content: { attachments: unknown[]; custom: Record<string, unknown> }, now: Micros): Promise<Message[]>;
}

export interface FeedStore {
  /**
   * Appends the entry in the caller's transaction. Call it LAST in the transaction, after the
   * change has locked its channel rows: two writers of one channel then take seqs in commit
   * order, which is what keeps events in commit order per channel. Where the database can
   * notify other processes (PostgreSQL), the notification goes out at commit.
   */
  append(entry: FeedEntry, now: Micros): Promise<void>;
  /** Rows after `seq`, oldest first. */
  readAfter(seq: number, limit: number): Promise<FeedRow[]>;
  /** Those of `seqs` that exist now (committed after a reader went past them). */
  batchGet(seqs: readonly number[]): Promise<FeedRow[]>;
  /** The highest seq, 0 for an empty feed. */
  latestSeq(): Promise<number>;
  /** Deletes the rows written before `before`; returns how many. */
  prune(before: Micros): Promise<number>;
}

export interface TaskStore {
  insert(task: Task): Promise<void>;
  get(id: string): Promise<Task | undefined>;
}

export interface SegmentTarget {
  segment_id: string;
  target_id: string;
  created_at: Micros;
}

export interface TargetPage {
  filter: FilterNode;
  /** 1: ascending target ids, -1: descending. */
  direction: 1 | -1;
  /** Keyset bound: only ids after this one in `direction` order. */
  after?: string;
  /** Keyset bound for a previous page: only ids before this one in `direction` order. */
  before?: string;
  limit: number;
}

export interface SegmentStore {
  /** False when the id is taken. */
  insert(segment: Segment): Promise<boolean>;
  get(id: string): Promise<Segment | undefined>;
  batchGet(ids: readonly string[]): Promise<Segment[]>;
  /** Writes name, description, filter and the size bookkeeping. */
  update(segment: Segment): Promise<void>;
  delete(id: string): Promise<boolean>;
  query(page: PageRequest): Promise<Segment[]>;
  /** Adds the targets not there yet and bumps size by that many; returns how many were added. */
  addTargets(id: string, targetIds: readonly string[], now: Micros): Promise<number>;
  deleteTargets(id: string, targetIds: readonly string[], now: Micros): Promise<number>;
  targetExists(id: string, targetId: string): Promise<boolean>;
  queryTargets(id: string, page: TargetPage): Promise<SegmentTarget[]>;
  /**
   * A segment whose filter or all_users size must be recomputed, if any: one that changed, or
   * whose size was computed before `staleBefore` (users and channels change too).
   */
  nextDirty(staleBefore: Micros): Promise<Segment | undefined>;
  /**
   * Counts the members of a filter or all_users segment whose key is after `afterKey`, one
   * bounded chunk at a time, so that sizing a million-user segment never blocks for long.
   */
  countChunk(segment: Segment, afterKey: string | null, chunk: number): Promise<{ count: number; lastKey: string | null }>;
  /** Stores a computed size unless the segment changed since `asOf` (its updated_at). */
  saveSize(id: string, size: number, computedAt: Micros, asOf: Micros): Promise<boolean>;
  /** Campaign ids that target the segment and are not finished: it cannot be deleted then. */
  campaignsUsing(id: string): Promise<string[]>;
}

export interface StatusChange {
  now: Micros;
  /** null clears it; undefined keeps it. */
  scheduled_for?: Micros | null;
  stop_at?: Micros | null;
  /** Expand the audience again from the top (start and resume). */
  restartAudience?: boolean;
  /** Why the sender stops the campaign on its own. */
  error?: string;
}

export interface CampaignStore {
  /** False when the id is taken. */
  insert(campaign: Campaign): Promise<boolean>;
  get(id: string): Promise<Campaign | undefined>;
  /**
   * Writes the campaign's fields and status if its status is still one of `from`
   * (compare-and-set, docs/style.md habit 3). False when it moved on meanwhile.
   */
  update(campaign: Campaign, from: readonly CampaignStatus[]): Promise<boolean>;
  /**
   * Moves the campaign to `to` if its status is one of `from` (compare-and-set), writing the
   * schedule given; stats_started_at is set on the first move to in_progress.
   */
  transition(id: string, from: readonly CampaignStatus[], to: CampaignStatus, change: StatusChange): Promise<boolean>;
  /**
   * Drops the ledger's pending rows (an update of a stopped campaign may change its audience;
   * the resume expands it again) and takes them out of stats_targets_total.
   */
  dropPendingTargets(id: string): Promise<number>;
  /** recall_status null → in_progress, if the status is one of `from`; false otherwise. */
  startRecall(id: string, from: readonly CampaignStatus[], now: Micros): Promise<boolean>;
  /** Adds to stats_messages_recalled, and completes the recall when `finished`. */
  recallProgress(id: string, recalled: number, finished: boolean, now: Micros): Promise<void>;
  /** Replaces the message template (an edit of sent messages), if the status is one of `from`. */
  replaceTemplate(id: string, template: MessageTemplate, from: readonly CampaignStatus[], now: Micros): Promise<boolean>;
  /** Deletes the campaign, and its ledger, if its status is one of `from`. */
  delete(id: string, from: readonly CampaignStatus[]): Promise<boolean>;
  query(page: PageRequest): Promise<Campaign[]>;
  /**
   * Appends targets to the ledgers of the in-progress campaigns that use the segment, locking
   * each campaign row first so that none of them completes in between. Returns how many rows.
   */
  appendSegmentTargets(segmentId: string, targetIds: readonly string[], now: Micros): Promise<number>;
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

/** The ledger as the API reads it: the per-target log, and reads of campaign messages. */
export interface CampaignTargetStore {
  get(campaignId: string, targetId: string): Promise<CampaignTarget | undefined>;
  /** A page in target id order, after `after`. */
  query(campaignId: string, statuses: readonly TargetStatus[] | null, after: string | null, limit: number): Promise<CampaignTarget[]>;
  /** Sent targets after `after`, in target id order: what a recall or edit walks. */
  sentAfter(campaignId: string, after: string | null, limit: number): Promise<Array<{ target_id: string; message_id: string }>>;
  /** Stamps the targets' recalled_at or edited_at. */
  markChanged(campaignId: string, targetIds: readonly string[], column: 'recalled_at' | 'edited_at', now: Micros): Promise<void>;
  /** Counts a read of campaign messages in a channel by a user (stats_users_read), once per target. */
  markRead(cid: string, userId: string, at: Micros): Promise<void>;
}

export interface AppSettingsStore {
  get(): Promise<AppSettings>;
  save(settings: AppSettings, now: Micros): Promise<void>;
}

export interface OutboxStore {
  append(rows: readonly PreparedDelivery[], now: Micros): Promise<void>;
  /**
   * Leases up to `limit` due rows, after `after` when given, and returns them in
   * (next_attempt_at, id) order. A row waits while an earlier row with the same ordering key
   * and hook is still pending, so campaign events arrive in order.
   */
  claimDue(owner: string, now: Micros, leaseMs: number, limit: number, after?: OutboxPosition | null): Promise<OutboxRow[]>;
  /**
   * Records a failed attempt, fenced by the lease owner: its outcome, and the wire body it
   * sent (so a snapshot row is encoded once).
   */
  finish(id: string, owner: string, outcome: { status: OutboxStatus; nextAttemptAt: Micros; error: string | null; body: string }, now: Micros): Promise<void>;
  /** Deletes the delivered rows of a claim in one statement, fenced by the lease owner. */
  batchDelivered(ids: readonly string[], owner: string): Promise<void>;
  listDead(after: string | null, limit: number): Promise<OutboxRow[]>;
  /** Puts a dead row back in the queue, due now, with its attempt count reset. */
  revive(id: string, now: Micros): Promise<boolean>;
}

/** Recall and edit jobs (domain/message-job.ts). */
export interface MessageJobStore {
  insert(job: MessageJob): Promise<void>;
  /** Completes the campaign's open jobs of `kind`: a new edit supersedes the one before. */
  closeOpen(campaignId: string, kind: MessageJobKind, now: Micros): Promise<void>;
  /** Leases the oldest open job that no other worker holds a live lease on. */
  claim(owner: string, now: Micros, leaseMs: number): Promise<MessageJob | undefined>;
  /**
   * Moves the job's cursor from `job.cursor` to `to` and adds the targets walked to its count,
   * completing it when `finished`: a compare-and-set on the cursor, fenced by the lease owner
   * and the job being open. False when it no longer holds (another worker moved it, or it was
   * superseded): the caller's transaction must then roll back.
   */
  advance(job: MessageJob, owner: string, to: string | null, walked: number, finished: boolean, now: Micros): Promise<boolean>;
}

/**
 * What GET /metrics reads at scrape time (src/metrics/). Every read is over the campaigns
 * table or the first entries of an index, never a count of the ledger: a scrape must stay
 * cheap while a 1M-target campaign runs.
 */
export interface MetricsStore {
  /** Campaigns per status; statuses without one are absent. */
  campaignsByStatus(): Promise<Map<CampaignStatus, number>>;
  /**
   * Ledger rows still to send over every campaign, from the counters the sender keeps on the
   * campaign rows: `ready` pending now, `deferred` pending until their delivery window opens.
   */
  ledgerBacklog(): Promise<{ ready: number; deferred: number }>;
  /**
   * Pending outbox rows, counted up to `cap` (an exact count walks the whole due index), and
   * the time the oldest due one (next_attempt_at <= now) fell due; null when none is due.
   */
  outboxBacklog(now: Micros, cap: number): Promise<{ depth: number; oldestDueAt: Micros | null }>;
}

export interface Stores {
  settings: AppSettingsStore;
  outbox: OutboxStore;
  scheduler: SchedulerStore;
  segments: SegmentStore;
  campaigns: CampaignStore;
  users: UserStore;
  channels: ChannelStore;
  messages: MessageStore;
  messageQueries: MessageQueryStore;
  tasks: TaskStore;
  feed: FeedStore;
  campaignTargets: CampaignTargetStore;
  audience: AudienceStore;
  messageJobs: MessageJobStore;
  metrics: MetricsStore;
  members: MemberStore;
  channelAdmin: ChannelAdminStore;
  channelMutes: ChannelMuteStore;
  channelExports: ChannelExportStore;
  reactions: ReactionStore;
  flags: FlagStore;
  moderation: ModerationStore;
}

export interface Storage extends Stores {
  /** Runs fn in one transaction; the stores it gets see and write only inside it. */
  transaction<T>(fn: (stores: Stores) => Promise<T>): Promise<T>;
}
