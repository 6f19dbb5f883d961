import type { Micros } from './clock.js';
import { parseTime } from './time.js';

/**
 * Stream's token revocation: the app's `revoke_tokens_issued_before` and each user's refuse
 * user tokens issued before them (their `iat`). A token without `iat` cannot show when it was
 * issued, so once a revocation is set it is refused too: a leaked token must be revocable.
 */
export function tokenRevoked(issuedAtSeconds: number | undefined, ...revokedBefore: ReadonlyArray<Micros | null | undefined>): boolean {
  const before = Math.max(...revokedBefore.map((b) => b ?? Number.NEGATIVE_INFINITY));
  if (before === Number.NEGATIVE_INFINITY) return false;
  return issuedAtSeconds === undefined || issuedAtSeconds * 1_000_000 < before;
}

/** A `revoke_tokens_issued_before` as the SDKs send it: an RFC 3339 time, int64 nanoseconds, or null to clear it. */
export const parseRevokedBefore = (value: unknown, field: string): Micros | null => (value === null ? null : parseTime(value, field));
