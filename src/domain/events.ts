/** Event types Herald reports through webhooks (Stream's names). */
export const EventType = {
  campaignStarted: 'campaign.started',
  campaignUpdated: 'campaign.updated',
  campaignCompleted: 'campaign.completed',
  messageNew: 'message.new',
  channelCreated: 'channel.created',
  memberAdded: 'member.added',
  addedToChannel: 'notification.added_to_channel',
} as const;
export type EventType = (typeof EventType)[keyof typeof EventType];

export const OutboxStatus = { pending: 'pending', delivered: 'delivered', dead: 'dead' } as const;
export type OutboxStatus = (typeof OutboxStatus)[keyof typeof OutboxStatus];
