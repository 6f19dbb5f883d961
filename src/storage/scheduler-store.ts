import { sql, type Kysely } from 'kysely';
import type { SchedulerStore } from '../app/ports.js';
import { CampaignStatus, type Campaign } from '../domain/campaign.js';
import { TargetStatus } from '../domain/campaign-target.js';
import { campaignFromRow } from './campaign-store.js';
import type { DialectCaps } from './dialects/dialect-caps.js';
import type { Schema } from './schema.js';

export class KyselySchedulerStore implements SchedulerStore {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly caps: DialectCaps,
  ) {}

  async promoteDue(now: number): Promise<string[]> {
    // One statement, compare-and-set on the status: two schedulers that race promote each
    // campaign once, and the expansion restarts from the top for it.
    const rows = await this.db
      .updateTable('campaigns')
      .set((eb) => ({
        status: CampaignStatus.inProgress,
        updated_at: now,
        stats_started_at: eb.fn.coalesce('stats_started_at', eb.val(now)),
        audience_step: 0,
        audience_cursor: null,
        audience_done: 0,
      }))
      .where('status', '=', CampaignStatus.scheduled)
      .where('scheduled_for', '<=', now)
      .where((eb) => eb.or([eb('stop_at', 'is', null), eb('stop_at', '>', now)]))
      .returning('id')
      .execute();
    return rows.map((r) => r.id);
  }

  async stopDue(now: number): Promise<string[]> {
    const rows = await this.db
      .updateTable('campaigns')
      .set({ status: CampaignStatus.stopped, updated_at: now })
      .where('status', 'in', [CampaignStatus.scheduled, CampaignStatus.inProgress])
      .where('stop_at', '<=', now)
      .returning('id')
      .execute();
    return rows.map((r) => r.id);
  }

  async inProgress(): Promise<Campaign[]> {
    const rows = await this.db
      .selectFrom('campaigns')
      .selectAll()
      .where('status', '=', CampaignStatus.inProgress)
      .orderBy('updated_at')
      .execute();
    return rows.map((r) => campaignFromRow(this.caps, r));
  }

  /** Call inside a transaction: the campaign row stays locked until it ends. */
  async completeIfDone(campaignId: string, now: number): Promise<boolean> {
    // Locks the campaign row: an addtargets that appends to this ledger waits for us, or we
    // for it, so no target is appended to a campaign that has just completed.
    const lock = this.caps.supportsSkipLocked ? sql`for update` : sql``;
    const row = await sql<{ status: string; audience_done: number }>`
      select status, audience_done from campaigns where id = ${campaignId} ${lock}`.execute(this.db);
    const campaign = row.rows[0];
    if (!campaign || campaign.status !== CampaignStatus.inProgress || campaign.audience_done !== 1) return false;
    // One probe of each partial index (ready, deferred): never a walk over the sent rows.
    const pending = sql.lit(TargetStatus.pending);
    const waiting = await sql<{ n: number }>`select
        exists (select 1 from campaign_targets ${this.caps.indexedBy('campaign_targets_ready')}
          where campaign_id = ${campaignId} and status = ${pending} and deferred_until is null) as ready,
        exists (select 1 from campaign_targets ${this.caps.indexedBy('campaign_targets_deferred')}
          where campaign_id = ${campaignId} and status = ${pending} and deferred_until is not null) as deferred`.execute(this.db);
    const { ready, deferred } = waiting.rows[0] as unknown as { ready: unknown; deferred: unknown };
    if (truthy(ready) || truthy(deferred)) return false;
    const done = await this.db
      .updateTable('campaigns')
      .set({ status: CampaignStatus.completed, stats_completed_at: now, updated_at: now })
      .where('id', '=', campaignId)
      .where('status', '=', CampaignStatus.inProgress)
      .executeTakeFirst();
    return Number(done.numUpdatedRows) > 0;
  }
}

/** A boolean from SQL: PostgreSQL's true, SQLite's 1. */
const truthy = (value: unknown) => value === true || value === 1;
