import type { Kysely, Selectable } from 'kysely';
import type { CampaignTargetStore } from '../app/ports.js';
import { TargetStatus, type CampaignTarget } from '../domain/campaign-target.js';
import type { CampaignTargetsTable, Schema } from './schema.js';

const targetFromRow = (r: Selectable<CampaignTargetsTable>): CampaignTarget => ({
  campaign_id: r.campaign_id,
  target_id: r.target_id,
  status: r.status as TargetStatus,
  reason: r.reason,
  error: r.error,
  message_id: r.message_id,
  channel_cid: r.channel_cid,
  deferred_until: r.deferred_until === null ? null : Number(r.deferred_until),
  recalled_at: r.recalled_at === null ? null : Number(r.recalled_at),
  edited_at: r.edited_at === null ? null : Number(r.edited_at),
  updated_at: r.updated_at,
});

/** The ledger as the API reads it (the per-target log), and the reads that count for stats_users_read. */
export class KyselyCampaignTargetStore implements CampaignTargetStore {
  constructor(private readonly db: Kysely<Schema>) {}

  async get(campaignId: string, targetId: string): Promise<CampaignTarget | undefined> {
    const row = await this.db
      .selectFrom('campaign_targets')
      .selectAll()
      .where('campaign_id', '=', campaignId)
      .where('target_id', '=', targetId)
      .executeTakeFirst();
    return row && targetFromRow(row);
  }

  async query(campaignId: string, statuses: readonly TargetStatus[] | null, after: string | null, limit: number): Promise<CampaignTarget[]> {
    let q = this.db.selectFrom('campaign_targets').selectAll().where('campaign_id', '=', campaignId);
    if (statuses) q = q.where('status', 'in', [...statuses]);
    if (after !== null) q = q.where('target_id', '>', after);
    const rows = await q.orderBy('target_id').limit(limit).execute();
    return rows.map(targetFromRow);
  }

  async sentAfter(campaignId: string, after: string | null, limit: number): Promise<Array<{ target_id: string; message_id: string }>> {
    // A range of the primary key (campaign_id, target_id): a page of 500 reads ~500 rows and
    // the unsent ones among them, never the rest of the ledger.
    let q = this.db
      .selectFrom('campaign_targets')
      .select(['target_id', 'message_id'])
      .where('campaign_id', '=', campaignId)
      .where('status', '=', TargetStatus.sent);
    if (after !== null) q = q.where('target_id', '>', after);
    const rows = await q.orderBy('target_id').limit(limit).execute();
    return rows.map((r) => ({ target_id: r.target_id, message_id: r.message_id! }));
  }

  async markChanged(campaignId: string, targetIds: readonly string[], column: 'recalled_at' | 'edited_at', now: number): Promise<void> {
    if (targetIds.length === 0) return;
    await this.db
      .updateTable('campaign_targets')
      .set({ [column]: now })
      .where('campaign_id', '=', campaignId)
      .where('target_id', 'in', [...targetIds])
      .execute();
  }

  async markRead(cid: string, userId: string, at: number): Promise<void> {
    // Campaigns that posted in this channel as someone other than the reader.
    const campaigns = await this.db
      .selectFrom('messages')
      .innerJoin('channels', 'channels.pk', 'messages.channel_pk')
      .select('messages.campaign_id')
      .distinct()
      .where('channels.cid', '=', cid)
      .where('messages.campaign_id', 'is not', null)
      .where('messages.user_id', '!=', userId)
      .execute();
    for (const { campaign_id } of campaigns) {
      const read = await this.db
        .updateTable('campaign_targets')
        .set({ read_at: at })
        .where('campaign_id', '=', campaign_id!)
        .where('target_id', 'in', [userId, cid])
        .where('status', '=', TargetStatus.sent)
        .where('read_at', 'is', null)
        .executeTakeFirst();
      const n = Number(read.numUpdatedRows);
      if (n > 0) {
        await this.db
          .updateTable('campaigns')
          .set((eb) => ({ stats_users_read: eb('stats_users_read', '+', n) }))
          .where('id', '=', campaign_id!)
          .execute();
      }
    }
  }
}
