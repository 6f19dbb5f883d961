import type { Clock } from '../domain/clock.js';
import type { Storage } from './ports.js';

export interface IdGenerator {
  /** A new time-ordered id (UUIDv7), so that B-tree inserts append. */
  next(): string;
}

export interface AppDeps {
  readonly storage: Storage;
  readonly clock: Clock;
  readonly ids: IdGenerator;
}
