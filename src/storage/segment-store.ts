import { sql, type Kysely, type Selectable } from 'kysely';
import type { PageRequest, SegmentStore, SegmentTarget, TargetPage } from '../app/ports.js';
import { CampaignStatus } from '../domain/campaign.js';
import { campaignFilterFields } from '../domain/filter/campaign-filter-fields.js';
import { parseFilter } from '../domain/filter/filter-parser.js';
import { channelFilterFields } from '../domain/filter/channel-filter-fields.js';
import { userFilterFields } from '../domain/filter/user-filter-fields.js';
import { SegmentType, type Segment } from '../domain/segment.js';
import type { DialectCaps } from './dialects/dialect-caps.js';
import {
  applySort,
  campaignFilterTarget,
  channelFilterTarget,
  compileFilter,
  segmentFilterTarget,
  segmentTargetFilterTarget,
  userFilterTarget,
} from './filter-compiler.js';
import { chunks, flag } from './row-mapping.js';
import type { Schema, SegmentsTable } from './schema.js';

// 2 bound values a row: well under SQLite's 32,766 and pg's 65,535 parameters.
const TARGET_ROWS = 5000;

const segmentFromRow = (caps: DialectCaps, r: Selectable<SegmentsTable>): Segment => ({
  id: r.id,
  type: r.type as Segment['type'],
  name: r.name,
  description: r.description,
  filter: (caps.parseJson(r.filter) as Record<string, unknown> | null) ?? null,
  all_users: r.all_users === 1,
  all_sender_channels: r.all_sender_channels === 1,
  size: r.size,
  size_computed_at: r.size_computed_at,
  created_at: r.created_at,
  updated_at: r.updated_at,
  deleted_at: null,
});

const segmentRow = (s: Segment) => ({
  id: s.id,
  type: s.type,
  name: s.name,
  description: s.description,
  filter: s.filter === null ? null : JSON.stringify(s.filter),
  all_users: flag(s.all_users),
  all_sender_channels: flag(s.all_sender_channels),
  size: s.size,
  // Filter and all_users sizes are computed in the background after every change.
  size_dirty: flag(s.filter !== null || s.all_users),
  size_computed_at: s.size_computed_at,
  created_at: s.created_at,
  updated_at: s.updated_at,
});

