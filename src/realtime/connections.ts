import { randomUUID } from 'node:crypto';
import type { WebSocket } from 'ws';

export interface Connection {
  readonly id: string;
  readonly userId: string;
  readonly socket: WebSocket;
}

/**
 * The chat connections this process holds. Fan-out reads it to find the sockets of a user;
 * nothing here is shared with other processes (docs/design.md, Realtime).
 */
export class ConnectionRegistry {
  private readonly byId = new Map<string, Connection>();
  private readonly byUser = new Map<string, Set<Connection>>();

  add(userId: string, socket: WebSocket): Connection {
    const connection: Connection = { id: randomUUID(), userId, socket };
    this.byId.set(connection.id, connection);
    let own = this.byUser.get(userId);
    if (!own) this.byUser.set(userId, (own = new Set()));
    own.add(connection);
    return connection;
  }

  remove(connection: Connection): void {
    this.byId.delete(connection.id);
    const own = this.byUser.get(connection.userId);
    own?.delete(connection);
    if (own?.size === 0) this.byUser.delete(connection.userId);
  }

  get(id: string): Connection | undefined {
    return this.byId.get(id);
  }

  ofUser(userId: string): ReadonlySet<Connection> {
    return this.byUser.get(userId) ?? new Set();
  }

  get size(): number {
    return this.byId.size;
  }

  all(): IterableIterator<Connection> {
    return this.byId.values();
  }
}
