/**
 * Custom channel events (`POST /channels/{type}/{id}/event` with a type of the app's own):
 * Stream relays them to the channel's watchers and to webhooks with their custom fields. Its
 * own event types cannot be sent that way: a client must not fake a message, a member change
 * or a notification.
 */

/** Event types whose prefix is Stream's. */
const RESERVED_PREFIXES = [
  'message.', 'reaction.', 'member.', 'channel.', 'notification.', 'user.', 'health.', 'connection.',
  'poll.', 'thread.', 'draft.', 'reminder.', 'campaign.', 'typing.', 'call.', 'export.', 'flag.',
  'review_queue_item.', 'moderation.',
];
const RESERVED_TYPES = new Set(['capabilities.changed', 'transport.changed', 'any']);

export const isReservedEventType = (type: string) =>
  RESERVED_TYPES.has(type) || RESERVED_PREFIXES.some((prefix) => type.startsWith(prefix));

/** Fields of an event object that are Stream's, never a custom event's data. */
export const eventReservedFields = new Set([
  'type', 'cid', 'channel_id', 'channel_type', 'channel', 'channel_member_count', 'user', 'user_id',
  'message', 'message_id', 'member', 'reaction', 'me', 'created_at', 'received_at', 'parent_id',
  'watcher_count', 'total_unread_count', 'unread_channels', 'unread_count', 'connection_id', 'team',
  'custom', 'online', 'mark_messages_deleted', 'hard_delete',
]);
