import { sql, type Kysely, type Selectable } from 'kysely';
import type { MessageJobStore } from '../app/ports.js';
import type { MessageTemplate } from '../domain/campaign.js';
import { MessageJobStatus, type MessageJob, type MessageJobKind } from '../domain/message-job.js';
import type { DialectCaps } from './dialects/dialect-caps.js';
import { flag, json } from './row-mapping.js';
import type { CampaignMessageJobsTable, Schema } from './schema.js';

const jobFromRow = (caps: DialectCaps, r: Selectable<CampaignMessageJobsTable>): MessageJob => ({
  id: r.id,
  campaign_id: r.campaign_id,
  kind: r.kind as MessageJobKind,
  message_template: (caps.parseJson(r.message_template) as MessageTemplate | null) ?? null,
  skip_webhook: r.skip_webhook === 1,
  status: r.status as MessageJob['status'],
  cursor: r.cursor,
  done: Number(r.done),
  created_at: Number(r.created_at),
  updated_at: Number(r.updated_at),
});

export class KyselyMessageJobStore implements MessageJobStore {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly caps: DialectCaps,
  ) {}

  async insert(job: MessageJob): Promise<void> {
    await this.db
      .insertInto('campaign_message_jobs')
      .values({
        id: job.id,
        campaign_id: job.campaign_id,
        kind: job.kind,
        message_template: job.message_template === null ? null : json(job.message_template),
        skip_webhook: flag(job.skip_webhook),
        status: job.status,
        cursor: job.cursor,
        done: job.done,
        created_at: job.created_at,
        updated_at: job.updated_at,
      })
      .execute();
  }

  async closeOpen(campaignId: string, kind: MessageJobKind, now: number): Promise<void> {
    await this.db
      .updateTable('campaign_message_jobs')
      .set({ status: MessageJobStatus.completed, locked_by: null, locked_until: null, updated_at: now })
      .where('campaign_id', '=', campaignId)
      .where('kind', '=', kind)
      .where('status', '=', MessageJobStatus.inProgress)
      .execute();
  }

  async claim(owner: string, now: number, leaseMs: number): Promise<MessageJob | undefined> {
    // The open jobs are few (the partial index campaign_message_jobs_open): the oldest one
    // free, or already ours, is leased in one compare-and-set.
    const candidate = await this.db
      .selectFrom('campaign_message_jobs')
      .select('id')
      .where('status', '=', MessageJobStatus.inProgress)
      .where((eb) => eb.or([eb('locked_by', 'is', null), eb('locked_until', '<', now), eb('locked_by', '=', owner)]))
      .orderBy('created_at')
      .orderBy('id')
      .limit(1)
      .executeTakeFirst();
    if (!candidate) return undefined;
    const row = await this.db
      .updateTable('campaign_message_jobs')
      .set({ locked_by: owner, locked_until: now + leaseMs * 1000 })
      .where('id', '=', candidate.id)
      .where('status', '=', MessageJobStatus.inProgress)
      .where((eb) => eb.or([eb('locked_by', 'is', null), eb('locked_until', '<', now), eb('locked_by', '=', owner)]))
      .returningAll()
      .executeTakeFirst();
    return row && jobFromRow(this.caps, row);
  }

  async advance(job: MessageJob, owner: string, to: string | null, walked: number, finished: boolean, now: number): Promise<boolean> {
    const result = await this.db
      .updateTable('campaign_message_jobs')
      .set((eb) => ({
        cursor: to,
        done: eb('done', '+', walked),
        updated_at: now,
        ...(finished && { status: MessageJobStatus.completed, locked_by: null, locked_until: null }),
      }))
      .where('id', '=', job.id)
      .where('locked_by', '=', owner)
      .where('status', '=', MessageJobStatus.inProgress)
      .where(job.cursor === null ? sql<boolean>`cursor is null` : sql<boolean>`cursor = ${job.cursor}`)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }
}
