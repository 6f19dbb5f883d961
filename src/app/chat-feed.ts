import type { Channel, ChannelMember } from '../domain/channel.js';
import type { ChatEvent } from '../domain/chat-event.js';
import type { Micros } from '../domain/clock.js';
import { FeedKind, type FeedEntry, type FeedRow } from '../domain/feed.js';
import type { Message } from '../domain/message.js';
import type { User } from '../domain/user.js';
import type { AppDeps } from './app-deps.js';
import type { MemberWithUser } from './channel-state.js';
import type { ChannelWithMembers } from './ports.js';
import type { UnreadCounts } from './realtime-ports.js';

/** The users who have a chat connection on this process. */
export interface LocalAudience {
  has(userId: string): boolean;
}

/** What one feed row means to this process's connections, before encoding. */
export type ChatNotice =
  /**
   * A message: `recipients` are its channel's members that are connected here. `change`: it
   * was edited or deleted (watchers hear of it), not sent.
   */
  | { kind: 'message'; message: Message; author: User | null; channel: Channel; recipients: string[]; change?: 'message.updated' | 'message.deleted' }
  /** A member joined: the member (if connected here) is notified, watchers see it. */
  | { kind: 'added'; channel: Channel; members: MemberWithUser[]; member: MemberWithUser }
  /** A member read the channel up to `at`. */
  | { kind: 'read'; channel: Channel; reader: User | null; readerId: string; at: Micros }
  /** Any other chat event: it names who hears it (its channel's watchers, users to notify). */
  | { kind: 'event'; event: ChatEvent };

export interface FeedNotices {
  notices: ChatNotice[];
  /** Unread counts of every connected user a notice concerns, read after the change. */
  unread: Map<string, UnreadCounts>;
}

// A batch of 5,000 messages to connected users is read and sent in parts of 500: the first
// frames leave ~100 ms after the commit instead of ~600 ms, after the whole batch (10,000
// connections, bench/realtime.bench.ts); parts of 1,000 were no faster overall.
const MESSAGES_PER_PART = 500;
// Members listed in a notification.added_to_channel's channel: a channel page's worth.
const MEMBERS_IN_NOTICE = 100;
// Feed rows live this long; a reader that fell further behind has lost its connections' state
// anyway (their clients recover by querying when they reconnect).
export const FEED_RETENTION_MS = 10 * 60_000;

const NONE: FeedNotices = { notices: [], unread: new Map() };

/**
 * Reads the chat feed for the realtime gateway and works out, row by row, what the users
 * connected to this process must be told. Nothing is read for a row that concerns none of
 * them beyond the row itself and its channels' memberships.
 */
export class ChatFeedService {
  constructor(private readonly deps: AppDeps) {}

  latestSeq(): Promise<number> {
    return this.deps.storage.feed.latestSeq();
  }

  readAfter(seq: number, limit: number): Promise<FeedRow[]> {
    return this.deps.storage.feed.readAfter(seq, limit);
  }

  batchGet(seqs: readonly number[]): Promise<FeedRow[]> {
    return this.deps.storage.feed.batchGet(seqs);
  }

  /** Deletes rows past the retention (a worker loop). True when it deleted any. */
  async prune(): Promise<boolean> {
    return (await this.deps.storage.feed.prune(this.deps.clock.nowMicros() - FEED_RETENTION_MS * 1000)) > 0;
  }

  /**
   * What the row means here, in parts: a send batch in slices of its messages, so that the
   * first recipients hear of it before the whole batch is read and encoded.
   */
  async *notices(row: FeedRow, audience: LocalAudience): AsyncGenerator<FeedNotices> {
    const entry = row.entry;
    switch (entry.kind) {
      case FeedKind.message: {
        const message = await this.deps.storage.messages.get(entry.message_id);
        if (message) yield this.messages([message], audience);
        return;
      }
      case FeedKind.campaignBatch: {
        // Read a part at a time: a batch's 5,000 messages read at once held the event loop for
        // ~40 ms before the first frame and stayed alive through all ten parts.
        const { campaign_id, first_message_id: firstId, last_message_id: lastId, at } = entry;
        let afterId: string | undefined;
        for (;;) {
          const messages = await this.deps.storage.messages.batchOfCampaign(campaign_id, { firstId, lastId, afterId, limit: MESSAGES_PER_PART });
          if (messages.length === 0) return;
          yield this.messages(messages, audience, at);
          if (messages.length < MESSAGES_PER_PART) return;
          afterId = messages.at(-1)!.id;
        }
      }
      case FeedKind.messagesChanged: {
        for (let i = 0; i < entry.message_ids.length; i += MESSAGES_PER_PART) {
          const messages = await this.deps.storage.messages.byIds(entry.message_ids.slice(i, i + MESSAGES_PER_PART));
          const part = await this.messages(messages, audience);
          yield { ...part, notices: part.notices.map((n) => (n.kind === 'message' ? { ...n, change: entry.event } : n)) };
        }
        return;
      }
      case FeedKind.read:
        yield this.read(entry, audience);
        return;
      case FeedKind.membersAdded:
        yield this.added(entry, audience);
        return;
      case FeedKind.events:
        // Routed by the gateway, which knows the watchers: nothing to read.
        yield { notices: entry.events.map((event) => ({ kind: 'event', event })), unread: new Map() };
    }
  }

