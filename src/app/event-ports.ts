import type { AppSettings } from '../domain/app-settings.js';
import type { Channel } from '../domain/channel.js';
import type { ChatEvent } from '../domain/chat-event.js';
import type { Micros } from '../domain/clock.js';
import type { Message } from '../domain/message.js';
import type { User } from '../domain/user.js';
import type { CampaignView } from './campaign-view.js';
import type { PreparedDelivery, Stores } from './ports.js';

export type { PreparedDelivery };

/** What happened, for webhooks: recorded in the same transaction as the change itself. */
export type HeraldEvent =
  | { type: 'campaign.started' | 'campaign.updated' | 'campaign.completed'; campaign: CampaignView }
  | { type: 'message.new' | 'message.updated' | 'message.deleted'; message: Message; user: User | null; channel: Pick<Channel, 'cid' | 'id' | 'type'> }
  | { type: 'channel.created'; channel: Channel; createdBy: User | null }
  | { type: 'member.added' | 'notification.added_to_channel'; channel: Channel; member: { user_id: string; channel_role: string; created_at: Micros }; user: User | null }
  /** Any other chat event, as it describes itself (app/chat-events.ts). */
  | { type: 'chat'; event: ChatEvent };

/**
 * A chat event of a campaign send, as its snapshot: the message or the channel, without the
 * sender, whose profile is read when the event is delivered.
 */
export type SnapshotEvent = { type: 'message.new'; message: Message } | { type: 'channel.created'; channel: Channel };

export interface EventSink {
  /** Writes the events to the outbox of `stores` (so: inside the caller's transaction). */
  record(stores: Stores, events: readonly HeraldEvent[]): Promise<void>;
  /**
   * The outbox rows of one event (one per hook that wants it), holding its snapshot, without
   * writing them: the send loop plans a batch's events in JS and its writer inserts them in
   * the batch transaction.
   */
  snapshot(settings: AppSettings, event: SnapshotEvent): PreparedDelivery[];
}
