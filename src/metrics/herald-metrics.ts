import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { SendBatchReport, WebhookReport, WorkObserver } from '../app/observer-ports.js';
import type { MetricsStore } from '../app/ports.js';
import { CampaignStatus } from '../domain/campaign.js';
import type { Clock } from '../domain/clock.js';

// An exact outbox depth reads every pending row: ~1M in a 1M-target campaign with webhooks on.
// Counting stops here. Measured with 100k pending rows (2 cores, under load): a count capped
// at 100,000 took 13 ms on SQLite and 36 ms (110 ms at worst) on PostgreSQL; capped at 10,000,
// 0.8 ms and 5 ms. A gauge at the cap means "at least"; herald_webhook_oldest_due_seconds,
// one index entry, says how late the backlog is.
export const OUTBOX_DEPTH_CAP = 10_000;

// A send batch of 5,000 targets holds SQLite's write lock ~70 ms (sender.ts); planning stops
// at a third of the lease (10 s of the default 30 s), so 30 s is past any batch.
const BATCH_SECONDS_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

const TARGET_STATUSES = ['sent', 'skipped', 'failed'] as const;
const WEBHOOK_OUTCOMES = ['delivered', 'retried', 'dead'] as const;

/**
 * The Prometheus registry of a `worker` process (served on HERALD_METRICS_PORT): what its
 * sender and deliverer did, and Node's process metrics. It reads nothing from the database:
 * the database's gauges are the same from every process, and the API processes serve them.
 * A registry of its own, not prom-client's global one: tests run several servers in one process.
 */
export class WorkMetrics implements WorkObserver {
  readonly registry = new Registry();
  private readonly targets: Counter<'status'>;
  private readonly batchSeconds: Histogram;
  private readonly deliveries: Counter<'outcome'>;

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.targets = new Counter({ name: 'herald_campaign_targets_total', help: 'Campaign ledger rows finished by this process, by outcome.', labelNames: ['status'], registers });
    for (const status of TARGET_STATUSES) this.targets.inc({ status }, 0);
    this.batchSeconds = new Histogram({ name: 'herald_send_batch_duration_seconds', help: 'Send batches of this process: claim, plan and write, one transaction.', buckets: BATCH_SECONDS_BUCKETS, registers });
    this.deliveries = new Counter({ name: 'herald_webhook_deliveries_total', help: 'Webhook delivery attempts of this process, by outcome.', labelNames: ['outcome'], registers });
    for (const outcome of WEBHOOK_OUTCOMES) this.deliveries.inc({ outcome }, 0);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  sendBatch(report: SendBatchReport): void {
    for (const status of TARGET_STATUSES) if (report[status] > 0) this.targets.inc({ status }, report[status]);
    this.batchSeconds.observe(report.seconds);
  }

  webhookDeliveries(report: WebhookReport): void {
    for (const outcome of WEBHOOK_OUTCOMES) if (report[outcome] > 0) this.deliveries.inc({ outcome }, report[outcome]);
  }

  /** The text exposition. */
  render(): Promise<string> {
    return this.registry.metrics();
  }
}

/**
 * The Prometheus registry of one process with an API (GET /metrics): a worker's (the WorkObserver
 * of the sender and the deliverer of this process, or of their relay from the sender thread),
 * plus the timer of every HTTP request and the database's gauges, read at scrape time.
 */
export class HeraldMetrics extends WorkMetrics {
  private readonly http: Histogram<'method' | 'route' | 'status_code'>;
  private readonly campaigns: Gauge<'status'>;
  private readonly ledgerPending: Gauge;
  private readonly ledgerDeferred: Gauge;
  private readonly outboxDepth: Gauge;
  private readonly outboxOldestDue: Gauge;

  constructor(
    private readonly store: MetricsStore,
    private readonly clock: Clock,
  ) {
    super();
    const registers = [this.registry];
    this.http = new Histogram({ name: 'herald_http_request_duration_seconds', help: 'HTTP requests, by route pattern.', labelNames: ['method', 'route', 'status_code'], registers });
    this.campaigns = new Gauge({ name: 'herald_campaigns', help: 'Campaigns by status (read from the database at scrape time).', labelNames: ['status'], registers });
    this.ledgerPending = new Gauge({ name: 'herald_ledger_pending', help: 'Campaign targets pending and due now, over every campaign (from the campaigns\' counters).', registers });
    this.ledgerDeferred = new Gauge({ name: 'herald_ledger_deferred', help: 'Campaign targets pending until their delivery window opens (from the campaigns\' counters).', registers });
    this.outboxDepth = new Gauge({ name: 'herald_webhook_outbox_depth', help: `Pending webhook outbox rows, counted up to ${OUTBOX_DEPTH_CAP}.`, registers });
    this.outboxOldestDue = new Gauge({ name: 'herald_webhook_oldest_due_seconds', help: 'How long the oldest due webhook has been waiting since it fell due; 0 when none is due.', registers });
  }

  observeRequest(method: string, route: string, statusCode: number, seconds: number): void {
    this.http.observe({ method, route, status_code: String(statusCode) }, seconds);
  }

  /** The text exposition, with the database's gauges read now: four small queries. */
  override async render(): Promise<string> {
    const now = this.clock.nowMicros();
    const [byStatus, ledger, outbox] = await Promise.all([
      this.store.campaignsByStatus(),
      this.store.ledgerBacklog(),
      this.store.outboxBacklog(now, OUTBOX_DEPTH_CAP),
    ]);
    // Every status, 0 included: a series that vanishes reads as "no data", not as none.
    for (const status of Object.values(CampaignStatus)) this.campaigns.set({ status }, byStatus.get(status) ?? 0);
    this.ledgerPending.set(ledger.ready);
    this.ledgerDeferred.set(ledger.deferred);
    this.outboxDepth.set(outbox.depth);
    this.outboxOldestDue.set(outbox.oldestDueAt === null ? 0 : (now - outbox.oldestDueAt) / 1e6);
    return super.render();
  }
}
