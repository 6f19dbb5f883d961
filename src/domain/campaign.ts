import type { Micros } from './clock.js';
import { inputError } from './errors.js';
import { MAX_CHANNEL_ID_LENGTH } from './channel.js';
import { checkCustomData, type CustomDataLimits } from './custom-data.js';
import { MAX_TEXT_LENGTH } from './message.js';
import { checkDeliveryWindow, type DeliveryWindow } from './delivery-window.js';
import { checkTemplate } from './template.js';

export const CampaignStatus = {
  draft: 'draft',
  scheduled: 'scheduled',
  inProgress: 'in_progress',
  stopped: 'stopped',
  completed: 'completed',
} as const;
export type CampaignStatus = (typeof CampaignStatus)[keyof typeof CampaignStatus];

export const SenderMode = { include: 'include', exclude: 'exclude' } as const;
export type SenderMode = (typeof SenderMode)[keyof typeof SenderMode];
export const SenderVisibility = { hidden: 'hidden', archived: 'archived' } as const;
export type SenderVisibility = (typeof SenderVisibility)[keyof typeof SenderVisibility];

export interface MessageTemplate {
  text: string;
  attachments?: unknown[];
  custom?: Record<string, unknown>;
  poll_id?: string;
  searchable?: boolean;
}

export interface MemberTemplate {
  user_id: string;
  channel_role?: string;
  custom?: Record<string, unknown>;
}

export interface ChannelTemplate {
  type: string;
  id?: string;
  custom?: Record<string, unknown>;
  team?: string;
  members?: string[];
  members_template?: MemberTemplate[];
}

export interface CampaignStats {
  progress: number;
  stats_messages_sent: number;
  stats_channels_created: number;
  stats_users_sent: number;
  stats_users_read: number;
  stats_started_at: Micros | null;
  stats_completed_at: Micros | null;
  /** Messages a recall has deleted so far. */
  stats_messages_recalled: number;
  /** Targets waiting, pending, for their delivery window to open: the current count. */
  stats_targets_deferred: number;
  /** Ledger rows so far (it grows while the audience is expanded) and the terminal ones among them. */
  stats_targets_total: number;
  stats_targets_done: number;
}

/** The fields a client sets, on create and (merged) on update. */
export interface CampaignFields {
  name: string;
  description: string;
  sender_id: string;
  sender_mode: SenderMode | null;
  sender_visibility: SenderVisibility | null;
  create_channels: boolean;
  show_channels: boolean;
  skip_push: boolean;
  skip_webhook: boolean;
  segment_ids: string[];
  user_ids: string[];
  message_template: MessageTemplate;
  channel_template: ChannelTemplate | null;
  /** Herald's throttle: at most this many messages a second across every worker; null for none. */
  max_messages_per_second: number | null;
  delivery_window: DeliveryWindow | null;
}

export const RecallStatus = { inProgress: 'in_progress', completed: 'completed' } as const;
export type RecallStatus = (typeof RecallStatus)[keyof typeof RecallStatus];

export interface Campaign extends CampaignFields {
  id: string;
  status: CampaignStatus;
  scheduled_for: Micros | null;
  stop_at: Micros | null;
  stats: CampaignStats;
  /** Null until recalled; a recalled campaign is never started again. */
  recall_status: RecallStatus | null;
  /** Why the sender stopped it on its own (the database's disk was full); cleared by a start. */
  error?: string | null;
  created_at: Micros;
  updated_at: Micros;
}

export const CampaignLimits = {
  idLength: 255,
  userIds: 10_000,
  segmentIds: 25,
  attachments: 30,
  channelTypeLength: 64,
  teamLength: 1000,
  members: 1000,
  usersPage: 1000,
  queryPage: 100,
  maxMessagesPerSecond: 1_000_000,
} as const;

export const emptyStats = (): CampaignStats => ({
  progress: 0,
  stats_messages_sent: 0,
  stats_channels_created: 0,
  stats_users_sent: 0,
  stats_users_read: 0,
  stats_started_at: null,
  stats_completed_at: null,
  stats_messages_recalled: 0,
  stats_targets_deferred: 0,
  stats_targets_total: 0,
  stats_targets_done: 0,
});

