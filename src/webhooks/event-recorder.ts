import type { EventSink, HeraldEvent, PreparedDelivery } from '../app/event-ports.js';
import type { IdGenerator } from '../app/app-deps.js';
import type { Stores } from '../app/ports.js';
import { hookUrlsFor, type AppSettings } from '../domain/app-settings.js';
import type { Clock } from '../domain/clock.js';
import type { User } from '../domain/user.js';
import { encodeCampaign } from '../wire/campaign-encoding.js';
import { legacyWire as wire } from '../wire/wire-encoder.js';

/**
 * Turns events into outbox rows, in the caller's transaction. Bodies follow Stream's event
 * objects with the legacy encoding (RFC 3339 times, custom fields flattened), the encoding of
 * Stream's own webhooks; they are encoded once, so every attempt sends the same bytes.
 */
export class EventRecorder implements EventSink {
  constructor(
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
  ) {}

  async record(stores: Stores, events: readonly HeraldEvent[]): Promise<void> {
    if (events.length === 0) return;
    const now = this.clock.nowMicros();
    const rows = this.prepare(await stores.settings.get(), events, now).flat();
    if (rows.length > 0) await stores.outbox.append(rows, now);
  }

  prepare(settings: AppSettings, events: readonly HeraldEvent[], now: number): PreparedDelivery[][] {
    // A batch's events share their sender and their time: encode each user once per call.
    const users = new Map<User, Record<string, unknown>>();
    const userOf = (user: User | null, id: string) => {
      if (!user) return wire.userOrStub(null, id);
      let encoded = users.get(user);
      if (!encoded) users.set(user, (encoded = wire.user(user)));
      return encoded;
    };
    const createdAt = wire.time(now);
    return events.map((event) => {
      const urls = hookUrlsFor(settings, event.type);
      if (urls.length === 0) return [];
      const body = JSON.stringify(this.payload(event, createdAt, userOf));
      const ordering = 'campaign' in event ? event.campaign.campaign.id : null;
      return urls.map((hook_url) => ({ id: this.ids.next(), hook_url, event_type: event.type, ordering_key: ordering, body }));
    });
  }

  private payload(
    event: HeraldEvent,
    created_at: string | bigint,
    userOf: (user: User | null, id: string) => Record<string, unknown>,
  ): Record<string, unknown> {
    switch (event.type) {
      case 'campaign.started':
      case 'campaign.updated':
      case 'campaign.completed':
        return { type: event.type, created_at, custom: {}, campaign: encodeCampaign(wire, event.campaign) };
      case 'message.new':
        return {
          type: event.type,
          ...this.channelRef(event.channel),
          message_id: event.message.id,
          message: { ...wire.message({ message: event.message, user: null }), user: userOf(event.user, event.message.user_id) },
          user: userOf(event.user, event.message.user_id),
          watcher_count: 0,
          created_at,
        };
      case 'channel.created':
        return {
          type: event.type,
          ...this.channelRef(event.channel),
          channel: wire.channel(event.channel, event.createdBy),
          ...(event.channel.created_by_id && { user: wire.userOrStub(event.createdBy, event.channel.created_by_id) }),
          created_at,
        };
      case 'member.added':
      case 'notification.added_to_channel':
        return {
          type: event.type,
          ...this.channelRef(event.channel),
          ...(event.type === 'notification.added_to_channel' && { channel: wire.channel(event.channel, null) }),
          member: {
            user_id: event.member.user_id,
            user: wire.userOrStub(event.user, event.member.user_id),
            channel_role: event.member.channel_role,
            created_at: wire.time(event.member.created_at),
            updated_at: wire.time(event.member.created_at),
          },
          user: wire.userOrStub(event.user, event.member.user_id),
          created_at,
        };
    }
  }

  private channelRef(channel: { cid: string; id: string; type: string }) {
    return { cid: channel.cid, channel_id: channel.id, channel_type: channel.type };
  }
}
