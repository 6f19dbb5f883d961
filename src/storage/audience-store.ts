import type { Kysely } from 'kysely';
import type { AudienceLease, AudiencePage, AudienceSource, AudienceStore } from '../app/sender-ports.js';
import { CampaignStatus, type Campaign } from '../domain/campaign.js';
import { channelFilterFields } from '../domain/filter/channel-filter-fields.js';
import { parseFilter } from '../domain/filter/filter-parser.js';
import { userFilterFields } from '../domain/filter/user-filter-fields.js';
import { SegmentType } from '../domain/segment.js';
import type { DialectCaps } from './dialects/dialect-caps.js';
import { channelFilterTarget, compileFilter, userFilterTarget } from './filter-compiler.js';
import type { LedgerWriter } from './ledger-writer.js';
import type { Schema } from './schema.js';

const page = (keys: string[], limit: number, next: string | null): AudiencePage => ({
  keys,
  next: keys.length < limit ? null : next,
});

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

  async readPage(campaign: Campaign, source: AudienceSource, cursor: string | null, limit: number): Promise<AudiencePage> {
    if (source.kind === 'user_ids') {
      const at = cursor === null ? 0 : Number(cursor);
      const keys = source.ids.slice(at, at + limit);
      return { keys, next: at + keys.length < source.ids.length ? String(at + keys.length) : null };
    }
    const segment = await this.db.selectFrom('segments').selectAll().where('id', '=', source.segmentId).executeTakeFirst();
    // A segment deleted after the campaign started contributes nobody from then on.
    if (!segment) return { keys: [], next: null };
    const filter = this.caps.parseJson(segment.filter) as Record<string, unknown> | null;
    if (segment.all_sender_channels === 1) return this.senderChannels(campaign.sender_id, cursor, limit);
    if (filter === null && segment.all_users === 0) {
      let q = this.db.selectFrom('segment_targets').select('target_id').where('segment_id', '=', segment.id);
      if (cursor !== null) q = q.where('target_id', '>', cursor);
      const keys = (await q.orderBy('target_id').limit(limit).execute()).map((r) => r.target_id);
      return page(keys, limit, keys[keys.length - 1] ?? null);
    }
    if (segment.type === SegmentType.user) {
      let q = this.db.selectFrom('users').select('id').where('deleted_at', 'is', null);
      if (filter) q = q.where(compileFilter(parseFilter(filter, userFilterFields), userFilterTarget, this.caps));
      if (cursor !== null) q = q.where('id', '>', cursor);
      const keys = (await q.orderBy('id').limit(limit).execute()).map((r) => r.id);
      return page(keys, limit, keys[keys.length - 1] ?? null);
    }
    let q = this.db.selectFrom('channels').select('cid').where('deleted_at', 'is', null);
    if (filter) q = q.where(compileFilter(parseFilter(filter, channelFilterFields), channelFilterTarget, this.caps));
    if (cursor !== null) q = q.where('cid', '>', cursor);
    const keys = (await q.orderBy('cid').limit(limit).execute()).map((r) => r.cid);
    return page(keys, limit, keys[keys.length - 1] ?? null);
  }

  /** Every channel the sender is a member of, keyed by the channel's time-ordered pk. */
  private async senderChannels(senderId: string, cursor: string | null, limit: number): Promise<AudiencePage> {
    let q = this.db
      .selectFrom('channel_members')
      .innerJoin('channels', 'channels.pk', 'channel_members.channel_pk')
      .select(['channel_members.channel_pk as pk', 'channels.cid'])
      .where('channel_members.user_id', '=', senderId)
      .where('channels.deleted_at', 'is', null);
    if (cursor !== null) q = q.where('channel_members.channel_pk', '>', Number(cursor));
    const rows = await q.orderBy('channel_members.channel_pk').limit(limit).execute();
    const last = rows[rows.length - 1];
    return page(rows.map((r) => r.cid), limit, last ? String(last.pk) : null);
  }

  append(campaignId: string, owner: string, keys: readonly string[], state: AudienceLease & { done: boolean }, now: number): Promise<boolean> {
    return this.writer.appendTargets(campaignId, owner, keys, state, now, now + this.leaseMs * 1000);
  }

  async release(campaignId: string, owner: string): Promise<void> {
    await this.db
      .updateTable('campaigns')
      .set({ audience_locked_by: null, audience_locked_until: null })
      .where('id', '=', campaignId)
      .where('audience_locked_by', '=', owner)
      .execute();
  }

  async restart(campaignId: string): Promise<void> {
    await this.db
      .updateTable('campaigns')
      .set({ audience_step: 0, audience_cursor: null, audience_done: 0, audience_locked_by: null, audience_locked_until: null })
      .where('id', '=', campaignId)
      .execute();
  }
}
