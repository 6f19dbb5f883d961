import { sql, type Transaction } from 'kysely';
import { TargetStatus } from '../../../../domain/campaign-target.js';
import type { Schema } from '../../../schema.js';

/**
 * A page of a campaign's own id list into its ledger, counted into stats_targets_total with the
 * expansion state moved on, in one statement fenced by the expansion lease. Returns false when
 * the lease was lost (the caller rolls back). Plan: unnest() into primary-key inserts.
 */
export async function appendIds(
  trx: Transaction<Schema>,
  campaignId: string,
  owner: string,
  keys: readonly string[],
  state: { step: number; cursor: string | null; done: boolean },
  now: number,
  leaseUntil: number,
): Promise<boolean> {
  const moved = await sql<{ id: string }>`
    with inserted as (
      insert into campaign_targets (campaign_id, target_id, status, updated_at)
      select ${campaignId}, k, ${TargetStatus.pending}, ${now} from unnest(${[...keys]}::text[]) as k
      on conflict do nothing returning 1
    )
    update campaigns set audience_step = ${state.step}, audience_cursor = ${state.cursor},
      audience_done = ${state.done ? 1 : 0}, audience_locked_until = ${leaseUntil},
      stats_targets_total = stats_targets_total + (select count(*) from inserted)
    where id = ${campaignId} and audience_locked_by = ${owner}
    returning id`.execute(trx);
  return moved.rows.length > 0;
}
