import { Agent, request } from 'undici';
import { unobserved, type WebhookReport, type WorkObserver } from '../app/observer-ports.js';
import type { OutboxPosition, OutboxRow, OutboxStore } from '../app/ports.js';
import type { Clock } from '../domain/clock.js';
import { OutboxStatus } from '../domain/events.js';
import { classify, retryDelayMs, type AttemptResult } from './retry-policy.js';
import { signBody } from './signature.js';

// A claim holds this many rounds of `concurrency` deliveries.
const CLAIM_ROUNDS = 8;
// How long claims go on from where the last one ended before one starts from the front again.
const REWIND_EVERY_MS = 5000;

export interface DelivererOptions {
  apiKey: string;
  apiSecret: string;
  owner: string;
  /** How long an event is retried before it is dead-lettered. */
  retryWindowMs: number;
  /** Per attempt, as Stream's 6 s. */
  attemptTimeoutMs: number;
  /** Deliveries in flight at once, over a keep-alive pool of as many connections. */
  concurrency: number;
  leaseMs: number;
  /** The longest wait between two attempts. */
  maxRetryDelayMs?: number;
}

/**
 * Delivers the outbox: claims due rows with a lease (any worker may), POSTs each with Stream's
 * headers and signature, and records success, a retry with backoff, or the dead letter.
 */
export class WebhookDeliverer {
  private readonly agent: Agent;
  /**
   * Where the last full claim ended. A claim from the front of the due index walks past the
   * entries of every row delivered (deleted) since PostgreSQL last vacuumed the outbox: at
   * 800k of them, a 1M-event backlog went out at half the rate. Claims go on from here while
   * they come back full, and start from the front again when one does not, or every
   * REWIND_EVERY_MS, which picks up what the cursor passed: expired leases of other workers
   * and rows of transactions that committed late.
   */
  private cursor: OutboxPosition | null = null;
  private cursorSince = 0;
  /** The next claim, taken while the current one is delivered. */
  private prefetched: Promise<{ rows: OutboxRow[]; after: OutboxPosition | null }> | null = null;

  constructor(
    private readonly outbox: OutboxStore,
    /** Encodes the snapshot rows of a claim into wire bodies, in place. */
    private readonly encodeSnapshots: (rows: OutboxRow[]) => Promise<void>,
    private readonly clock: Clock,
    private readonly options: DelivererOptions,
    /** Told the outcomes of each claim (the metrics of an API process). */
    private readonly observer: WorkObserver = unobserved,
  ) {
    // The per-attempt limit as undici's three timeouts (connect, headers, body): an
    // AbortSignal.timeout per request would cost a timer and a signal for every delivery.
    const timeout = options.attemptTimeoutMs;
    this.agent = new Agent({ connections: options.concurrency, keepAliveTimeout: 30_000, connect: { timeout }, headersTimeout: timeout, bodyTimeout: timeout });
  }

  /**
   * One claim's worth of deliveries (up to `concurrency` × CLAIM_ROUNDS rows, `concurrency` of
   * them in flight at a time); false when nothing was due. Successes are deleted in one
   * statement per claim: a write per delivery would cost the send loop its database.
   */
  async deliverDue(): Promise<boolean> {
    const claimed = this.prefetched ?? this.claim();
    this.prefetched = null;
    const { rows, after } = await claimed;
    // Nothing after the cursor: look from the front at once before calling it idle.
    if (rows.length === 0) return after !== null;
    // A full claim: take the next one while this one is delivered, so that the database's
    // round trips overlap the receiver's. Its rows are leased like any; if this worker stops
    // first, the leases expire.
    if (this.cursor) {
      this.prefetched = this.claim();
      this.prefetched.catch(() => {}); // awaited, and so reported, by the next round
    }
    const delivered: string[] = [];
    const outcomes: WebhookReport = { delivered: 0, retried: 0, dead: 0 };
    let next = 0;
    const lane = async () => {
      while (next < rows.length) {
        const row = rows[next++];
        const outcome = await this.deliver(row);
        outcomes[outcome]++;
        if (outcome === 'delivered') delivered.push(row.id);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.options.concurrency, rows.length) }, lane));
    await this.outbox.batchDelivered(delivered, this.options.owner);
    this.observer.webhookDeliveries(outcomes);
    return true;
  }

  /** Claims due rows from the cursor (or the front) and encodes their snapshots. */
  private async claim(): Promise<{ rows: OutboxRow[]; after: OutboxPosition | null }> {
    const { owner, leaseMs, concurrency } = this.options;
    const now = this.clock.nowMicros();
    const limit = concurrency * CLAIM_ROUNDS;
    if (this.cursor && now - this.cursorSince > REWIND_EVERY_MS * 1000) this.cursor = null;
    const after = this.cursor;
    const rows = await this.outbox.claimDue(owner, now, leaseMs, limit, after);
    this.cursor = rows.length === limit ? rows[rows.length - 1] : null;
    if (this.cursor && !after) this.cursorSince = now;
    await this.encodeSnapshots(rows);
    return { rows, after };
  }

  /** The attempt's outcome; failures are recorded here, one by one (they are the rare case). */
  private async deliver(row: OutboxRow): Promise<keyof WebhookReport> {
    const result = await this.attempt(row);
    const now = this.clock.nowMicros();
    if (result.ok) return 'delivered';
    const nextAttemptAt = now + retryDelayMs(row.attempts + 1, this.options.maxRetryDelayMs) * 1000;
    const expired = nextAttemptAt - row.created_at > this.options.retryWindowMs * 1000;
    const status = result.retryable && !expired ? OutboxStatus.pending : OutboxStatus.dead;
    // The body goes with the outcome: a snapshot encoded for this attempt is sent as the same
    // bytes on every later one.
    await this.outbox.finish(row.id, this.options.owner, { status, nextAttemptAt, error: result.error, body: row.body }, now);
    return status === OutboxStatus.dead ? 'dead' : 'retried';
  }

  private async attempt(row: OutboxRow): Promise<AttemptResult> {
    try {
      // undici's request over a keep-alive pool: ~3x the rate of fetch() for small POSTs.
      const response = await request(row.hook_url, {
        method: 'POST',
        dispatcher: this.agent,
        headers: {
          'content-type': 'application/json',
          'x-webhook-id': row.id,
          'x-webhook-attempt': String(row.attempts + 1),
          'x-api-key': this.options.apiKey,
          'x-signature': signBody(row.body, this.options.apiSecret),
        },
        body: row.body,
      });
      await response.body.dump();
      return classify(response.statusCode);
    } catch (error) {
      return classify(null, error instanceof Error ? `${error.name}: ${error.message}` : String(error));
    }
  }
}