/** Statuses each change may start from (docs/design.md, Campaign lifecycle). */
export const allowedFrom = {
  update: [CampaignStatus.draft, CampaignStatus.scheduled, CampaignStatus.stopped],
  delete: [CampaignStatus.draft, CampaignStatus.scheduled, CampaignStatus.stopped, CampaignStatus.completed],
  start: [CampaignStatus.draft, CampaignStatus.stopped],
  stop: [CampaignStatus.scheduled, CampaignStatus.inProgress],
  /** Recall and edit of sent messages: once the send is over, or stopped. */
  recall: [CampaignStatus.stopped, CampaignStatus.completed],
  /** The test send: never while the campaign itself is sending. */
  test: [CampaignStatus.draft, CampaignStatus.scheduled, CampaignStatus.stopped],
} as const satisfies Record<string, readonly CampaignStatus[]>;

const fail = (field: string, message: string) => inputError(message, { [field]: message });

/** Validation at create and update (contract 2.2 and 2.4); every failure names its field. */
export function checkCampaignFields(c: CampaignFields, customData: CustomDataLimits): void {
  if (!c.sender_id) throw fail('sender_id', 'sender_id is a required field');
  if (typeof c.message_template?.text !== 'string' || c.message_template.text === '') {
    throw fail('message_template.text', 'message_template.text is a required field');
  }
  if (c.user_ids.length > 0 && c.segment_ids.length > 0) {
    throw fail('user_ids', 'user_ids and segment_ids cannot both be given');
  }
  if (c.user_ids.length > CampaignLimits.userIds) {
    throw fail('user_ids', `user_ids must have at most ${CampaignLimits.userIds} items`);
  }
  if (c.segment_ids.length > CampaignLimits.segmentIds) {
    throw fail('segment_ids', `segment_ids must have at most ${CampaignLimits.segmentIds} items`);
  }
  if ((c.message_template.attachments?.length ?? 0) > CampaignLimits.attachments) {
    throw fail('message_template.attachments', `message_template.attachments must have at most ${CampaignLimits.attachments} items`);
  }
  if (c.sender_mode !== null && !Object.values(SenderMode).includes(c.sender_mode)) {
    throw fail('sender_mode', `sender_mode must be one of include, exclude; got ${JSON.stringify(c.sender_mode)}`);
  }
  if (c.sender_visibility !== null && !Object.values(SenderVisibility).includes(c.sender_visibility)) {
    throw fail('sender_visibility', `sender_visibility must be one of hidden, archived; got ${JSON.stringify(c.sender_visibility)}`);
  }
  if (c.create_channels && !c.channel_template) {
    throw fail('channel_template', 'channel_template is required when create_channels is true');
  }
  checkTemplate(c.message_template.text, 'message_template.text', MAX_TEXT_LENGTH);
  checkCustomData(c.message_template.custom, 'message_template.custom', customData);
  if (c.channel_template) checkChannelTemplate(c.channel_template, customData);
  checkThrottle(c.max_messages_per_second, 'max_messages_per_second');
  if (c.delivery_window !== null) c.delivery_window = checkDeliveryWindow(c.delivery_window);
}

/** A throttle: an integer from 1 to 1,000,000 messages a second, or null for none. */
export function checkThrottle(value: unknown, field: string): void {
  if (value === null) return;
  if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > CampaignLimits.maxMessagesPerSecond) {
    throw fail(field, `${field} must be an integer from 1 to ${CampaignLimits.maxMessagesPerSecond}, or null`);
  }
}

/** The one field an update may change while the campaign is in progress. */
export const inProgressUpdatable = ['max_messages_per_second'] as const;

function checkChannelTemplate(t: ChannelTemplate, customData: CustomDataLimits): void {
  if (!t.type) throw fail('channel_template.type', 'channel_template.type is a required field');
  if (t.type.length > CampaignLimits.channelTypeLength) {
    throw fail('channel_template.type', `channel_template.type must be at most ${CampaignLimits.channelTypeLength} characters`);
  }
  if ((t.team?.length ?? 0) > CampaignLimits.teamLength) {
    throw fail('channel_template.team', `channel_template.team must be at most ${CampaignLimits.teamLength} characters`);
  }
  if (t.members?.length && t.members_template?.length) {
    throw fail('channel_template.members', 'channel_template.members and channel_template.members_template cannot both be given');
  }
  if ((t.members?.length ?? 0) > CampaignLimits.members || (t.members_template?.length ?? 0) > CampaignLimits.members) {
    throw fail('channel_template.members', `channel_template members must have at most ${CampaignLimits.members} items`);
  }
  if (t.id !== undefined) checkTemplate(t.id, 'channel_template.id', MAX_CHANNEL_ID_LENGTH);
  checkCustomData(t.custom, 'channel_template.custom', customData);
  t.members_template?.forEach((m, i) => checkCustomData(m.custom, `channel_template.members_template.${i}.custom`, customData));
}
