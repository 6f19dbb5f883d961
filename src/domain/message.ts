import { channelTypes } from './channel-types.js';
import { ErrorCode, HeraldError } from './errors.js';
import type { Micros } from './clock.js';
import type { User } from './user.js';

export interface Message {
  id: string;
  cid: string;
  user_id: string;
  type: string;
  text: string;
  attachments: unknown[];
  poll_id: string | null;
  custom: Record<string, unknown>;
  campaign_id: string | null;
  created_at: Micros;
  updated_at: Micros;
  deleted_at: Micros | null;
  /** When its text was last edited (Stream's message_text_updated_at); null if never. */
  text_updated_at?: Micros | null;
  /** A thread reply's parent; a reply shows in the channel's history only with show_in_channel. */
  parent_id?: string | null;
  show_in_channel?: boolean;
  /** Replies to this message (a thread's parent), deleted ones excluded. */
  reply_count?: number;
  quoted_message_id?: string | null;
  /** Sent without notifying anyone (no unread count, no push). */
  silent?: boolean;
  /** Sent by a shadow-banned user: hidden from everyone but its author. */
  shadowed?: boolean;
  pinned_at?: Micros | null;
  pinned_by_id?: string | null;
  pin_expires?: Micros | null;
  /** Per reaction type: how many, and the sum of their scores. */
  reaction_counts?: Record<string, number>;
  reaction_scores?: Record<string, number>;
  /** Read-time additions, never stored: the newest reactions, and the reader's own. */
  latest_reactions?: Reaction[];
  own_reactions?: Reaction[];
  /** Read-time, where the reader loads it: the message quoted_message_id names, with its author. */
  quoted_message?: { message: Message; author: User | null };
}

export interface Reaction {
  message_id: string;
  type: string;
  user_id: string;
  score: number;
  custom: Record<string, unknown>;
  created_at: Micros;
  updated_at: Micros;
  /** Read-time addition, never stored: its author, when the reader loaded it (latest_reactions). */
  user?: User | null;
}

export const MessageType = { regular: 'regular', system: 'system', deleted: 'deleted' } as const;

export const messageReservedFields = new Set([
  'id', 'cid', 'text', 'html', 'type', 'user', 'user_id', 'attachments', 'poll_id', 'poll',
  'latest_reactions', 'own_reactions', 'reaction_counts', 'reaction_scores', 'reply_count',
  'deleted_reply_count', 'mentioned_users', 'silent', 'pinned', 'shadowed', 'restricted_visibility',
  'created_at', 'updated_at', 'deleted_at', 'custom', 'parent_id', 'show_in_channel',
  'quoted_message_id', 'mml', 'i18n', 'pinned_at', 'pinned_by', 'pin_expires', 'thread_participants',
  'campaign_id', 'command', 'args', 'member', 'channel',
  // Read-only fields of Stream's message response, which stream-chat's updateMessage sends back.
  'reaction_groups', 'message_text_updated_at', 'deleted_for_me', 'quoted_message', 'mentioned_groups',
  'mentioned_group_ids', 'mentioned_roles', 'mentioned_channel', 'mentioned_here', 'reminder',
  'shared_location', 'moderation', 'draft', 'image_labels', 'before_message_send_failed', 'error',
]);

export const MAX_ATTACHMENTS = 30;

/**
 * A message's text within its channel type's `max_message_length` (5,000 for the built-in
 * types): 400 with Stream's code 20 otherwise, on send, edit and every message a channel
 * change sends.
 */
export function checkMessageLength(text: string, channelType: string): void {
  const max = channelTypes[channelType]?.max_message_length ?? MAX_TEXT_LENGTH;
  if (text.length > max) {
    throw new HeraldError(ErrorCode.messageTooLong, `message is too long: ${text.length} characters, where channel type "${channelType}" allows ${max} (max_message_length)`, { text: 'too long' });
  }
}
export const MAX_TEXT_LENGTH = 5000;
