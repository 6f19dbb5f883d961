import type { EventSink, HeraldEvent, PreparedDelivery, SnapshotEvent } from '../app/event-ports.js';
import type { IdGenerator } from '../app/app-deps.js';
import type { OutboxRow, Stores, UserStore } from '../app/ports.js';
import { hookUrlsFor, type AppSettings } from '../domain/app-settings.js';
import { splitCid, type Channel } from '../domain/channel.js';
import type { Clock } from '../domain/clock.js';
import { BodyFormat, EventType } from '../domain/events.js';
import type { Message } from '../domain/message.js';
import type { User } from '../domain/user.js';
import { encodeCampaign } from '../wire/campaign-encoding.js';
import { encodeChatEvent } from '../wire/chat-event-encoding.js';
import { legacyWire as wire } from '../wire/wire-encoder.js';

type UserOf = (user: User | null, id: string) => Record<string, unknown>;

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
    const settings = await stores.settings.get();
    const userOf = this.userEncoder();
    const createdAt = wire.time(now);
    const rows = events.flatMap((event) =>
      this.rows(settings, event.type === 'chat' ? event.event.type : event.type, 'campaign' in event ? event.campaign.campaign.id : null, BodyFormat.wire, () =>
        JSON.stringify(this.payload(event, createdAt, userOf)),
      ),
    );
    if (rows.length > 0) await stores.outbox.append(rows, now);
  }

  snapshot(settings: AppSettings, event: SnapshotEvent): PreparedDelivery[] {
    return this.rows(settings, event.type, null, BodyFormat.snapshot, () =>
      JSON.stringify(event.type === EventType.messageNew ? event.message : event.channel),
    );
  }

  /**
   * Encodes the snapshot rows among `rows` into their wire bodies, in place: the message or
   * channel as it was sent, the sender as `users` has it now, the event's time as recorded.
   */
  async encodeSnapshots(users: UserStore, rows: OutboxRow[]): Promise<void> {
    const snapshots = rows.filter((r) => r.body_format === BodyFormat.snapshot);
    if (snapshots.length === 0) return;
    const parsed = snapshots.map((row) => {
      const value = JSON.parse(row.body) as Message & Channel;
      return { row, value, senderId: row.event_type === EventType.messageNew ? value.user_id : value.created_by_id };
    });
    const senderIds = [...new Set(parsed.map((p) => p.senderId).filter((id) => id !== null))];
    const byId = new Map((await users.batchGet(senderIds)).filter((u) => u.deleted_at === null).map((u) => [u.id, u]));
    const userOf = this.userEncoder();
    for (const { row, value, senderId } of parsed) {
      const sender = (senderId !== null && byId.get(senderId)) || null;
      const event: HeraldEvent =
        row.event_type === EventType.messageNew
          ? { type: EventType.messageNew, message: value, user: sender, channel: { cid: value.cid, ...splitCid(value.cid) } }
          : { type: EventType.channelCreated, channel: value, createdBy: sender };
      row.body = JSON.stringify(this.payload(event, wire.time(row.created_at), userOf));
      row.body_format = BodyFormat.wire;
    }
  }

  /** One row per hook that wants the event type; the body is only made when some hook does. */
  private rows(settings: AppSettings, type: string, ordering: string | null, format: BodyFormat, body: () => string): PreparedDelivery[] {
    const urls = hookUrlsFor(settings, type);
    if (urls.length === 0) return [];
    const encoded = body();
    return urls.map((hook_url) => ({ id: this.ids.next(), hook_url, event_type: type, ordering_key: ordering, body: encoded, body_format: format }));
  }

  /** Events of one call share their users (a campaign's sender): encode each user once. */
  private userEncoder(): UserOf {
    const users = new Map<User, Record<string, unknown>>();
    return (user, id) => {
      if (!user) return wire.userOrStub(null, id);
      let encoded = users.get(user);
      if (!encoded) users.set(user, (encoded = wire.user(user)));
      return encoded;
    };
  }

  private payload(event: HeraldEvent, created_at: string | bigint, userOf: UserOf): Record<string, unknown> {
    switch (event.type) {
      case 'chat':
        return encodeChatEvent(wire, event.event);
      case 'campaign.started':
      case 'campaign.updated':
      case 'campaign.completed':
        return { type: event.type, created_at, custom: {}, campaign: encodeCampaign(wire, event.campaign) };
      case 'message.new':
      case 'message.updated':
      case 'message.deleted': {
        const user = userOf(event.user, event.message.user_id);
        return {
          type: event.type,
          ...this.channelRef(event.channel),
          message_id: event.message.id,
          message: wire.message({ message: event.message, user: event.user }, user),
          user,
          ...(event.type === 'message.new' && { watcher_count: 0 }),
          ...(event.type === 'message.deleted' && { hard_delete: false }),
          created_at,
        };
      }
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
