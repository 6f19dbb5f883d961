import type { Micros } from '../domain/clock.js';
import type { User } from '../domain/user.js';

/**
 * What travels between processes without being stored: typing events, and watch requests for
 * a connection that another API process holds. Lost ones are lost (they are ephemeral); what
 * matters is stored in the chat feed and read back by each process.
 */
export type EphemeralEvent =
  | { kind: 'channel_event'; cid: string; event: ChannelEvent }
  | { kind: 'watch'; connection_id: string; user_id: string; cids: string[] }
  | { kind: 'stop_watching'; connection_id: string; user_id: string; cid: string };

/** An event a client sends to a channel's watchers through REST (typing). */
export interface ChannelEvent {
  type: string;
  /** Who sent it: their own connections do not get it back. */
  user: User;
  parent_id?: string;
  created_at: Micros;
}

export interface BusListener {
  /** Feed rows may have been committed, by this process or another: read the feed. */
  feed(): void;
  ephemeral(event: EphemeralEvent): void;
}

/**
 * Fan-out between processes through an existing engine, never a broker of Herald's own: an
 * in-process emitter for one SQLite process, LISTEN/NOTIFY on PostgreSQL.
 */
export interface RealtimeBus {
  subscribe(listener: BusListener): () => void;
  /** Sends an ephemeral event to every process, this one included. */
  publish(event: EphemeralEvent): Promise<void>;
  /** Tells this process's readers that feed rows were committed here (SQLite's after-commit signal). */
  wakeFeed(): void;
  close(): Promise<void>;
}

/**
 * Which channels each chat connection watches: `queryChannels` and `watch()` with the
 * client's `connection_id` add to it, `stop-watching` and disconnecting remove from it.
 */
export interface Watching {
  /** Adds the channels to the connection's watch set (on whichever process holds it). */
  watch(connectionId: string, userId: string, cids: readonly string[]): void;
  stopWatching(connectionId: string, userId: string, cid: string): void;
  /** The users watching the channel through this process's connections. */
  watchersOf(cid: string): string[];
}

export interface UnreadCounts {
  /** Messages by others after the user's last read, over its channels. */
  messages: number;
  /** Channels with at least one such message. */
  channels: number;
}
