import { randomUUID } from 'node:crypto';
import type { EphemeralEvent, RealtimeBus, Watching } from '../app/realtime-ports.js';

/** One chat client: a WebSocket or a long-poll session. */
export interface Connection {
  readonly id: string;
  readonly userId: string;
  /** The channels this connection watches: message.new and the like go to watchers. */
  readonly watching: Set<string>;
  /** Sends one event, already encoded as JSON text. */
  send(frame: string): void;
  /**
   * Holds the frames sent until `uncork`, then writes them at once: one system call for the
   * several events a user gets from one batch instead of one each.
   */
  cork(): void;
  uncork(): void;
  /** Ends the connection (the registry entry is removed by `ConnectionRegistry.remove`). */
  close(code: number, reason: string): void;
}

export const newConnectionId = (): string => randomUUID();

/**
 * The chat connections this process holds, by id, by user and by watched channel. Nothing here
 * is shared with other processes: what they need travels through the bus (docs/design.md,
 * Realtime). A watch request for a connection that another process holds is published there.
 */
export class ConnectionRegistry implements Watching {
  private readonly byId = new Map<string, Connection>();
  private readonly byUser = new Map<string, Set<Connection>>();
  private readonly byChannel = new Map<string, Set<Connection>>();

  constructor(private readonly bus: RealtimeBus) {}

  add(connection: Connection): void {
    this.byId.set(connection.id, connection);
    addTo(this.byUser, connection.userId, connection);
  }

  remove(connection: Connection): void {
    if (this.byId.get(connection.id) !== connection) return;
    this.byId.delete(connection.id);
    removeFrom(this.byUser, connection.userId, connection);
    for (const cid of connection.watching) removeFrom(this.byChannel, cid, connection);
    connection.watching.clear();
  }

  get(id: string): Connection | undefined {
    return this.byId.get(id);
  }

  ofUser(userId: string): ReadonlySet<Connection> {
    return this.byUser.get(userId) ?? EMPTY;
  }

  /** Whether the user has a connection here (the fan-out's LocalAudience). */
  has(userId: string): boolean {
    return this.byUser.has(userId);
  }

  watchersOfChannel(cid: string): ReadonlySet<Connection> {
    return this.byChannel.get(cid) ?? EMPTY;
  }

  get size(): number {
    return this.byId.size;
  }

  all(): IterableIterator<Connection> {
    return this.byId.values();
  }

  watch(connectionId: string, userId: string, cids: readonly string[]): void {
    const connection = this.byId.get(connectionId);
    if (!connection) {
      void this.bus.publish({ kind: 'watch', connection_id: connectionId, user_id: userId, cids: [...cids] }).catch(() => {});
      return;
    }
    // A user may subscribe only its own connections.
    if (connection.userId !== userId) return;
    for (const cid of cids) {
      connection.watching.add(cid);
      addTo(this.byChannel, cid, connection);
    }
  }

  stopWatching(connectionId: string, userId: string, cid: string): void {
    const connection = this.byId.get(connectionId);
    if (!connection) {
      void this.bus.publish({ kind: 'stop_watching', connection_id: connectionId, user_id: userId, cid }).catch(() => {});
      return;
    }
    if (connection.userId !== userId) return;
    connection.watching.delete(cid);
    removeFrom(this.byChannel, cid, connection);
  }

  watchersOf(cid: string): string[] {
    return [...new Set([...this.watchersOfChannel(cid)].map((c) => c.userId))];
  }

  /** A watch request published by another process: applied if the connection is here. */
  applyRemote(event: Extract<EphemeralEvent, { kind: 'watch' | 'stop_watching' }>): void {
    if (!this.byId.has(event.connection_id)) return;
    if (event.kind === 'watch') this.watch(event.connection_id, event.user_id, event.cids);
    else this.stopWatching(event.connection_id, event.user_id, event.cid);
  }
}

const EMPTY: ReadonlySet<Connection> = new Set();

function addTo(index: Map<string, Set<Connection>>, key: string, connection: Connection): void {
  let set = index.get(key);
  if (!set) index.set(key, (set = new Set()));
  set.add(connection);
}

function removeFrom(index: Map<string, Set<Connection>>, key: string, connection: Connection): void {
  const set = index.get(key);
  set?.delete(connection);
  if (set?.size === 0) index.delete(key);
}
