import { allowedFrom, CampaignStatus, type Campaign } from '../domain/campaign.js';
import type { Micros } from '../domain/clock.js';
import { inputError, notFound } from '../domain/errors.js';
import type { AppDeps } from './app-deps.js';
import { recordStatusChange } from './campaign-events.js';
import type { CampaignsService, CampaignView } from './campaigns.js';

export interface StartInput {
  scheduled_for?: Micros;
  stop_at?: Micros;
}

/**
 * start and stop (docs/design.md, Campaign lifecycle): draft → scheduled → in_progress →
 * completed, plus stopped. Each move is a compare-and-set on the status, so two requests that
 * race cannot both win.
 */
export class CampaignLifecycle {
  constructor(
    private readonly deps: AppDeps,
    private readonly campaigns: CampaignsService,
  ) {}

  async start(id: string, input: StartInput): Promise<CampaignView> {
    const campaign = await this.load(id);
    if (!(allowedFrom.start as readonly string[]).includes(campaign.status)) {
      const why =
        campaign.status === CampaignStatus.completed
          ? 'it is completed; campaigns are sent once, create a new one to send again'
          : `it is already ${campaign.status}`;
      throw inputError(`campaign "${id}" cannot be started: ${why}`, { status: campaign.status });
    }
    if (campaign.recall_status !== null) {
      throw inputError(`campaign "${id}" cannot be started: its messages were recalled`, { recall_status: campaign.recall_status });
    }
    if (campaign.user_ids.length === 0 && campaign.segment_ids.length === 0) {
      throw inputError(`campaign "${id}" has no audience: give user_ids or segment_ids`, { user_ids: 'empty' });
    }
    const now = this.deps.clock.nowMicros();
    const scheduledFor = input.scheduled_for !== undefined && input.scheduled_for > now ? input.scheduled_for : null;
    const stopAt = input.stop_at ?? null;
    if (stopAt !== null && stopAt <= (scheduledFor ?? now)) {
      throw inputError('stop_at must be later than scheduled_for and than now', { stop_at: 'too early' });
    }
    const to = scheduledFor !== null ? CampaignStatus.scheduled : CampaignStatus.inProgress;
    await this.deps.storage.transaction(async (stores) => {
      const moved = await stores.campaigns.transition(id, allowedFrom.start, to, {
        now,
        // The wire echoes scheduled_for as given, even when it is past and the send starts now.
        scheduled_for: input.scheduled_for ?? null,
        stop_at: stopAt,
        // Resume sends only to targets without a message: the ledger keeps the sent ones, and
        // expansion runs again from the top to pick up targets added while stopped.
        restartAudience: true,
      });
      if (!moved) throw inputError(`campaign "${id}" changed status meanwhile; try again`, { status: 'conflict' });
      await recordStatusChange(this.deps.events, stores, [id]);
    });
    return this.campaigns.get(id);
  }

  /** Idempotent: on a stopped or completed campaign it changes nothing (Ruby's flow needs 201). */
  async stop(id: string): Promise<CampaignView> {
    const campaign = await this.load(id);
    if (campaign.status === CampaignStatus.draft) {
      throw inputError(`campaign "${id}" cannot be stopped: it was never started`, { status: campaign.status });
    }
    if ((allowedFrom.stop as readonly string[]).includes(campaign.status)) {
      await this.deps.storage.transaction(async (stores) => {
        const moved = await stores.campaigns.transition(id, allowedFrom.stop, CampaignStatus.stopped, { now: this.deps.clock.nowMicros() });
        if (moved) await recordStatusChange(this.deps.events, stores, [id]);
      });
    }
    return this.campaigns.get(id);
  }

  private async load(id: string): Promise<Campaign> {
    const campaign = await this.deps.storage.campaigns.get(id);
    if (!campaign) throw notFound(`campaign "${id}" does not exist`);
    return campaign;
  }
}
