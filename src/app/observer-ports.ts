/**
 * What the background work reports as it goes, for the operator's metrics (src/metrics/).
 * The sender and the webhook deliverer report here and never import a metrics library: the
 * CLI and the tests run them unobserved, and the sender thread of an `all` process relays its
 * reports to the API thread (metrics/thread-relay.ts). Reports are plain data for that reason.
 */
export interface WorkObserver {
  /** One send batch that claimed targets: the ledger rows it finished, and how long it took. */
  sendBatch(report: SendBatchReport): void;
  /** The outcomes of one claim of webhook deliveries. */
  webhookDeliveries(report: WebhookReport): void;
}

export interface SendBatchReport {
  sent: number;
  skipped: number;
  failed: number;
  /** Claim, plan and write: the batch's whole transaction. */
  seconds: number;
}

/** Deliveries by outcome: 2xx, failed and due again, failed for good (dead-lettered). */
export interface WebhookReport {
  delivered: number;
  retried: number;
  dead: number;
}

export const unobserved: WorkObserver = { sendBatch() {}, webhookDeliveries() {} };
