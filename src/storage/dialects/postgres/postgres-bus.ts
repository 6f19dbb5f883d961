import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import type { BusListener, EphemeralEvent, RealtimeBus } from '../../../app/realtime-ports.js';
import { FEED_CHANNEL } from '../../feed-store.js';
import type { Schema } from '../../schema.js';

const EPHEMERAL_CHANNEL = 'herald_ephemeral';
// PostgreSQL refuses NOTIFY payloads of 8,000 bytes and more.
export const MAX_NOTIFY_BYTES = 7999;
// A lost LISTEN connection is opened again after 0.25 s, then up to every 5 s.
const RECONNECT_MIN_MS = 250;
const RECONNECT_MAX_MS = 5000;
// A half-open TCP connection sends no error: a ping every 20 s finds it.
const PING_EVERY_MS = 20_000;

/**
 * The realtime bus over PostgreSQL: one dedicated LISTEN connection per process, opened by the
 * first subscriber. Feed notifications come from the commits themselves (feed-store.ts); after
 * every (re)connect the listeners are told to read the feed, so a notification lost while the
 * connection was down only delays what it announced.
 */
export class PostgresBus implements RealtimeBus {
  private readonly listeners = new Set<BusListener>();
  private client: pg.Client | null = null;
  private started = false;
  private closed = false;
  private retryMs = RECONNECT_MIN_MS;
  private ping: NodeJS.Timeout | null = null;

  constructor(
    private readonly connectionString: string,
    private readonly db: Kysely<Schema>,
    private readonly onError: (error: unknown) => void = () => {},
  ) {}

  subscribe(listener: BusListener): () => void {
    this.listeners.add(listener);
    if (!this.started) {
      this.started = true;
      void this.listen();
    }
    return () => this.listeners.delete(listener);
  }

  async publish(event: EphemeralEvent): Promise<void> {
    let payload = JSON.stringify(event);
    // A user with kilobytes of custom data does not fit beside the rest: its custom data stays home.
    if (Buffer.byteLength(payload) > MAX_NOTIFY_BYTES && event.kind === 'channel_event') {
      payload = JSON.stringify({ ...event, event: { ...event.event, user: { ...event.event.user, custom: {} } } });
    }
    if (Buffer.byteLength(payload) > MAX_NOTIFY_BYTES) throw new RangeError(`an ephemeral event is over ${MAX_NOTIFY_BYTES} bytes`);
    await sql`select pg_notify(${EPHEMERAL_CHANNEL}, ${payload})`.execute(this.db);
  }

  wakeFeed(): void {
    for (const listener of this.listeners) listener.feed();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.ping) clearInterval(this.ping);
    this.listeners.clear();
    await this.client?.end().catch(() => {});
  }

  private async listen(): Promise<void> {
    while (!this.closed) {
      const client = new pg.Client({ connectionString: this.connectionString, keepAlive: true, application_name: 'herald-listen' });
      try {
        const lost = new Promise<void>((resolve) => {
          client.on('error', (error) => {
            this.onError(error);
            resolve();
          });
          client.on('end', () => resolve());
        });
        client.on('notification', (n) => this.dispatch(n.channel, n.payload));
        await client.connect();
        await client.query(`listen ${FEED_CHANNEL}; listen ${EPHEMERAL_CHANNEL}`);
        this.client = client;
        this.retryMs = RECONNECT_MIN_MS;
        this.ping = setInterval(() => client.query('select 1').catch(() => client.end().catch(() => {})), PING_EVERY_MS);
        this.ping.unref();
        // Whatever was committed while no connection listened is read now.
        this.wakeFeed();
        await lost;
      } catch (error) {
        if (!this.closed) this.onError(error);
      } finally {
        if (this.ping) clearInterval(this.ping);
        this.ping = null;
        this.client = null;
        await client.end().catch(() => {});
      }
      if (this.closed) return;
      await new Promise((resolve) => setTimeout(resolve, this.retryMs).unref());
      this.retryMs = Math.min(this.retryMs * 2, RECONNECT_MAX_MS);
    }
  }

  private dispatch(channel: string, payload: string | undefined): void {
    if (channel === FEED_CHANNEL) {
      this.wakeFeed();
      return;
    }
    let event: EphemeralEvent;
    try {
      event = JSON.parse(payload ?? '') as EphemeralEvent;
    } catch (error) {
      this.onError(error);
      return;
    }
    for (const listener of this.listeners) listener.ephemeral(event);
  }
}
