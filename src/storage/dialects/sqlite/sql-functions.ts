import type SqliteDatabase from 'better-sqlite3';
import { distinctChannelId } from '../../../domain/channel.js';

/** `herald_distinct_channel_id(a, b)`: sqlite-caps.ts's distinctChannelId calls it by this name. */
export const DISTINCT_CHANNEL_ID_FN = 'herald_distinct_channel_id';

/**
 * SQL functions that SQLite lacks, registered on every connection Herald opens. The distinct
 * channel id of a pair is domain/channel.ts's own function, so SQL and the sender never differ;
 * NULL when either id is NULL or both are the same user (no distinct channel of one member).
 * Deterministic, so SQLite may factor it out of a statement. Cost, measured over 950k users on
 * 2 cores: ~0.5 µs a call into JS plus ~0.5–1 µs for the hash, 1–1.6 s in all.
 */
export function registerSqlFunctions(raw: SqliteDatabase.Database): void {
  raw.function(DISTINCT_CHANNEL_ID_FN, { deterministic: true }, (a: unknown, b: unknown) =>
    typeof a === 'string' && typeof b === 'string' && a !== b ? distinctChannelId([a, b]) : null,
  );
}
