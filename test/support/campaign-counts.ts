import { sql } from 'kysely';
import type { Database } from '../../src/storage/database.js';

/** Messages a campaign created, per channel cid, read straight from the messages table. */
export async function messagesPerChannel(database: Database, campaignId: string): Promise<Map<string, number>> {
  const rows = await sql<{ cid: string; n: number }>`
    select c.cid as cid, count(*) as n from messages m join channels c on c.pk = m.channel_pk
    where m.campaign_id = ${campaignId} group by c.cid`.execute(database.db);
  return new Map(rows.rows.map((r) => [r.cid, Number(r.n)]));
}

/** Ledger rows of a campaign by status. */
export async function ledgerCounts(database: Database, campaignId: string): Promise<Record<string, number>> {
  const rows = await sql<{ status: string; n: number }>`
    select status, count(*) as n from campaign_targets where campaign_id = ${campaignId} group by status`.execute(database.db);
  return Object.fromEntries(rows.rows.map((r) => [r.status, Number(r.n)]));
}
