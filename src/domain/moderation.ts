import type { Micros } from './clock.js';
import { inputError } from './errors.js';
import type { User } from './user.js';

/**
 * Bans, user mutes and blocks (Stream's moderation of users). A ban is app-wide (channel_cid
 * '') or of one channel; one with `expires_at` in the past is no ban, whatever its row says.
 */
export interface Ban {
  user_id: string;
  /** '' for an app-wide ban, else the channel's cid. */
  channel_cid: string;
  banned_by_id: string | null;
  reason: string | null;
  shadow: boolean;
  ip_ban: boolean;
  expires_at: Micros | null;
  created_at: Micros;
}

export const APP_WIDE = '';

export interface UserMute {
  user_id: string;
  target_id: string;
  expires_at: Micros | null;
  created_at: Micros;
  updated_at: Micros;
}

export interface MuteWithUsers {
  mute: UserMute;
  user: User | null;
  target: User | null;
}

export interface UserBlock {
  user_id: string;
  blocked_user_id: string;
  created_at: Micros;
}

/** What a user's own connection knows of itself beyond the user: `me` of health.check and notification.mutes_updated. */
export interface OwnUserState {
  user: User;
  mutes: MuteWithUsers[];
  blocked_user_ids: string[];
}

export const isActive = (row: { expires_at: Micros | null }, now: Micros): boolean => row.expires_at === null || row.expires_at > now;

// Stream's timeouts are minutes; a year's worth bounds the arithmetic (and a typo).
const MAX_TIMEOUT_MINUTES = 525_600 * 10;

/** `timeout` minutes from now, or null (for ever) when absent. */
export function expiryOf(timeout: unknown, now: Micros, field = 'timeout'): Micros | null {
  if (timeout === undefined || timeout === null) return null;
  if (typeof timeout !== 'number' || !Number.isInteger(timeout) || timeout < 1 || timeout > MAX_TIMEOUT_MINUTES) {
    throw inputError(`${field} must be a whole number of minutes between 1 and ${MAX_TIMEOUT_MINUTES}`, { [field]: 'out of range' });
  }
  return now + timeout * 60_000_000;
}

/** Global roles that may ban anyone and query bans with a user token, as in Stream's default permissions. */
export const MODERATOR_ROLES: ReadonlySet<string> = new Set(['admin', 'moderator']);
/** Channel roles that may ban from their own channel. */
export const CHANNEL_MODERATOR_ROLES: ReadonlySet<string> = new Set(['owner', 'channel_moderator']);
