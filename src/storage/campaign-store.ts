import { sql, type Kysely, type Selectable } from 'kysely';
import type { CampaignStore, PageRequest, StatusChange } from '../app/ports.js';
import { CampaignStatus, RecallStatus, type Campaign, type MessageTemplate } from '../domain/campaign.js';
import { TargetStatus } from '../domain/campaign-target.js';
import type { DialectCaps } from './dialects/dialect-caps.js';
import { applySort, campaignFilterTarget, compileFilter } from './filter-compiler.js';
import { campaignFilterFields } from '../domain/filter/campaign-filter-fields.js';
import { parseFilter } from '../domain/filter/filter-parser.js';
import { chunks, flag, json, jsonArray, jsonObject } from './row-mapping.js';
import type { CampaignsTable, Schema } from './schema.js';

export const campaignFromRow = (caps: DialectCaps, r: Selectable<CampaignsTable>): Campaign => ({
  id: r.id,
  name: r.name,
  description: r.description,
  sender_id: r.sender_id,
  sender_mode: r.sender_mode as Campaign['sender_mode'],
  sender_visibility: r.sender_visibility as Campaign['sender_visibility'],
  create_channels: r.create_channels === 1,
  show_channels: r.show_channels === 1,
  skip_push: r.skip_push === 1,
  skip_webhook: r.skip_webhook === 1,
  segment_ids: jsonArray<string>(caps, r.segment_ids),
  user_ids: jsonArray<string>(caps, r.user_ids),
  message_template: jsonObject(caps, r.message_template) as unknown as Campaign['message_template'],
  channel_template: (caps.parseJson(r.channel_template) as Campaign['channel_template']) ?? null,
  status: r.status as CampaignStatus,
  scheduled_for: r.scheduled_for,
  stop_at: r.stop_at,
  stats: {
    progress: r.stats_targets_total === 0 ? (r.status === CampaignStatus.completed ? 1 : 0) : r.stats_targets_done / r.stats_targets_total,
    stats_messages_sent: r.stats_messages_sent,
    stats_channels_created: r.stats_channels_created,
    stats_users_sent: r.stats_users_sent,
    stats_users_read: r.stats_users_read,
    stats_started_at: r.stats_started_at,
    stats_completed_at: r.stats_completed_at,
    stats_messages_recalled: Number(r.stats_messages_recalled),
    stats_targets_deferred: Number(r.stats_targets_deferred),
    stats_targets_total: Number(r.stats_targets_total),
    stats_targets_done: Number(r.stats_targets_done),
  },
  max_messages_per_second: r.max_messages_per_second,
  delivery_window: (caps.parseJson(r.delivery_window) as Campaign['delivery_window']) ?? null,
  recall_status: r.recall_status as Campaign['recall_status'],
  error: r.error,
  created_at: r.created_at,
  updated_at: r.updated_at,
});

/** The columns a client changes through create and update; stats belong to the sender. */
const fieldsRow = (c: Campaign) => ({
  name: c.name,
  description: c.description,
  sender_id: c.sender_id,
  sender_mode: c.sender_mode,
  sender_visibility: c.sender_visibility,
  create_channels: flag(c.create_channels),
  show_channels: flag(c.show_channels),
  skip_push: flag(c.skip_push),
  skip_webhook: flag(c.skip_webhook),
  segment_ids: json(c.segment_ids),
  user_ids: json(c.user_ids),
  user_count: c.user_ids.length,
  message_template: json(c.message_template),
  channel_template: c.channel_template === null ? null : json(c.channel_template),
  max_messages_per_second: c.max_messages_per_second,
  delivery_window: c.delivery_window === null ? null : json(c.delivery_window),
  status: c.status,
  scheduled_for: c.scheduled_for,
  stop_at: c.stop_at,
  updated_at: c.updated_at,
});

