import { sql, type Kysely } from 'kysely';
import { CampaignStatus, type Campaign } from '../../domain/campaign.js';
import { TargetStatus } from '../../domain/campaign-target.js';
import type { BucketRow } from '../../domain/rate-bucket.js';
import type { AudienceLease, AudienceSource, BatchClaim, ChannelInfo, DeliveryPlan, DeliveryResult, ReceiverRules, SenderStore } from '../../sender/sender-ports.js';
import type { DialectCaps } from '../dialects/dialect-caps.js';
import { jsonObject } from '../row-mapping.js';
import type { Schema } from '../schema.js';
import { readReceiverRules } from './receiver-rules.js';
import { segmentPage } from './segment-page.js';

/** Thrown inside a transaction to roll it back when this worker no longer holds the lease. */
export class LeaseLost extends Error {}

/** Where expansion goes next, saved with each page. */
export type AudienceState = AudienceLease & { done: boolean };

/**
 * What the two dialects' sender stores share: the expansion lease, segment pages (inserted
 * from inside the database, in dialect-agnostic Kysely) and channel lookups. Each dialect
 * writes send batches, and appends a campaign's own id list, its own way.
 */
export abstract class KyselySenderStore implements SenderStore {
  constructor(
    protected readonly db: Kysely<Schema>,
    protected readonly caps: DialectCaps,
    protected readonly leaseMs: number,
  ) {}

  abstract updateBuckets(keys: readonly string[], now: number, update: (rows: ReadonlyMap<string, BucketRow>) => ReadonlyMap<string, number>): Promise<void>;

  abstract sendBatch(claim: BatchClaim, plan: (targetIds: readonly string[]) => Promise<DeliveryPlan>): Promise<DeliveryResult | null>;

  /**
   * Inserts the targets not yet in the ledger, adds them to stats_targets_total and moves the
   * expansion state on, in one transaction fenced by the expansion lease. False when the lease
   * was lost (nothing written).
   */
  protected abstract appendIds(campaignId: string, owner: string, keys: readonly string[], state: AudienceState, now: number, leaseUntil: number): Promise<boolean>;

  async claimAudience(campaignId: string, owner: string, now: number, leaseMs: number): Promise<AudienceLease | undefined> {
    const row = await this.db
      .updateTable('campaigns')
      .set({ audience_locked_by: owner, audience_locked_until: now + leaseMs * 1000 })
      .where('id', '=', campaignId)
      .where('status', '=', CampaignStatus.inProgress)
      .where('audience_done', '=', 0)
      .where((eb) =>
        eb.or([eb('audience_locked_by', 'is', null), eb('audience_locked_until', '<', now), eb('audience_locked_by', '=', owner)]),
      )
      .returning(['audience_step', 'audience_cursor'])
      .executeTakeFirst();
    return row && { step: row.audience_step, cursor: row.audience_cursor };
  }

  async releaseAudience(campaignId: string, owner: string): Promise<void> {
    await this.db
      .updateTable('campaigns')
      .set({ audience_locked_by: null, audience_locked_until: null })
      .where('id', '=', campaignId)
      .where('audience_locked_by', '=', owner)
      .execute();
  }

  async expandPage(campaign: Campaign, sources: readonly AudienceSource[], lease: AudienceLease, owner: string, limit: number, now: number): Promise<{ appended: boolean; done: boolean }> {
    const source = sources[lease.step];
    const advance = (next: string | null): AudienceState => {
      const state = next === null ? { step: lease.step + 1, cursor: null } : { step: lease.step, cursor: next };
      return { ...state, done: state.step >= sources.length };
    };
    const leaseUntil = now + this.leaseMs * 1000;
    if (source?.kind === 'user_ids' || source === undefined) {
      // A campaign's own list (≤ 10,000 ids) is in memory already: append it from JS.
      const at = lease.cursor === null ? 0 : Number(lease.cursor);
      const keys = source?.ids.slice(at, at + limit) ?? [];
      const state = advance(source && at + keys.length < source.ids.length ? String(at + keys.length) : null);
      return { appended: await this.appendIds(campaign.id, owner, keys, state, now, leaseUntil), done: state.done };
    }
    // A segment's page goes from its table into the ledger inside the database: no row
    // travels through JS, which is what keeps expanding a million users cheap.
    return this.db
      .transaction()
      .execute(async (trx) => {
        const page = await segmentPage(trx, this.caps, campaign, source.segmentId, lease.cursor, limit);
        let state = advance(null);
        let inserted = 0;
        if (page) {
          const seen = await trx
            .selectFrom(page.as('page'))
            .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.max('page.cursor').as('last')])
            .executeTakeFirstOrThrow();
          state = advance(Number(seen.n) < limit || seen.last === null ? null : String(seen.last));
          const result = await trx
            .insertInto('campaign_targets')
            .columns(['campaign_id', 'target_id', 'status', 'updated_at'])
            .expression(
              trx
                .selectFrom(page.as('page'))
                .select([sql<string>`${campaign.id}`.as('c'), 'page.target', sql<string>`${TargetStatus.pending}`.as('s'), sql<number>`cast(${now} as bigint)`.as('u')])
                // SQLite reads `ON CONFLICT` after a bare SELECT as a join's ON: a WHERE ends it.
                .where(sql<boolean>`true`),
            )
            .onConflict((oc) => oc.columns(['campaign_id', 'target_id']).doNothing())
            .executeTakeFirst();
          inserted = Number(result.numInsertedOrUpdatedRows ?? 0);
        }
        const moved = await trx
          .updateTable('campaigns')
          .set((eb) => ({
            audience_step: state.step,
            audience_cursor: state.cursor,
            audience_done: state.done ? 1 : 0,
            audience_locked_until: leaseUntil,
            stats_targets_total: eb('stats_targets_total', '+', inserted),
          }))
          .where('id', '=', campaign.id)
          .where('audience_locked_by', '=', owner)
          .executeTakeFirst();
        if (Number(moved.numUpdatedRows) === 0) throw new LeaseLost();
        return { appended: true, done: state.done };
      })
      .catch((error: unknown) => {
        if (error instanceof LeaseLost) return { appended: false, done: false };
        throw error;
      });
  }

  /** PostgreSQL's disk is the server's to watch: nothing to keep here (sqlite-sender-store.ts does). */
  async keepDiskReserve(): Promise<void> {}

  async releaseDiskReserve(): Promise<boolean> {
    return false;
  }

  receiverRules(senderId: string, userIds: readonly string[], now: number): Promise<ReceiverRules> {
    return readReceiverRules(this.db, this.caps, senderId, userIds, now);
  }

  async channelsByCid(cids: readonly string[]): Promise<ChannelInfo[]> {
    if (cids.length === 0) return [];
    const rows = await this.db
      .selectFrom('channels')
      .select(['cid', 'custom', 'team'])
      .where(this.caps.inTextList(sql.ref('cid'), cids))
      .where('deleted_at', 'is', null)
      .execute();
    return rows.map((r) => ({ cid: r.cid, team: r.team, custom: jsonObject(this.caps, r.custom) }));
  }
}
