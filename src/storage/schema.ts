import type { ColumnType, Generated } from 'kysely';

/**
 * Table types. Times are bigint microseconds since the epoch; booleans are 0/1 integers in both
 * dialects (better-sqlite3 cannot bind JS booleans, and one representation keeps the filter
 * compiler dialect-free); JSON columns hold TEXT on SQLite and jsonb on PostgreSQL, written as
 * JSON strings and read back through DialectCaps.parseJson. Rows never leave storage/.
 */
type Json = ColumnType<unknown, string, string>;
type Flag = number;

export interface UsersTable {
  id: string;
  name: string | null;
  image: string | null;
  role: string;
  teams: Json;
  language: string;
  banned: Flag;
  shadow_banned: Flag;
  invisible: Flag;
  custom: Json;
  created_at: number;
  updated_at: number;
  last_active: number | null;
  deleted_at: number | null;
  deactivated_at: number | null;
  revoke_tokens_issued_before: ColumnType<number | null, number | null | undefined, number | null>;
}

export interface ChannelsTable {
  /** Time-ordered surrogate key: cids (and distinct channels' member hashes) are random text. */
  pk: Generated<number>;
  cid: string;
  type: string;
  id: string;
  created_by_id: string | null;
  team: string | null;
  frozen: Flag;
  disabled: Flag;
  member_count: number;
  message_count: number;
  last_message_at: number | null;
  custom: Json;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
  truncated_at: ColumnType<number | null, number | null | undefined, number | null>;
  truncated_by_id: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface ChannelMembersTable {
  channel_pk: number;
  user_id: string;
  channel_role: string;
  hidden: Flag;
  archived_at: number | null;
  pinned_at: number | null;
  last_read_at: number | null;
  banned: Flag;
  notifications_muted: Flag;
  created_at: number;
  updated_at: number;
  custom: ColumnType<unknown, string | undefined, string>;
  invited: Generated<Flag>;
  invite_accepted_at: ColumnType<number | null, number | null | undefined, number | null>;
  invite_rejected_at: ColumnType<number | null, number | null | undefined, number | null>;
  shadow_banned: Generated<Flag>;
  ban_expires: ColumnType<number | null, number | null | undefined, number | null>;
}

export interface MessagesTable {
  /** UUIDv7: time-ordered, so inserts append to the B-tree (see docs/design.md, performance notes). */
  id: string;
  channel_pk: number;
  user_id: string;
  type: string;
  text: string;
  attachments: Json;
  poll_id: string | null;
  custom: Json;
  campaign_id: string | null;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
  text_updated_at: number | null;
  /** Threads: the parent's id, and whether the reply shows in the channel too. */
  parent_id: ColumnType<string | null, string | null | undefined, string | null>;
  show_in_channel: Generated<Flag>;
  reply_count: Generated<number>;
  quoted_message_id: ColumnType<string | null, string | null | undefined, string | null>;
  silent: Generated<Flag>;
  /** Sent by a shadow-banned user (migration 010): delivered to its author only, unread for no one. */
  shadowed: Generated<Flag>;
  pinned_at: ColumnType<number | null, number | null | undefined, number | null>;
  pinned_by_id: ColumnType<string | null, string | null | undefined, string | null>;
  pin_expires: ColumnType<number | null, number | null | undefined, number | null>;
  /** Per reaction type: how many reactions, and the sum of their scores. */
  reaction_counts: ColumnType<unknown, string | undefined, string>;
  reaction_scores: ColumnType<unknown, string | undefined, string>;
}

export interface ReactionsTable {
  message_id: string;
  type: string;
  user_id: string;
  score: number;
  custom: Json;
  created_at: number;
  updated_at: number;
}

export interface BansTable {
  user_id: string;
  /** '' for an app-wide ban. */
  channel_cid: string;
  banned_by_id: string | null;
  reason: string | null;
  shadow: Flag;
  ip_ban: Generated<Flag>;
  expires_at: number | null;
  created_at: number;
}

export interface UserMutesTable {
  user_id: string;
  target_id: string;
  expires_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface ChannelMutesTable {
  user_id: string;
  channel_cid: string;
  expires_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface UserBlocksTable {
  user_id: string;
  blocked_user_id: string;
  created_at: number;
}

export interface FlagsTable {
  id: string;
  target_type: string;
  target_id: string;
  user_id: string;
  reason: string | null;
  custom: Json;
  review_result: string | null;
  reviewed_by_id: string | null;
  reviewed_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface TasksTable {
  id: string;
  type: string;
  status: string;
  result: ColumnType<unknown, string | null, string | null>;
  error: string | null;
  created_at: number;
  updated_at: number;
}

/** An export_channels file (migration 011). */
export interface ChannelExportsTable {
  task_id: string;
  token: string;
  body: string;
  created_at: number;
}

export interface SegmentsTable {
  id: string;
  type: string;
  name: string;
  description: string;
  filter: ColumnType<unknown, string | null, string | null>;
  all_users: Flag;
  all_sender_channels: Flag;
  size: number;
  size_dirty: Flag;
  size_computed_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface SegmentTargetsTable {
  segment_id: string;
  target_id: string;
  created_at: number;
}

export interface CampaignsTable {
  id: string;
  name: string;
  description: string;
  sender_id: string;
  sender_mode: string | null;
  sender_visibility: string | null;
  create_channels: Flag;
  show_channels: Flag;
  skip_push: Flag;
  skip_webhook: Flag;
  segment_ids: Json;
  user_ids: Json;
  /** Length of user_ids, kept beside it so pages of campaign.users need not parse the list. */
  user_count: number;
  message_template: Json;
  channel_template: ColumnType<unknown, string | null, string | null>;
  status: string;
  scheduled_for: number | null;
  stop_at: number | null;
  stats_messages_sent: Generated<number>;
  stats_channels_created: Generated<number>;
  stats_users_sent: Generated<number>;
  stats_users_read: Generated<number>;
  /** Ledger rows and how many of them are terminal: progress = done / total. */
  stats_targets_total: Generated<number>;
  stats_targets_done: Generated<number>;
  stats_started_at: number | null;
  stats_completed_at: number | null;
  audience_step: Generated<number>;
  audience_cursor: string | null;
  audience_done: Generated<Flag>;
  audience_locked_by: string | null;
  audience_locked_until: number | null;
  max_messages_per_second: number | null;
  delivery_window: ColumnType<unknown, string | null, string | null>;
  recall_status: string | null;
  stats_messages_recalled: Generated<number>;
  stats_targets_deferred: Generated<number>;
  error: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: number;
  updated_at: number;
}

export interface CampaignTargetsTable {
  campaign_id: string;
  target_id: string;
  status: string;
  reason: string | null;
  error: string | null;
  message_id: string | null;
  channel_cid: string | null;
  locked_by: string | null;
  locked_until: number | null;
  read_at: number | null;
  deferred_until: number | null;
  recalled_at: number | null;
  edited_at: number | null;
  updated_at: number;
}

export interface AppSettingsTable {
  id: number;
  settings: Json;
  updated_at: number;
}

export interface WebhookOutboxTable {
  id: string;
  hook_url: string;
  event_type: string;
  ordering_key: string | null;
  body: string;
  body_format: Generated<string>;
  status: Generated<string>;
  attempts: Generated<number>;
  next_attempt_at: number;
  last_error: string | null;
  locked_by: string | null;
  locked_until: number | null;
  created_at: number;
  updated_at: number;
}

export interface ChatFeedTable {
  seq: Generated<number>;
  kind: string;
  /** The FeedEntry as JSON text. */
  body: string;
  created_at: number;
}

export interface SendRateBucketsTable {
  key: string;
  tokens: number;
  updated_at: number;
}

export interface CampaignMessageJobsTable {
  id: string;
  campaign_id: string;
  kind: string;
  message_template: ColumnType<unknown, string | null, string | null>;
  status: string;
  cursor: string | null;
  done: Generated<number>;
  locked_by: string | null;
  locked_until: number | null;
  skip_webhook: Generated<Flag>;
  created_at: number;
  updated_at: number;
}

export interface Schema {
  reactions: ReactionsTable;
  bans: BansTable;
  user_mutes: UserMutesTable;
  channel_mutes: ChannelMutesTable;
  user_blocks: UserBlocksTable;
  flags: FlagsTable;
  send_rate_buckets: SendRateBucketsTable;
  campaign_message_jobs: CampaignMessageJobsTable;
  chat_feed: ChatFeedTable;
  app_settings: AppSettingsTable;
  webhook_outbox: WebhookOutboxTable;
  segments: SegmentsTable;
  segment_targets: SegmentTargetsTable;
  campaigns: CampaignsTable;
  campaign_targets: CampaignTargetsTable;
  users: UsersTable;
  channels: ChannelsTable;
  channel_members: ChannelMembersTable;
  messages: MessagesTable;
  tasks: TasksTable;
  channel_exports: ChannelExportsTable;
}
