import type { Clock } from '../domain/clock.js';
import type { CustomDataLimits } from '../domain/custom-data.js';
import type { EventSink } from './event-ports.js';
import type { Storage } from './ports.js';
import type { RealtimeBus } from './realtime-ports.js';

export interface IdGenerator {
  /** A new time-ordered id (UUIDv7), so that B-tree inserts append. */
  next(): string;
  /**
   * `count` time-ordered ids that form a key range no other id falls in: a send batch's
   * messages are then exactly the ids between its first and last (its chat feed row).
   */
  block(count: number): string[];
}

export interface AppDeps {
  readonly storage: Storage;
  /** Where webhook events go, inside the transaction of the change they report. */
  readonly events: EventSink;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  /** Bounds on the custom data of users, channels, messages and campaign templates. */
  readonly customData: CustomDataLimits;
  /** Carries what is not stored (typing) to the chat connections of every process. */
  readonly bus: RealtimeBus;
}