export class KyselySegmentStore implements SegmentStore {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly caps: DialectCaps,
  ) {}

  async insert(segment: Segment): Promise<boolean> {
    const result = await this.db
      .insertInto('segments')
      .values(segmentRow(segment))
      .onConflict((oc) => oc.column('id').doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async get(id: string): Promise<Segment | undefined> {
    const row = await this.db.selectFrom('segments').selectAll().where('id', '=', id).executeTakeFirst();
    return row && segmentFromRow(this.caps, row);
  }

  async batchGet(ids: readonly string[]): Promise<Segment[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.selectFrom('segments').selectAll().where('id', 'in', [...ids]).execute();
    const byId = new Map(rows.map((r) => [r.id, segmentFromRow(this.caps, r)]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  async update(segment: Segment): Promise<void> {
    // `size` is not written here: bumpSize and saveSize own it. Writing back the size this
    // transaction read would undo an addtargets that committed meanwhile (PostgreSQL runs READ
    // COMMITTED: 40 renames racing 40 addtargets of 50 left size 250 for 2,000 targets).
    const { id: _id, created_at: _created, size: _size, ...values } = segmentRow(segment);
    await this.db.updateTable('segments').set(values).where('id', '=', segment.id).execute();
  }

  async delete(id: string): Promise<boolean> {
    await this.db.deleteFrom('segment_targets').where('segment_id', '=', id).execute();
    const result = await this.db.deleteFrom('segments').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async query(page: PageRequest): Promise<Segment[]> {
    let q = this.db.selectFrom('segments').selectAll().where(compileFilter(page.filter, segmentFilterTarget, this.caps));
    q = applySort(q, page.sort, segmentFilterTarget, this.caps);
    const rows = await q.limit(page.limit).offset(page.offset).execute();
    return rows.map((r) => segmentFromRow(this.caps, r as Selectable<SegmentsTable>));
  }

  async addTargets(id: string, targetIds: readonly string[], now: number): Promise<number> {
    let added = 0;
    for (const slice of chunks([...new Set(targetIds)], TARGET_ROWS)) {
      const result = await this.db
        .insertInto('segment_targets')
        .values(slice.map((target_id) => ({ segment_id: id, target_id, created_at: now })))
        .onConflict((oc) => oc.columns(['segment_id', 'target_id']).doNothing())
        .executeTakeFirst();
      added += Number(result.numInsertedOrUpdatedRows ?? 0);
    }
    await this.bumpSize(id, added, now);
    return added;
  }

  async deleteTargets(id: string, targetIds: readonly string[], now: number): Promise<number> {
    if (targetIds.length === 0) return 0;
    const result = await this.db
      .deleteFrom('segment_targets')
      .where('segment_id', '=', id)
      .where('target_id', 'in', [...new Set(targetIds)])
      .executeTakeFirst();
    const removed = Number(result.numDeletedRows);
    await this.bumpSize(id, -removed, now);
    return removed;
  }

  private async bumpSize(id: string, delta: number, now: number): Promise<void> {
    await this.db
      .updateTable('segments')
      .set((eb) => ({ size: eb('size', '+', delta), size_computed_at: now, updated_at: now }))
      .where('id', '=', id)
      .execute();
  }

  async targetExists(id: string, targetId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('segment_targets')
      .select('target_id')
      .where('segment_id', '=', id)
      .where('target_id', '=', targetId)
      .executeTakeFirst();
    return row !== undefined;
  }

  async queryTargets(id: string, page: TargetPage): Promise<SegmentTarget[]> {
    // A previous page reads backwards from its bound, then turns round.
    const backwards = page.before !== undefined;
    const ascending = (page.direction === 1) !== backwards;
    const targetId = sql.ref<string>('segment_targets.target_id');
    let q = this.db
      .selectFrom('segment_targets')
      .selectAll()
      .where('segment_id', '=', id)
      .where(compileFilter(page.filter, segmentTargetFilterTarget, this.caps));
    if (page.after !== undefined) q = q.where(targetId, page.direction === 1 ? '>' : '<', page.after);
    if (page.before !== undefined) q = q.where(targetId, page.direction === 1 ? '<' : '>', page.before);
    const rows = await q.orderBy(targetId, ascending ? 'asc' : 'desc').limit(page.limit).execute();
    return backwards ? rows.reverse() : rows;
  }

  async nextDirty(staleBefore: number): Promise<Segment | undefined> {
    const row = await this.db
      .selectFrom('segments')
      .selectAll()
      .where((eb) =>
        eb.or([
          eb('size_dirty', '=', 1),
          eb.and([
            eb.or([eb('filter', 'is not', null), eb('all_users', '=', 1)]),
            eb.or([eb('size_computed_at', 'is', null), eb('size_computed_at', '<', staleBefore)]),
          ]),
        ]),
      )
      .orderBy('size_dirty', 'desc')
      .orderBy('updated_at')
      .limit(1)
      .executeTakeFirst();
    return row && segmentFromRow(this.caps, row);
  }

  async countChunk(segment: Segment, afterKey: string | null, chunk: number): Promise<{ count: number; lastKey: string | null }> {
    const keys =
      segment.type === SegmentType.user ? await this.userKeys(segment, afterKey, chunk) : await this.channelKeys(segment, afterKey, chunk);
    return { count: keys.length, lastKey: keys.length < chunk ? null : keys[keys.length - 1] };
  }

  private async userKeys(segment: Segment, afterKey: string | null, chunk: number): Promise<string[]> {
    let q = this.db.selectFrom('users').select('id').where('deleted_at', 'is', null);
    if (segment.filter) q = q.where(compileFilter(parseFilter(segment.filter, userFilterFields), userFilterTarget, this.caps));
    if (afterKey !== null) q = q.where('id', '>', afterKey);
    const rows = await q.orderBy('id').limit(chunk).execute();
    return rows.map((r) => r.id);
  }

  private async channelKeys(segment: Segment, afterKey: string | null, chunk: number): Promise<string[]> {
    let q = this.db.selectFrom('channels').select('cid').where('deleted_at', 'is', null);
    if (segment.filter) q = q.where(compileFilter(parseFilter(segment.filter, channelFilterFields), channelFilterTarget, this.caps));
    if (afterKey !== null) q = q.where('cid', '>', afterKey);
    const rows = await q.orderBy('cid').limit(chunk).execute();
    return rows.map((r) => r.cid);
  }

  async saveSize(id: string, size: number, computedAt: number, asOf: number): Promise<boolean> {
    const result = await this.db
      .updateTable('segments')
      .set({ size, size_computed_at: computedAt, size_dirty: 0 })
      .where('id', '=', id)
      .where('updated_at', '=', asOf)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async campaignsUsing(id: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('campaigns')
      .select('id')
      .where('status', 'in', [CampaignStatus.scheduled, CampaignStatus.inProgress])
      .where(compileFilter(parseFilter({ segments: { $contains: id } }, campaignFilterFields), campaignFilterTarget, this.caps))
      .execute();
    return rows.map((r) => r.id);
  }
}
