import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { AppDeps } from './app-deps.js';
import { AudienceExpander } from './audience.js';
import { recordStatusChange } from './campaign-events.js';
import { Delivery } from './delivery.js';

export interface SendingOptions {
  /** Targets per delivery transaction. */
  batchSize: number;
  /** Keys per expansion transaction. */
  pageSize: number;
  /** How long a claimed batch or expansion belongs to this worker before others may take it. */
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
export const defaultSendingOptions: SendingOptions = { batchSize: 5000, pageSize: 10_000, leaseMs: 30_000, concurrency: 1 };

/**
 * The sender of one worker process: the scheduler (due starts and stop_at), expansion, delivery
 * and completion. Workers share nothing but the database: leases and compare-and-set moves
 * decide who does what.
 */
export class Sending {
  readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly expander: AudienceExpander;
  private readonly delivery: Delivery;
  private readonly concurrency: number;

  constructor(
    private readonly deps: AppDeps,
    options: SendingOptions = defaultSendingOptions,
  ) {
    const shared = { owner: this.owner, leaseMs: options.leaseMs };
    this.expander = new AudienceExpander(deps, deps.storage.sender.audience, { ...shared, pageSize: options.pageSize });
    this.delivery = new Delivery(deps, deps.storage.sender.ledger, { ...shared, batchSize: options.batchSize });
    this.concurrency = options.concurrency;
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
   * One round over the campaigns in progress: for each, one expansion page and one delivery
   * batch, or the completion check when neither had work. True if anything was done.
   */
  async sendRound(): Promise<boolean> {
    let worked = false;
    for (const campaign of await this.deps.storage.scheduler.inProgress()) {
      const expanded = await this.expander.step(campaign);
      await yieldToEventLoop();
      const batches = await Promise.all(Array.from({ length: this.concurrency }, () => this.delivery.step(campaign)));
      const delivered = batches.some((b) => b !== null);
      await yieldToEventLoop();
      if (expanded || delivered) worked = true;
      else if (await this.complete(campaign.id)) worked = true;
    }
    return worked;
  }

  private complete(campaignId: string): Promise<boolean> {
    return this.deps.storage.transaction(async (stores) => {
      const completed = await stores.scheduler.completeIfDone(campaignId, this.deps.clock.nowMicros());
      if (completed) await recordStatusChange(this.deps.events, stores, [campaignId]);
      return completed;
    });
  }

  /** Frees leases whose workers died; their targets go back to the pool. */
  async reap(): Promise<boolean> {
    return (await this.deps.storage.sender.ledger.reapExpired(this.deps.clock.nowMicros())) > 0;
  }
}
