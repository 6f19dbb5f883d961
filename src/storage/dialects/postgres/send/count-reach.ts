import { sql, type Transaction } from 'kysely';
import type { Schema } from '../../../schema.js';

/** Users reached through channel targets: each channel's members other than the sender (pk prefix scans). */
export async function countReach(trx: Transaction<Schema>, senderId: string, pks: readonly number[]): Promise<number> {
  if (pks.length === 0) return 0;
  const row = await sql<{ n: number }>`select count(*)::int as n from channel_members
    where channel_pk = any(${pks}::bigint[]) and user_id <> ${senderId}`.execute(trx);
  return Number(row.rows[0]?.n ?? 0);
}
