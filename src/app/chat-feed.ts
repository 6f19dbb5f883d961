import type { Channel } from '../domain/channel.js';
import type { Micros } from '../domain/clock.js';
import { FeedKind, type FeedEntry, type FeedRow } from '../domain/feed.js';
import type { Message } from '../domain/message.js';
import type { User } from '../domain/user.js';
import type { AppDeps } from './app-deps.js';
import type { MemberWithUser } from './channel-state.js';
import type { Membership } from './ports.js';
import type { UnreadCounts } from './realtime-ports.js';

/** The users who have a chat connection on this process. */
export interface LocalAudience {
  has(userId: string): boolean;
}

/** What one feed row means to this process's connections, before encoding. */
export type ChatNotice =
  /** A message: `recipients` are its channel's members that are connected here. */
  | { kind: 'message'; message: Message; author: User | null; channel: Channel; recipients: string[] }
  /** A member joined: the member (if connected here) is notified, watchers see it. */
  | { kind: 'added'; channel: Channel; members: MemberWithUser[]; member: MemberWithUser }
  /** A member read the channel up to `at`. */
  | { kind: 'read'; channel: Channel; reader: User | null; readerId: string; at: Micros };

export interface FeedNotices {
  notices: ChatNotice[];
  /** Unread counts of every connected user a notice concerns, read after the change. */
  unread: Map<string, UnreadCounts>;
}

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

  async notices(row: FeedRow, audience: LocalAudience): Promise<FeedNotices> {
    const entry = row.entry;
    switch (entry.kind) {
      case FeedKind.message: {
        const message = await this.deps.storage.messages.get(entry.message_id);
        return message ? this.messages([message], audience) : NONE;
      }
      case FeedKind.campaignBatch: {
        const { campaign_id, first_message_id, last_message_id, at } = entry;
        return this.messages(await this.deps.storage.messages.batchOfCampaign(campaign_id, first_message_id, last_message_id), audience, at);
      }
      case FeedKind.read:
        return this.read(entry, audience);
      case FeedKind.membersAdded:
        return this.added(entry, audience);
    }
  }

  /**
   * Messages and their channels' connected members. `addedAt`: the time of a campaign batch,
   * whose new members (created then) are told they were added before they see the message.
   */
  private async messages(messages: Message[], audience: LocalAudience, addedAt?: Micros): Promise<FeedNotices> {
    const cids = [...new Set(messages.map((m) => m.cid))];
    const all = await this.deps.storage.channels.membershipsOf(cids);
    const memberships = all.filter((m) => audience.has(m.user_id));
    if (memberships.length === 0) return NONE;
    const byCid = groupBy(memberships, (m) => m.cid);
    // Channels where a connected user joined in this batch: their notices list every member.
    const joined = new Set(memberships.filter((m) => m.created_at === addedAt).map((m) => m.cid));
    const rosters = groupBy(all.filter((m) => joined.has(m.cid)), (m) => m.cid);
    const channels = new Map((await this.deps.storage.channels.batchGet([...byCid.keys()])).map((c) => [c.cid, c]));
    const userIds = [...messages.map((m) => m.user_id), ...[...rosters.values()].flat().map((m) => m.user_id)];
    const users = await this.users(userIds);

    const notices: ChatNotice[] = [];
    const told = new Set<string>();
    for (const message of messages) {
      const channel = channels.get(message.cid);
      const connected = byCid.get(message.cid);
      if (!channel || !connected) continue;
      const roster = rosters.get(message.cid);
      if (roster && !told.has(message.cid)) {
        told.add(message.cid);
        const members = roster.slice(0, MEMBERS_IN_NOTICE).map((m) => withUser(m, users));
        for (const m of connected) if (m.created_at === addedAt) notices.push({ kind: 'added', channel, members, member: withUser(m, users) });
      }
      notices.push({ kind: 'message', message, author: users.get(message.user_id) ?? null, channel, recipients: connected.map((m) => m.user_id) });
    }
    return { notices, unread: await this.deps.storage.channels.unreadCountsOf([...new Set(memberships.map((m) => m.user_id))]) };
  }

  private async read(entry: Extract<FeedEntry, { kind: 'read' }>, audience: LocalAudience): Promise<FeedNotices> {
    const connected = (await this.deps.storage.channels.membershipsOf([entry.cid])).filter((m) => audience.has(m.user_id));
    if (connected.length === 0) return NONE;
    const [channel, [reader]] = await Promise.all([this.deps.storage.channels.get(entry.cid), this.deps.storage.users.batchGet([entry.user_id])]);
    if (!channel) return NONE;
    const unread = audience.has(entry.user_id) ? await this.deps.storage.channels.unreadCountsOf([entry.user_id]) : new Map();
    return { notices: [{ kind: 'read', channel, reader: reader ?? null, readerId: entry.user_id, at: entry.at }], unread };
  }

  private async added(entry: Extract<FeedEntry, { kind: 'members_added' }>, audience: LocalAudience): Promise<FeedNotices> {
    const roster = await this.deps.storage.channels.membershipsOf([entry.cid]);
    const addedIds = new Set(entry.user_ids);
    if (!roster.some((m) => audience.has(m.user_id))) return NONE;
    const channel = await this.deps.storage.channels.get(entry.cid);
    if (!channel) return NONE;
    const users = await this.users(roster.map((m) => m.user_id));
    const members = roster.slice(0, MEMBERS_IN_NOTICE).map((m) => withUser(m, users));
    // The user who added them knows: every other added member is told.
    const added = roster.filter((m) => addedIds.has(m.user_id) && m.user_id !== entry.by);
    const notices: ChatNotice[] = added.map((m) => ({ kind: 'added', channel, members, member: withUser(m, users) }));
    const told = added.filter((m) => audience.has(m.user_id)).map((m) => m.user_id);
    return { notices, unread: await this.deps.storage.channels.unreadCountsOf(told) };
  }

  private async users(ids: readonly string[]): Promise<Map<string, User>> {
    const unique = [...new Set(ids)];
    return new Map((await this.deps.storage.users.batchGet(unique)).map((u) => [u.id, u]));
  }
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

const withUser = (m: Membership, users: ReadonlyMap<string, User>): MemberWithUser => {
  const { cid: _cid, ...member } = m;
  return { member, user: users.get(m.user_id) ?? null };
};
