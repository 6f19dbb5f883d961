import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { AppDeps } from './app-deps.js';
import { AudienceExpander } from './audience.js';
import { Delivery } from './delivery.js';
import type { SenderStores } from './sender-ports.js';

export interface SendingOptions {
  /** Targets per delivery transaction. */
  batchSize: number;
  /** Keys per expansion transaction. */
  pageSize: number;
  /** How long a claimed batch or expansion belongs to this worker before others may take it. */
  leaseMs: number;
}

// 1,000 targets commit in ~10–20 ms on SQLite: long enough to amortise the transaction (batches
// of 100 lose ~40%, DESIGN.md), short enough that the API is never blocked for long.
export const defaultSendingOptions: SendingOptions = { batchSize: 1000, pageSize: 5000, leaseMs: 30_000 };

/**
 * The sender of one worker process: the scheduler (due starts and stop_at), expansion, delivery
 * and completion. Workers share nothing but the database: leases and compare-and-set moves
 * decide who does what.
 */
export class Sending {
  readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly expander: AudienceExpander;
  private readonly delivery: Delivery;

  constructor(
    private readonly deps: AppDeps,
    private readonly stores: SenderStores,
    options: SendingOptions = defaultSendingOptions,
  ) {
    const shared = { owner: this.owner, leaseMs: options.leaseMs };
    this.expander = new AudienceExpander(deps, stores.audience, { ...shared, pageSize: options.pageSize });
    this.delivery = new Delivery(deps, stores.ledger, { ...shared, batchSize: options.batchSize });
  }

  /** Starts campaigns whose time has come and stops those past stop_at. True if any moved. */
  async schedule(): Promise<boolean> {
    const now = this.deps.clock.nowMicros();
    const stopped = await this.stores.scheduler.stopDue(now);
    const started = await this.stores.scheduler.promoteDue(now);
    return stopped.length + started.length > 0;
  }

  /**
   * One round over the campaigns in progress: for each, one expansion page and one delivery
   * batch, or the completion check when neither had work. True if anything was done.
   */
  async sendRound(): Promise<boolean> {
    let worked = false;
    for (const campaign of await this.stores.scheduler.inProgress()) {
      const expanded = await this.expander.step(campaign);
      await yieldToEventLoop();
      const delivered = await this.delivery.step(campaign);
      await yieldToEventLoop();
      if (expanded || delivered) worked = true;
      else if (await this.stores.scheduler.completeIfDone(campaign.id, this.deps.clock.nowMicros())) worked = true;
    }
    return worked;
  }

  /** Frees leases whose workers died; their targets go back to the pool. */
  async reap(): Promise<boolean> {
    return (await this.stores.ledger.reapExpired(this.deps.clock.nowMicros())) > 0;
  }
}
