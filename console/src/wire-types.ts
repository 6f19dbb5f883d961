/**
 * The API's objects as the legacy routes encode them (RFC 3339 times), reduced to what the
 * console reads. The server's encoders are src/wire/campaign-encoding.ts and the routes in
 * src/http/routes/.
 */
export const CampaignStatus = {
  draft: 'draft',
  scheduled: 'scheduled',
  inProgress: 'in_progress',
  stopped: 'stopped',
  completed: 'completed',
} as const;
export type CampaignStatus = (typeof CampaignStatus)[keyof typeof CampaignStatus];

export const TargetStatus = { pending: 'pending', sent: 'sent', skipped: 'skipped', failed: 'failed' } as const;
export type TargetStatus = (typeof TargetStatus)[keyof typeof TargetStatus];

export interface User {
  id: string;
  name?: string;
  [field: string]: unknown;
}

export interface DeliveryWindow {
  start: string;
  end: string;
  timezone_field?: string;
  default_timezone?: string;
}

export interface ChannelTemplate {
  type?: string;
  id?: string;
  [field: string]: unknown;
}

export interface Segment {
  id: string;
  type: 'user' | 'channel';
  name: string;
  description: string;
  filter: Record<string, unknown> | null;
  all_users: boolean;
  all_sender_channels: boolean;
  size: number;
  size_computed_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface CampaignStats {
  progress: number;
  stats_messages_sent: number;
  stats_channels_created: number;
  stats_users_sent: number;
  stats_users_read: number;
  stats_started_at: string | null;
  stats_completed_at: string | null;
  stats_messages_recalled: number;
  stats_targets_deferred: number;
}

export interface Campaign {
  id: string;
  name: string;
  description: string;
  sender_id: string;
  sender?: User;
  sender_mode: string;
  sender_visibility: string;
  create_channels: boolean;
  show_channels: boolean;
  skip_push: boolean;
  skip_webhook: boolean;
  segment_ids: string[];
  segments: Segment[];
  user_ids: string[];
  message_template: { text: string; [field: string]: unknown };
  channel_template?: ChannelTemplate;
  max_messages_per_second: number | null;
  delivery_window: DeliveryWindow | null;
  recall_status: 'in_progress' | 'completed' | null;
  status: CampaignStatus;
  stats: CampaignStats;
  scheduled_for: string | null;
  stop_at: string | null;
  created_at: string;
  updated_at: string;
}

/** One row of the per-target log (GET /campaigns/{id}/targets/{target_id}). */
export interface CampaignTarget {
  campaign_id: string;
  target_id: string;
  status: TargetStatus;
  reason?: string;
  error?: string;
  message_id?: string;
  channel_cid?: string;
  deferred_until?: string;
  recalled_at?: string;
  edited_at?: string;
  updated_at: string;
}

export interface PreviewSample {
  target_id: string;
  in_audience?: boolean;
  channel_cid: string | null;
  channel?: 'existing' | 'to_create';
  text: string | null;
  missing_variables?: string[];
  skipped?: string;
  error?: string;
}

/** POST /campaigns/{id}/preview (README, Preview). */
export interface CampaignPreview {
  audience: { total: number; user_ids: number; segments: Array<{ segment_id: string; count: number }> };
  channels: { existing: number; to_create: number; skipped: number; failed?: number };
  samples: PreviewSample[];
  missing_variables: Array<{ variable: string; targets: number }>;
  estimated_seconds: number;
}

export interface TestSendResult {
  user_id: string;
  channel_cid: string | null;
  message_id: string | null;
  text: string | null;
  skipped?: string;
  error?: string;
}

export interface EventHook {
  id?: string;
  hook_type?: string;
  enabled?: boolean;
  webhook_url?: string;
  event_types?: string[];
}

export interface AppSettings {
  webhook_url: string;
  event_hooks: EventHook[];
  campaign_max_messages_per_second: number | null;
}

export interface FailedWebhook {
  id: string;
  webhook_url: string;
  event_type: string;
  attempts: number;
  last_error: string | null;
  created_at: string;
}
