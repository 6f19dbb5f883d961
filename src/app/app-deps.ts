import type { Clock } from '../domain/clock.js';
import type { CustomDataLimits } from '../domain/custom-data.js';
import type { EventSink } from './event-ports.js';
import type { Storage } from './ports.js';

export interface IdGenerator {
  /** A new time-ordered id (UUIDv7), so that B-tree inserts append. */
  next(): string;
}

export interface AppDeps {
  readonly storage: Storage;
  /** Where webhook events go, inside the transaction of the change they report. */
  readonly events: EventSink;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  /** Bounds on the custom data of users, channels, messages and campaign templates. */
  readonly customData: CustomDataLimits;
}
