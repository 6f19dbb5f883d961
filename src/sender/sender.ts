import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { AppDeps } from '../app/app-deps.js';
import { recordStatusChange } from '../app/campaign-events.js';
import { unobserved, type WorkObserver } from '../app/observer-ports.js';
import type { AppSettings } from '../domain/app-settings.js';
import { CampaignStatus, type Campaign } from '../domain/campaign.js';
import { isDiskFull } from '../domain/storage-faults.js';
import { minimumGrant, returnTokens, takeTokens, type RateLimit } from '../domain/rate-bucket.js';
import { AudienceExpander } from './audience-expander.js';
import { BatchPlanner } from './batch-planner.js';
import type { DeliveryResult, SenderStore } from './sender-ports.js';

export interface SenderOptions {
  /** Targets per delivery transaction. */
  batchSize: number;
  /** Keys per expansion transaction. */
  pageSize: number;
  /** How long an expansion lease lasts; a batch plans for a third of it at most. */
  leaseMs: number;
  /**
   * Batches of one campaign a worker sends at once. On PostgreSQL two overlap this process's
   * planning with the database's writing; SQLite has one writer, so one.
   */
  concurrency: number;
}

// 5,000 targets a transaction, as docs/design.md's hand-tuned loop: batches of 100 lose ~40%. On
// SQLite such a batch holds the write lock for ~70 ms, on the sender's own thread
// (main/worker-thread.ts), so the API's reads never wait for it.
export const defaultSenderOptions: SenderOptions = { batchSize: 5000, pageSize: 10_000, leaseMs: 30_000, concurrency: 1 };

// How long a campaign's turn of a round lasts at most: about what one round of two 5,000-target
// batches took before (~0.9 s at 11k/s), so other campaigns wait no longer for their turn.
const TURN_MS = 1_000;

/**
 * The sender of one worker process: the scheduler (due starts and stop_at), expansion, delivery
 * and completion. Workers share nothing but the database: claims, leases and compare-and-set
 * moves decide who does what.
 */
export class Sender {
  readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  readonly expander: AudienceExpander;
  readonly planner: BatchPlanner;

  constructor(
    private readonly deps: AppDeps,
    private readonly store: SenderStore,
    private readonly options: SenderOptions = defaultSenderOptions,
    /** Told of every batch that claimed targets (the metrics of an API process). */
    private readonly observer: WorkObserver = unobserved,
  ) {
    this.expander = new AudienceExpander(deps, store, { owner: this.owner, leaseMs: options.leaseMs, pageSize: options.pageSize });
    this.planner = new BatchPlanner(deps, store, { planBudgetMs: options.leaseMs / 3 });
  }

  /** Starts campaigns whose time has come and stops those past stop_at. True if any moved. */
  async schedule(): Promise<boolean> {
    const now = this.deps.clock.nowMicros();
    return this.deps.storage.transaction(async (stores) => {
      const moved = [...(await stores.scheduler.stopDue(now)), ...(await stores.scheduler.promoteDue(now))];
      await recordStatusChange(this.deps.events, stores, moved);
      return moved.length > 0;
    });
  }

  /**
   * One round over the campaigns in progress: for each, a turn of expansion and delivery
   * batches, or the completion check when a turn found nothing to send. True if anything was done.
   */
  async sendRound(): Promise<boolean> {
    let worked = false;
    const campaigns = await this.deps.storage.scheduler.inProgress();
    if (campaigns.length > 0) await this.store.keepDiskReserve();
    // Read once a round, for the app's throttle and webhooks: a change holds from the next round.
    const settings = campaigns.length > 0 ? await this.deps.storage.settings.get() : undefined;
    for (const campaign of campaigns) {
      try {
        const { expanded, batches } = await this.turn(campaign, settings);
        const delivered = batches.some((b) => b !== null && b !== 'throttled');
        if (expanded || delivered) worked = true;
        // A batch that found nothing free (null) is the sign to check for the end, even when a
        // sibling batch found the throttle empty: the first of two concurrent batches takes every
        // token there is, so at the end of a throttled PostgreSQL send the second was always
        // 'throttled', and waiting for a round without one left the campaign in progress.
        else if (batches.includes(null) && (await this.complete(campaign.id))) worked = true;
      } catch (error) {
        if (!isDiskFull(error)) throw error;
        await this.halt(campaign.id, 'the database disk is full: the batch was rolled back; free space and start the campaign again');
        throw new Error(`campaign ${campaign.id} stopped: the database disk is full (${(error as Error).message})`, { cause: error });
      }
    }
    return worked;
  }

