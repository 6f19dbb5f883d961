import { uuidv7 } from 'uuidv7';
import type { IdGenerator } from '../app/app-deps.js';

// A UUIDv7 is a 48-bit millisecond time, a 42-bit counter that the generator increments within
// a millisecond (uuidv7's monotonic mode), then 32 random bits. A block keeps one id's first
// 112 bits and counts in its last 16: no other id of this generator can fall inside the
// block (they differ in the time or the counter), and another process's only with the odds of
// two UUIDs colliding on 74 random bits.
const BLOCK_LIMIT = 0x10000;

export const timeOrderedIds: IdGenerator = {
  next: uuidv7,
  block(count: number): string[] {
    if (count > BLOCK_LIMIT) throw new RangeError(`a block holds at most ${BLOCK_LIMIT} ids`);
    const prefix = uuidv7().slice(0, 32);
    return Array.from({ length: count }, (_, i) => prefix + i.toString(16).padStart(4, '0'));
  },
};