export class KyselyCampaignStore implements CampaignStore {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly caps: DialectCaps,
  ) {}

  async insert(c: Campaign): Promise<boolean> {
    const result = await this.db
      .insertInto('campaigns')
      .values({ id: c.id, created_at: c.created_at, ...fieldsRow(c) })
      .onConflict((oc) => oc.column('id').doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async get(id: string): Promise<Campaign | undefined> {
    const row = await this.db.selectFrom('campaigns').selectAll().where('id', '=', id).executeTakeFirst();
    return row && campaignFromRow(this.caps, row);
  }

  async update(c: Campaign, from: readonly CampaignStatus[]): Promise<boolean> {
    // status, scheduled_for and stop_at belong to transition(): writing back what this
    // transaction read would undo a start or stop that committed meanwhile (PostgreSQL runs
    // READ COMMITTED; a PUT racing a stop put 51 of 60 stopped campaigns back to scheduled).
    const { status: _status, scheduled_for: _scheduledFor, stop_at: _stopAt, ...fields } = fieldsRow(c);
    const result = await this.db
      .updateTable('campaigns')
      .set(fields)
      .where('id', '=', c.id)
      .where('status', 'in', [...from])
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async transition(id: string, from: readonly CampaignStatus[], to: CampaignStatus, change: StatusChange): Promise<boolean> {
    const result = await this.db
      .updateTable('campaigns')
      .set((eb) => ({
        status: to,
        updated_at: change.now,
        ...(change.scheduled_for !== undefined && { scheduled_for: change.scheduled_for }),
        ...(change.stop_at !== undefined && { stop_at: change.stop_at }),
        ...(to === CampaignStatus.inProgress && { stats_started_at: eb.fn.coalesce('stats_started_at', eb.val(change.now)), error: null }),
        ...(change.error !== undefined && { error: change.error }),
        ...(to === CampaignStatus.completed && { stats_completed_at: change.now }),
        ...(change.restartAudience && { audience_step: 0, audience_cursor: null, audience_done: 0, audience_locked_by: null }),
      }))
      .where('id', '=', id)
      .where('status', 'in', [...from])
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async appendSegmentTargets(segmentId: string, targetIds: readonly string[], now: number): Promise<number> {
    const lock = this.caps.supportsSkipLocked ? sql`for update` : sql``;
    const running = await sql<{ id: string }>`select id from campaigns where status = ${CampaignStatus.inProgress}
      and ${compileFilter(parseFilter({ segments: { $contains: segmentId } }, campaignFilterFields), campaignFilterTarget, this.caps)}
      ${lock}`.execute(this.db);
    let appended = 0;
    for (const { id } of running.rows) {
      let added = 0;
      for (const slice of chunks([...new Set(targetIds)], 5000)) {
        const result = await this.db
          .insertInto('campaign_targets')
          .values(slice.map((target_id) => ({ campaign_id: id, target_id, status: TargetStatus.pending, updated_at: now })))
          .onConflict((oc) => oc.columns(['campaign_id', 'target_id']).doNothing())
          .executeTakeFirst();
        added += Number(result.numInsertedOrUpdatedRows ?? 0);
      }
      await this.db
        .updateTable('campaigns')
        .set((eb) => ({ stats_targets_total: eb('stats_targets_total', '+', added) }))
        .where('id', '=', id)
        .execute();
      appended += added;
    }
    return appended;
  }

  async dropPendingTargets(id: string): Promise<number> {
    const result = await this.db
      .deleteFrom('campaign_targets')
      .where('campaign_id', '=', id)
      .where('status', '=', TargetStatus.pending)
      .executeTakeFirst();
    const dropped = Number(result.numDeletedRows);
    if (dropped > 0) {
      await this.db
        .updateTable('campaigns')
        // Deferred targets were pending too: none is left waiting.
        .set((eb) => ({ stats_targets_total: eb('stats_targets_total', '-', dropped), stats_targets_deferred: 0 }))
        .where('id', '=', id)
        .execute();
    }
    return dropped;
  }

  async startRecall(id: string, from: readonly CampaignStatus[], now: number): Promise<boolean> {
    const result = await this.db
      .updateTable('campaigns')
      .set({ recall_status: RecallStatus.inProgress, updated_at: now })
      .where('id', '=', id)
      .where('status', 'in', [...from])
      .where('recall_status', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async recallProgress(id: string, recalled: number, finished: boolean, now: number): Promise<void> {
    await this.db
      .updateTable('campaigns')
      .set((eb) => ({
        stats_messages_recalled: eb('stats_messages_recalled', '+', recalled),
        ...(finished && { recall_status: RecallStatus.completed, updated_at: now }),
      }))
      .where('id', '=', id)
      .execute();
  }

  async replaceTemplate(id: string, template: MessageTemplate, from: readonly CampaignStatus[], now: number): Promise<boolean> {
    const result = await this.db
      .updateTable('campaigns')
      .set({ message_template: json(template), updated_at: now })
      .where('id', '=', id)
      .where('status', 'in', [...from])
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async delete(id: string, from: readonly CampaignStatus[]): Promise<boolean> {
    const result = await this.db.deleteFrom('campaigns').where('id', '=', id).where('status', 'in', [...from]).executeTakeFirst();
    if (Number(result.numDeletedRows) === 0) return false;
    // The messages stay: they are real chat messages now. The ledger goes with the campaign.
    await this.db.deleteFrom('campaign_targets').where('campaign_id', '=', id).execute();
    await this.db.deleteFrom('campaign_message_jobs').where('campaign_id', '=', id).execute();
    return true;
  }

  async query(page: PageRequest): Promise<Campaign[]> {
    let q = this.db.selectFrom('campaigns').selectAll().where(compileFilter(page.filter, campaignFilterTarget, this.caps));
    q = applySort(q, page.sort, campaignFilterTarget, this.caps);
    const rows = await q.limit(page.limit).offset(page.offset).execute();
    return rows.map((r) => campaignFromRow(this.caps, r as Selectable<CampaignsTable>));
  }
}
