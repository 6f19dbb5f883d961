/** Event types Herald reports through webhooks (Stream's names). */
export const EventType = {
  campaignStarted: 'campaign.started',
  campaignUpdated: 'campaign.updated',
  campaignCompleted: 'campaign.completed',
  messageNew: 'message.new',
  messageUpdated: 'message.updated',
  messageDeleted: 'message.deleted',
  channelCreated: 'channel.created',
  memberAdded: 'member.added',
  addedToChannel: 'notification.added_to_channel',
} as const;
export type EventType = (typeof EventType)[keyof typeof EventType];

// A delivered row is deleted: only pending and dead rows stay in the outbox.
export const OutboxStatus = { pending: 'pending', dead: 'dead' } as const;
export type OutboxStatus = (typeof OutboxStatus)[keyof typeof OutboxStatus];

/**
 * What an outbox row's body holds. `wire`: the exact JSON to sign and send. `snapshot`: the
 * domain message (message.new) or channel (channel.created) of a campaign send, encoded into
 * the wire body at delivery; a campaign batch writes ~250 bytes per event instead of ~1.3 KB.
 */
export const BodyFormat = { wire: 'wire', snapshot: 'snapshot' } as const;
export type BodyFormat = (typeof BodyFormat)[keyof typeof BodyFormat];
