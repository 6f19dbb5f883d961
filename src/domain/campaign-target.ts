import type { Micros } from './clock.js';

export const TargetStatus = { pending: 'pending', sent: 'sent', skipped: 'skipped', failed: 'failed' } as const;
export type TargetStatus = (typeof TargetStatus)[keyof typeof TargetStatus];

export const SkipReason = {
  /** No channel to post in, and create_channels is false (or the target is a channel that is gone). */
  channelMissing: 'channel_missing',
  /** The receiving user does not exist (or was deleted) when its turn came. */
  userMissing: 'user_missing',
  /** The receiver is banned, app-wide or in the target channel (a banned user gets no new messages). */
  banned: 'banned',
  /** The receiver is deactivated. */
  deactivated: 'deactivated',
  /** The receiver has blocked the campaign's sender, as Stream refuses a blocked user's messages. */
  blocked: 'blocked',
} as const;

/**
 * The reason kept on a SENT target whose message went out silently (no unread count, no
 * notification): the receiver muted the channel or the sender, as Stream delivers to a mute.
 */
export const SilentReason = { muted: 'muted' } as const;

/** One row of a campaign's ledger, as the per-target log shows it. */
export interface CampaignTarget {
  campaign_id: string;
  target_id: string;
  status: TargetStatus;
  reason: string | null;
  error: string | null;
  message_id: string | null;
  channel_cid: string | null;
  /** Pending outside its delivery window until then (the time it was last deferred to, once sent). */
  deferred_until: Micros | null;
  /** When a recall deleted its message. */
  recalled_at: Micros | null;
  /** When an edit last re-rendered its message. */
  edited_at: Micros | null;
  updated_at: Micros;
}

/**
 * Channel targets are cids (`type:id`); user ids cannot hold a colon (domain/user.ts), so the
 * ledger tells them apart by the target id alone.
 */
export const isChannelTarget = (targetId: string): boolean => targetId.includes(':');
