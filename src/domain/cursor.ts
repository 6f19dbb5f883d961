import { inputError } from './errors.js';

/**
 * Opaque paging cursors: base64url JSON. Clients must treat them as opaque (Stream's are);
 * Herald checks their shape on the way back in, so a tampered cursor is a 400, not a 500.
 */
export function encodeCursor(value: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function decodeCursor<T extends Record<string, string | number>>(
  cursor: string,
  field: string,
  check: (value: Record<string, unknown>) => value is T,
): T {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (value && typeof value === 'object' && check(value as Record<string, unknown>)) return value as T;
  } catch {
    // reported below
  }
  throw inputError(`${field} is not a valid cursor`, { [field]: 'invalid cursor' });
}

/** An offset cursor, for small, sorted collections (campaigns, segments, campaign users). */
export interface OffsetCursor extends Record<string, number> {
  o: number;
}

const isOffset = (v: Record<string, unknown>): v is OffsetCursor =>
  Number.isInteger(v.o) && (v.o as number) >= 0 && (v.o as number) <= 10_000_000;

export const decodeOffset = (cursor: string | undefined, field: string): number =>
  cursor ? decodeCursor(cursor, field, isOffset).o : 0;

/** `next`/`prev` cursors around a page that started at offset and held `count` of `limit`. */
export function offsetPager(offset: number, limit: number, count: number, hasMore: boolean): { next?: string; prev?: string } {
  return {
    ...(hasMore && count > 0 && { next: encodeCursor({ o: offset + count }) }),
    ...(offset > 0 && { prev: encodeCursor({ o: Math.max(0, offset - limit) }) }),
  };
}
