import { sql, type Transaction } from 'kysely';
import type { DeliveryResult } from '../../../../sender/sender-ports.js';
import type { Schema } from '../../../schema.js';

/** The campaign's stats, once per batch: one primary-key update, near the end of the transaction. */
export async function bumpStats(trx: Transaction<Schema>, campaignId: string, r: DeliveryResult): Promise<void> {
  await sql`update campaigns set stats_messages_sent = stats_messages_sent + ${r.sent},
      stats_channels_created = stats_channels_created + ${r.channelsCreated},
      stats_users_sent = stats_users_sent + ${r.usersSent},
      stats_targets_done = stats_targets_done + ${r.sent + r.skipped + r.failed},
      stats_targets_deferred = stats_targets_deferred + ${r.deferred}
    where id = ${campaignId}`.execute(trx);
}