  /**
   * A campaign's turn: `concurrency` lanes send batch after batch for up to TURN_MS, each
   * expanding the next audience page when the batches would outrun it. Before, a round sent
   * one batch a lane and waited for both: the two PostgreSQL lanes started every round in
   * step, planning together while the database idled and then writing together while this
   * process idled. Lanes that go on drift apart, so one plans while the other's commit runs
   * (1M targets, one worker: 9.9–11.4k → 10.7–12.5k targets/s, ~8% at the median). Between
   * batches a lane re-reads the campaign: a stop, a passed stop_at or a new throttle takes
   * effect at the next batch, as it did at the next round.
   */
  private async turn(first: Campaign, settings: AppSettings | undefined) {
    const { concurrency, batchSize, pageSize } = this.options;
    const endsAt = performance.now() + TURN_MS;
    const batches: Array<DeliveryResult | null | 'throttled'> = [];
    let expanded = false;
    let exhausted = false;
    // Targets expanded and asked for this turn: a lane expands a page before a batch that would
    // claim past what was expanded, while the other lane's batch goes on.
    let supply = 0;
    let demand = 0;
    let expanding: Promise<void> | undefined;
    const expand = () =>
      (expanding ??= this.expander.step(first).then((appended) => {
        expanding = undefined;
        if (appended) {
          expanded = true;
          supply += pageSize;
        } else exhausted = true;
      }));
    const lane = async () => {
      let campaign: Campaign | undefined = first;
      while (campaign) {
        if (!exhausted && demand + batchSize > supply) await expand();
        demand += batchSize;
        const batch = await this.sendBatch(campaign, settings);
        batches.push(batch);
        await yieldToEventLoop();
        // The turn's end is checked before the re-read: no read for a batch that is not sent.
        if (batch === null || batch === 'throttled' || performance.now() >= endsAt) return;
        campaign = await this.stillSending(campaign.id);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, lane));
    return { expanded, batches };
  }

  /** The campaign, re-read, if it is still to be sent now. */
  private async stillSending(id: string): Promise<Campaign | undefined> {
    const campaign = await this.deps.storage.campaigns.get(id);
    const past = campaign?.stop_at != null && campaign.stop_at <= this.deps.clock.nowMicros();
    return campaign?.status === CampaignStatus.inProgress && !past ? campaign : undefined;
  }

  /**
   * Stops the campaign with the reason on it, where retrying could only fail again. The disk
   * reserve is given up first, so this small write fits where the batch's did not; a start
   * after space is freed resumes the campaign, and the reserve is made again.
   */
  private async halt(campaignId: string, error: string): Promise<void> {
    await this.store.releaseDiskReserve();
    await this.deps.storage.transaction(async (stores) => {
      const now = this.deps.clock.nowMicros();
      if (await stores.campaigns.transition(campaignId, [CampaignStatus.inProgress], CampaignStatus.stopped, { now, error })) {
        await recordStatusChange(this.deps.events, stores, [campaignId]);
      }
    });
  }

  /**
   * One batch of the campaign: claimed, planned and written in one transaction. Null when none
   * was free; 'throttled' when its throttle (or the app's) has no tokens for a batch yet.
   * `settings`: the round's app settings, read here when not given.
   */
  async sendBatch(campaign: Campaign, settings?: AppSettings): Promise<DeliveryResult | null | 'throttled'> {
    const app = settings ?? (await this.deps.storage.settings.get());
    const limits = throttlesOf(campaign, app);
    let limit = this.options.batchSize;
    if (limits.length > 0) {
      limit = await this.take(limits, limit);
      if (limit === 0) return 'throttled';
    }
    const startedAt = performance.now();
    const result = await this.store.sendBatch({ campaignId: campaign.id, owner: this.owner, limit, now: this.deps.clock.nowMicros() }, (targetIds) =>
      this.planner.plan(campaign, targetIds, app),
    );
    if (result) this.observer.sendBatch({ sent: result.sent, skipped: result.skipped, failed: result.failed, seconds: (performance.now() - startedAt) / 1000 });
    // Tokens are for messages: what was skipped, deferred or not claimed goes back.
    const unused = limit - (result?.sent ?? 0);
    if (limits.length > 0 && unused > 0) {
      const now = this.deps.clock.nowMicros();
      await this.store.updateBuckets(limits.map((l) => l.key), now, (rows) => returnTokens(limits, rows, unused, now));
    }
    return result;
  }

  private async take(limits: readonly RateLimit[], want: number): Promise<number> {
    let granted = 0;
    const now = this.deps.clock.nowMicros();
    await this.store.updateBuckets(limits.map((l) => l.key), now, (rows) => {
      const taken = takeTokens(limits, rows, want, minimumGrant(limits, want), now);
      granted = taken.granted;
      return taken.levels;
    });
    return granted;
  }

  private complete(campaignId: string): Promise<boolean> {
    return this.deps.storage.transaction(async (stores) => {
      const completed = await stores.scheduler.completeIfDone(campaignId, this.deps.clock.nowMicros());
      if (completed) await recordStatusChange(this.deps.events, stores, [campaignId]);
      return completed;
    });
  }
}

/** The campaign's throttle and the app's, each a bucket shared by every worker. */
function throttlesOf(campaign: Campaign, settings: AppSettings): RateLimit[] {
  const limits: RateLimit[] = [];
  if (campaign.max_messages_per_second !== null) limits.push({ key: `campaign:${campaign.id}`, rate: campaign.max_messages_per_second });
  const app = settings.campaign_max_messages_per_second;
  if (app !== null) limits.push({ key: 'app', rate: app });
  return limits;
}
