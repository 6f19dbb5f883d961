import type { Micros } from './clock.js';

/** One throttle: a token bucket in the database, shared by every worker (send_rate_buckets). */
export interface RateLimit {
  /** `app`, or `campaign:<id>`. */
  key: string;
  /** Messages a second. */
  rate: number;
}

export interface BucketRow {
  tokens: number;
  updated_at: Micros;
}

// Half a second of burst: over any 10 s window a send stays within 10.5 s of tokens (the goal
// is 110%), and after an idle pause it restarts with a batch instead of a trickle.
export const burstOf = (rate: number): number => Math.max(1, rate / 2);

/** The tokens in the bucket at `now`; a bucket not yet written starts full. */
export function levelAt(row: BucketRow | undefined, rate: number, now: Micros): number {
  if (!row) return burstOf(rate);
  const refill = (Math.max(0, now - row.updated_at) / 1_000_000) * rate;
  return Math.min(burstOf(rate), row.tokens + refill);
}

/**
 * The smallest grant worth a batch: 50 ms of the tightest rate (the sender's idle tick). Below
 * it the sender waits instead of sending batches of one or two targets, each a transaction.
 */
export const minimumGrant = (limits: readonly RateLimit[], want: number): number =>
  Math.min(want, Math.max(1, Math.floor(Math.min(...limits.map((l) => l.rate)) / 20)));

/**
 * Takes up to `want` tokens from every bucket at once (the same number from each): all of them
 * or, when any holds fewer than `minimum`, none. Returns the grant and each bucket's new level.
 */
export function takeTokens(
  limits: readonly RateLimit[],
  rows: ReadonlyMap<string, BucketRow>,
  want: number,
  minimum: number,
  now: Micros,
): { granted: number; levels: Map<string, number> } {
  const levels = new Map(limits.map((l) => [l.key, levelAt(rows.get(l.key), l.rate, now)]));
  const available = Math.floor(Math.min(...levels.values()));
  const granted = available >= minimum ? Math.min(want, available) : 0;
  for (const [key, level] of levels) levels.set(key, level - granted);
  return { granted, levels };
}

/** Gives back tokens a batch took and did not use (targets skipped, deferred, or not claimed). */
export function returnTokens(limits: readonly RateLimit[], rows: ReadonlyMap<string, BucketRow>, count: number, now: Micros): Map<string, number> {
  return new Map(limits.map((l) => [l.key, Math.min(burstOf(l.rate), levelAt(rows.get(l.key), l.rate, now) + count)]));
}
