import type { Micros } from './clock.js';

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
}

export const MessageType = { regular: 'regular', system: 'system', deleted: 'deleted' } as const;

export const messageReservedFields = new Set([
  'id', 'cid', 'text', 'html', 'type', 'user', 'user_id', 'attachments', 'poll_id', 'poll',
  'latest_reactions', 'own_reactions', 'reaction_counts', 'reaction_scores', 'reply_count',
  'deleted_reply_count', 'mentioned_users', 'silent', 'pinned', 'shadowed', 'restricted_visibility',
  'created_at', 'updated_at', 'deleted_at', 'custom', 'parent_id', 'show_in_channel',
  'quoted_message_id', 'mml', 'i18n', 'pinned_at', 'pinned_by', 'pin_expires', 'thread_participants',
  'campaign_id', 'command', 'args', 'member', 'channel',
]);

export const MAX_ATTACHMENTS = 30;
export const MAX_TEXT_LENGTH = 5000;
