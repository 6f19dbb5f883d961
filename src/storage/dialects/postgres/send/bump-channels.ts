import { sql, type Transaction } from 'kysely';
import type { Schema } from '../../../schema.js';

/**
 * The counters of the existing channels a batch posted in, in pk order: two batches that share
 * channels lock them in the same order and cannot deadlock on them. Primary-key updates.
 */
export async function bumpChannels(trx: Transaction<Schema>, now: number, bumps: ReadonlyMap<number, { messages: number; members: number }>): Promise<void> {
  const ordered = [...bumps.entries()].sort((a, b) => a[0] - b[0]);
  if (ordered.length === 0) return;
  await sql`update channels c set message_count = c.message_count + x.messages, member_count = c.member_count + x.members,
      last_message_at = ${now}, updated_at = ${now}
    from unnest(${ordered.map(([pk]) => pk)}::bigint[], ${ordered.map(([, b]) => b.messages)}::int[],
      ${ordered.map(([, b]) => b.members)}::int[]) as x(pk, messages, members)
    where c.pk = x.pk`.execute(trx);
}
