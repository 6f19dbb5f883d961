import { sql, type Transaction } from 'kysely';
import { TargetStatus } from '../../../../domain/campaign-target.js';
import type { Schema } from '../../../schema.js';

/**
 * Claims the next pending targets of a campaign as row locks of the batch's own transaction,
 * not as a written lease: the claim writes nothing, a crash releases it with the connection,
 * and the ledger row is written once by the batch instead of three times (lease, release or
 * final; the lease update alone cost 0.77 s per 100k targets). SKIP LOCKED lets the batches of
 * other workers pass over the rows this one holds.
 *
 * Plan: an index scan of campaign_targets_pending (campaign_id, target_id) WHERE status =
 * 'pending', in key order, LIMIT n, LockRows: the sent rows have left the partial index, so
 * the scan starts at the first pending target.
 */
export async function claimBatch(trx: Transaction<Schema>, campaignId: string, limit: number): Promise<string[]> {
  const rows = await sql<{ target_id: string }>`
    select target_id from campaign_targets
    where campaign_id = ${campaignId} and status = ${TargetStatus.pending}
    order by target_id limit ${limit}
    for update skip locked`.execute(trx);
  return rows.rows.map((r) => r.target_id);
}
