import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import type { AudienceLease, AudienceSource, AudienceStore } from '../app/sender-ports.js';
import { CampaignStatus, type Campaign } from '../domain/campaign.js';
import { channelFilterFields } from '../domain/filter/channel-filter-fields.js';
import { parseFilter } from '../domain/filter/filter-parser.js';
import { userFilterFields } from '../domain/filter/user-filter-fields.js';
import { SegmentType } from '../domain/segment.js';
import type { DialectCaps } from './dialects/dialect-caps.js';
import { channelFilterTarget, compileFilter, userFilterTarget } from './filter-compiler.js';
import { LeaseLost, type LedgerWriter } from './ledger-writer.js';
import type { Schema } from './schema.js';

/** One keyset page of a source: the target to insert and the key to continue after. */
type PageQuery = SelectQueryBuilder<Schema, any, { target: string; cursor: string | number }>;


export class KyselyAudienceStore implements AudienceStore {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly caps: DialectCaps,
    private readonly writer: LedgerWriter,
    private readonly leaseMs: number,
  ) {}

  async claim(campaignId: string, owner: string, now: number, leaseMs: number): Promise<AudienceLease | undefined> {
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

  async expandPage(
    campaign: Campaign,
    sources: readonly AudienceSource[],
    lease: AudienceLease,
    owner: string,
    limit: number,
    now: number,
  ): Promise<{ appended: boolean; done: boolean }> {
    const source = sources[lease.step];
    const advance = (next: string | null) => {
      const state = next === null ? { step: lease.step + 1, cursor: null } : { step: lease.step, cursor: next };
      return { ...state, done: state.step >= sources.length };
    };
    if (source?.kind === 'user_ids' || source === undefined) {
      // A campaign's own list (≤ 10,000 ids) is in memory already: append it from JS.
      const at = lease.cursor === null ? 0 : Number(lease.cursor);
      const keys = source?.ids.slice(at, at + limit) ?? [];
      const state = advance(source && at + keys.length < source.ids.length ? String(at + keys.length) : null);
      const appended = await this.writer.appendTargets(campaign.id, owner, keys, state, now, now + this.leaseMs * 1000);
      return { appended, done: state.done };
    }
    // A segment's page goes from its table into the ledger inside the database: no row
    // travels through JS, which is what keeps expanding a million users cheap.
    return this.db
      .transaction()
      .execute(async (trx) => {
        const page = await this.pageQuery(trx, campaign, source.segmentId, lease.cursor, limit);
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
                .select([sql<string>`${campaign.id}`.as('c'), 'page.target', sql<string>`'pending'`.as('s'), sql<number>`cast(${now} as bigint)`.as('u')])
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
            audience_locked_until: now + this.leaseMs * 1000,
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

  /** The next page of a segment's targets after `cursor`; undefined for a deleted segment. */
  private async pageQuery(db: Kysely<Schema>, campaign: Campaign, segmentId: string, cursor: string | null, limit: number): Promise<PageQuery | undefined> {
    const segment = await db.selectFrom('segments').selectAll().where('id', '=', segmentId).executeTakeFirst();
    if (!segment) return undefined;
    const filter = this.caps.parseJson(segment.filter) as Record<string, unknown> | null;
    if (segment.all_sender_channels === 1) {
      // Every channel the sender is in, keyed by the channel's time-ordered pk.
      let q = db
        .selectFrom('channel_members')
        .innerJoin('channels', 'channels.pk', 'channel_members.channel_pk')
        .select(['channels.cid as target', 'channel_members.channel_pk as cursor'])
        .where('channel_members.user_id', '=', campaign.sender_id)
        .where('channels.deleted_at', 'is', null);
      if (cursor !== null) q = q.where('channel_members.channel_pk', '>', Number(cursor));
      return q.orderBy('channel_members.channel_pk').limit(limit) as PageQuery;
    }
    if (filter === null && segment.all_users === 0) {
      let q = db.selectFrom('segment_targets').select(['target_id as target', 'target_id as cursor']).where('segment_id', '=', segment.id);
      if (cursor !== null) q = q.where('target_id', '>', cursor);
      return q.orderBy('target_id').limit(limit) as PageQuery;
    }
    if (segment.type === SegmentType.user) {
      let q = db.selectFrom('users').select(['id as target', 'id as cursor']).where('deleted_at', 'is', null);
      if (filter) q = q.where(compileFilter(parseFilter(filter, userFilterFields), userFilterTarget, this.caps));
      if (cursor !== null) q = q.where('id', '>', cursor);
      return q.orderBy('id').limit(limit) as PageQuery;
    }
    let q = db.selectFrom('channels').select(['cid as target', 'cid as cursor']).where('deleted_at', 'is', null);
    if (filter) q = q.where(compileFilter(parseFilter(filter, channelFilterFields), channelFilterTarget, this.caps));
    if (cursor !== null) q = q.where('cid', '>', cursor);
    return q.orderBy('cid').limit(limit) as PageQuery;
  }

  async release(campaignId: string, owner: string): Promise<void> {
    await this.db
      .updateTable('campaigns')
      .set({ audience_locked_by: null, audience_locked_until: null })
      .where('id', '=', campaignId)
      .where('audience_locked_by', '=', owner)
      .execute();
  }
}