  /**
   * Messages and their channels' connected members. `addedAt`: the time of a campaign batch,
   * whose new members (created then) are told they were added before they see the message.
   */
  private async messages(messages: Message[], audience: LocalAudience, addedAt?: Micros): Promise<FeedNotices> {
    const channels = new Map<string, ChannelWithMembers & { connected: ChannelMember[] }>();
    for (const found of await this.deps.storage.channels.batchWithMembers([...new Set(messages.map((m) => m.cid))])) {
      const connected = found.members.filter((m) => audience.has(m.user_id));
      if (connected.length > 0) channels.set(found.channel.cid, { ...found, connected });
    }
    if (channels.size === 0) return NONE;
    const recipients = [...new Set([...channels.values()].flatMap((c) => c.connected.map((m) => m.user_id)))];
    // Channels where a connected user joined in this batch list all their members in the notice.
    const joined = [...channels.values()].filter((c) => c.connected.some((m) => m.created_at === addedAt));
    const userIds = [...messages.map((m) => m.user_id), ...joined.flatMap((c) => c.members.map((m) => m.user_id))];
    // Independent reads: side by side on PostgreSQL's pool (SQLite runs them one by one).
    const [users, unread] = await Promise.all([this.users(userIds), this.deps.storage.channels.unreadCountsOf(recipients)]);

    const notices: ChatNotice[] = [];
    const told = new Set<string>();
    for (const message of messages) {
      const found = channels.get(message.cid);
      if (!found) continue;
      const { channel, connected } = found;
      if (!told.has(channel.cid) && connected.some((m) => m.created_at === addedAt)) {
        told.add(channel.cid);
        const members = found.members.slice(0, MEMBERS_IN_NOTICE).map((m) => withUser(m, users));
        for (const m of connected) if (m.created_at === addedAt) notices.push({ kind: 'added', channel, members, member: withUser(m, users) });
      }
      // A shadow-banned user's message reaches its author only (migration 010).
      const recipients = connected.filter((m) => !message.shadowed || m.user_id === message.user_id).map((m) => m.user_id);
      notices.push({ kind: 'message', message, author: users.get(message.user_id) ?? null, channel, recipients });
    }
    return { notices, unread };
  }

  private async read(entry: Extract<FeedEntry, { kind: 'read' }>, audience: LocalAudience): Promise<FeedNotices> {
    const [found] = await this.deps.storage.channels.batchWithMembers([entry.cid]);
    if (!found?.members.some((m) => audience.has(m.user_id))) return NONE;
    const [[reader], unread] = await Promise.all([
      this.deps.storage.users.batchGet([entry.user_id]),
      this.deps.storage.channels.unreadCountsOf(audience.has(entry.user_id) ? [entry.user_id] : []),
    ]);
    return { notices: [{ kind: 'read', channel: found.channel, reader: reader ?? null, readerId: entry.user_id, at: entry.at }], unread };
  }

  private async added(entry: Extract<FeedEntry, { kind: 'members_added' }>, audience: LocalAudience): Promise<FeedNotices> {
    const [found] = await this.deps.storage.channels.batchWithMembers([entry.cid]);
    if (!found?.members.some((m) => audience.has(m.user_id))) return NONE;
    const users = await this.users(found.members.map((m) => m.user_id));
    const members = found.members.slice(0, MEMBERS_IN_NOTICE).map((m) => withUser(m, users));
    // The user who added them knows: every other added member is told.
    const addedIds = new Set(entry.user_ids);
    const added = found.members.filter((m) => addedIds.has(m.user_id) && m.user_id !== entry.by);
    const notices: ChatNotice[] = added.map((m) => ({ kind: 'added', channel: found.channel, members, member: withUser(m, users) }));
    const told = added.filter((m) => audience.has(m.user_id)).map((m) => m.user_id);
    return { notices, unread: await this.deps.storage.channels.unreadCountsOf(told) };
  }

  private async users(ids: readonly string[]): Promise<Map<string, User>> {
    const unique = [...new Set(ids)];
    return new Map((await this.deps.storage.users.batchGet(unique)).map((u) => [u.id, u]));
  }
}

const withUser = (member: ChannelMember, users: ReadonlyMap<string, User>): MemberWithUser => ({ member, user: users.get(member.user_id) ?? null });
