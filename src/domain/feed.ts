import type { ChatEvent } from './chat-event.js';
import type { Micros } from './clock.js';

/**
 * The chat feed: one small row per committed change that chat clients must hear about,
 * written in the transaction of the change itself. A row says what changed, never to whom:
 * each API process reads the rows and works out what its own connections need (docs/design.md,
 * Realtime). A campaign batch is ONE row for its thousands of messages.
 */
export const FeedKind = {
  /** A message sent through the API. */
  message: 'message',
  /** A committed campaign batch: its messages are the ids in [first, last] of that campaign. */
  campaignBatch: 'campaign_batch',
  /** A member marked a channel read. */
  read: 'read',
  /** Users were added to a channel (created with members). */
  membersAdded: 'members_added',
  /** Messages were edited or deleted (a campaign's recall or edit: one row per page). */
  messagesChanged: 'messages_changed',
  /** Chat events of one change (domain/chat-event.ts), each with who must hear it. */
  events: 'events',
} as const;
export type FeedKind = (typeof FeedKind)[keyof typeof FeedKind];

export interface CampaignBatchEntry {
  kind: typeof FeedKind.campaignBatch;
  campaign_id: string;
  first_message_id: string;
  last_message_id: string;
  /** The batch's time: its messages' created_at, and that of the members it added. */
  at: Micros;
}

export type FeedEntry =
  | { kind: typeof FeedKind.message; message_id: string; cid: string }
  | CampaignBatchEntry
  | { kind: typeof FeedKind.read; cid: string; user_id: string; at: Micros }
  | { kind: typeof FeedKind.membersAdded; cid: string; user_ids: string[]; by: string | null; at: Micros }
  | { kind: typeof FeedKind.messagesChanged; event: 'message.updated' | 'message.deleted'; message_ids: string[]; at: Micros }
  | { kind: typeof FeedKind.events; events: ChatEvent[] };

export interface FeedRow {
  seq: number;
  entry: FeedEntry;
  created_at: Micros;
}
