import type { Micros } from '../domain/clock.js';
import type { BodyFormat, OutboxStatus } from '../domain/events.js';

/** One webhook delivery waiting in the outbox: an event for one hook URL. */
export interface OutboxRow {
  id: string;
  hook_url: string;
  event_type: string;
  /** Campaign events of one campaign are delivered in order; null for chat events. */
  ordering_key: string | null;
  /**
   * The exact JSON that is signed and sent, the same on every attempt; or, for a campaign's
   * chat events, a snapshot that the first attempt encodes (and a failed one stores as wire).
   */
  body: string;
  body_format: BodyFormat;
  status: OutboxStatus;
  attempts: number;
  next_attempt_at: Micros;
  last_error: string | null;
  created_at: Micros;
}

/** An outbox row ready to insert: one event for one hook. */
export type PreparedDelivery = Pick<OutboxRow, 'id' | 'hook_url' | 'event_type' | 'ordering_key' | 'body' | 'body_format'>;

/** A place in the outbox's delivery order: (next_attempt_at, id). */
export type OutboxPosition = Pick<OutboxRow, 'next_attempt_at' | 'id'>;
