import { sql, type Kysely } from 'kysely';
import type { BucketRow } from '../../../../domain/rate-bucket.js';
import type { Schema } from '../../../schema.js';

/**
 * The throttle's buckets in one short transaction of their own: the rows are created if new,
 * locked in key order (two workers taking `app` and `campaign:…` never deadlock), read, and
 * written back. A few hundred microseconds, once per batch: the lock is held for a statement
 * or two, never across a batch's planning or writing.
 */
export async function updateBuckets(
  db: Kysely<Schema>,
  keys: readonly string[],
  now: number,
  update: (rows: ReadonlyMap<string, BucketRow>) => ReadonlyMap<string, number>,
): Promise<void> {
  const sorted = [...keys].sort();
  await db.transaction().execute(async (trx) => {
    const found = await sql<{ key: string; tokens: number; updated_at: string }>`
      select key, tokens, updated_at from send_rate_buckets where key = any(${sorted}::text[]) order by key for update`.execute(trx);
    const rows = new Map(found.rows.map((r) => [r.key, { tokens: Number(r.tokens), updated_at: Number(r.updated_at) }]));
    const levels = update(rows);
    if (levels.size === 0) return;
    const entries = [...levels].sort(([a], [b]) => (a < b ? -1 : 1));
    // A bucket another worker created meanwhile is overwritten with this level, once: at most
    // one burst more, the first time a throttle is used.
    await sql`insert into send_rate_buckets (key, tokens, updated_at)
      select * from unnest(${entries.map(([k]) => k)}::text[], ${entries.map(([, t]) => t)}::float8[], ${entries.map(() => now)}::bigint[])
      on conflict (key) do update set tokens = excluded.tokens, updated_at = excluded.updated_at`.execute(trx);
  });
}
