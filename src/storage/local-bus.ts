import type { BusListener, EphemeralEvent, RealtimeBus } from '../app/realtime-ports.js';

/**
 * The realtime bus of one process (SQLite): the API and its connections live here, and the
 * sender thread's commits arrive through `wakeFeed` (main/background-thread.ts forwards them).
 */
export class LocalBus implements RealtimeBus {
  private readonly listeners = new Set<BusListener>();

  subscribe(listener: BusListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async publish(event: EphemeralEvent): Promise<void> {
    for (const listener of this.listeners) listener.ephemeral(event);
  }

  wakeFeed(): void {
    for (const listener of this.listeners) listener.feed();
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }
}
