import { sql, type Transaction } from 'kysely';
import { TargetStatus } from '../../../../domain/campaign-target.js';
import type { Schema } from '../../../schema.js';

export interface TargetFinish {
  /** The claimed row's ctid (claim-batch.ts). */
  tid: string;
  status: TargetStatus;
  reason: string | null;
  error: string | null;
  messageId: string | null;
  cid: string | null;
}

/**
 * Every claimed target's final state in one statement, whatever the batch size: the arrays
 * go in through unnest() (38k against 31k targets/s for multi-row VALUES, docs/design.md).
 * The rows are locked by the batch's claim, so no fence is needed beyond `pending`.
 *
 * By ctid, which the claim's lock keeps stable: a TID scan of the batch's rows (a few dozen
 * heap pages, since claims go in target order) joined to the arrays. Matched by target id
 * instead, PostgreSQL hashed the whole ledger on every batch whenever the ledger had no
 * statistics, which is always the case while a campaign is being expanded (500 ms a batch
 * at 1M against 31 ms; 1M targets took 100 s). Even by ctid it prefers a sequential scan
 * over 5,000 random TID fetches by cost, so sequential scans are off for the statement.
 */
export async function finishTargets(trx: Transaction<Schema>, now: number, rows: readonly TargetFinish[]): Promise<void> {
  if (rows.length === 0) return;
  const tids = rows.map((r) => r.tid);
  await sql`set local enable_seqscan = off`.execute(trx);
  await sql`
    update campaign_targets t set status = x.status, reason = x.reason, error = x.error,
      message_id = x.message_id, channel_cid = x.cid, locked_by = null, locked_until = null, updated_at = ${now}
    from unnest(${tids}::tid[], ${rows.map((r) => r.status)}::text[], ${rows.map((r) => r.reason)}::text[],
      ${rows.map((r) => r.error)}::text[], ${rows.map((r) => r.messageId)}::text[], ${rows.map((r) => r.cid)}::text[])
      as x(tid, status, reason, error, message_id, cid)
    where t.ctid = any(${tids}::tid[]) and t.ctid = x.tid and t.status = ${TargetStatus.pending}`.execute(trx);
  await sql`set local enable_seqscan = on`.execute(trx);
}

/**
 * Targets outside their delivery window wait, pending, until `until`: by ctid, as above, in
 * the same transaction. They leave campaign_targets_ready for campaign_targets_deferred.
 */
export async function deferTargets(trx: Transaction<Schema>, now: number, rows: ReadonlyArray<{ tid: string; until: number }>): Promise<number> {
  if (rows.length === 0) return 0;
  const tids = rows.map((r) => r.tid);
  await sql`set local enable_seqscan = off`.execute(trx);
  const result = await sql`
    update campaign_targets t set deferred_until = x.until, updated_at = ${now}
    from unnest(${tids}::tid[], ${rows.map((r) => r.until)}::bigint[]) as x(tid, until)
    where t.ctid = any(${tids}::tid[]) and t.ctid = x.tid and t.status = ${TargetStatus.pending}`.execute(trx);
  await sql`set local enable_seqscan = on`.execute(trx);
  return Number(result.numAffectedRows ?? 0);
}
