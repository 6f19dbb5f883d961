import type { AudienceLease, DeliveryPlan, DeliveryResult } from '../app/sender-ports.js';

/**
 * The send loop's heavy writes, one implementation per dialect: SQLite runs them as one
 * synchronous transaction of prepared statements, PostgreSQL as a few set-based statements
 * over arrays (unnest), which docs/design.md measured at 38k targets/s against 31k for multi-row
 * INSERTs.
 */
export interface LedgerWriter {
  /**
   * Inserts the targets not yet in the ledger, adds them to stats_targets_total and moves the
   * expansion state on, all in one transaction fenced by the expansion lease. False when the
   * lease was lost (nothing written).
   */
  appendTargets(
    campaignId: string,
    owner: string,
    keys: readonly string[],
    state: AudienceLease & { done: boolean },
    now: number,
    leaseUntil: number,
  ): Promise<boolean>;
  /** Writes a planned batch in one transaction; targets whose lease was lost are left alone. */
  commit(plan: DeliveryPlan): Promise<DeliveryResult>;
}

export const emptyResult = (): DeliveryResult => ({ sent: 0, skipped: 0, failed: 0, channelsCreated: 0, usersSent: 0, lost: 0 });

/** Thrown inside a batch transaction to roll it back when this worker no longer holds the lease. */
export class LeaseLost extends Error {}
