/** Built-in channel types and the parts of their config the SDKs read. */
export interface ChannelTypeConfig {
  name: string;
  typing_events: boolean;
  read_events: boolean;
  connect_events: boolean;
  search: boolean;
  reactions: boolean;
  replies: boolean;
  quotes: boolean;
  mutes: boolean;
  uploads: boolean;
  url_enrichment: boolean;
  custom_events: boolean;
  push_notifications: boolean;
  reminders: boolean;
  polls: boolean;
  message_retention: string;
  max_message_length: number;
  automod: string;
  automod_behavior: string;
  commands: unknown[];
}

const base = {
  typing_events: true,
  read_events: true,
  connect_events: true,
  search: true,
  reactions: true,
  replies: true,
  quotes: true,
  mutes: true,
  uploads: true,
  url_enrichment: true,
  custom_events: true,
  push_notifications: true,
  reminders: false,
  polls: false,
  message_retention: 'infinite',
  max_message_length: 5000,
  automod: 'disabled',
  automod_behavior: 'flag',
  commands: [],
} satisfies Omit<ChannelTypeConfig, 'name'>;

export const channelTypes: Readonly<Record<string, ChannelTypeConfig>> = Object.freeze({
  messaging: { ...base, name: 'messaging' },
  team: { ...base, name: 'team' },
  // Livestream channels have many watchers and no read state, as in Stream.
  livestream: { ...base, name: 'livestream', typing_events: false, read_events: false, connect_events: false, mutes: false },
  commerce: { ...base, name: 'commerce' },
});

/** What a channel member may do; the SDKs' state code reads own_capabilities as a list. */
export const memberCapabilities = [
  'read-events', 'send-message', 'send-reaction', 'send-reply', 'upload-file', 'quote-message',
  'typing-events', 'update-own-message', 'delete-own-message', 'search-messages', 'connect-events',
];
