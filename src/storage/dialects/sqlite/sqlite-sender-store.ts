import type { Kysely } from 'kysely';
import { TargetStatus } from '../../../domain/campaign-target.js';
import { OutboxStatus } from '../../../domain/events.js';
import { MessageType } from '../../../domain/message.js';
import type { BucketRow } from '../../../domain/rate-bucket.js';
import { emptyResult, type BatchClaim, type DeliveryItem, type DeliveryPlan, type DeliveryResult, type Outcome } from '../../../sender/sender-ports.js';
import type { Schema } from '../../schema.js';
import { KyselySenderStore, LeaseLost, type AudienceState } from '../../sender/kysely-sender-store.js';
import type { DialectCaps } from '../dialect-caps.js';
import type { SqliteHandle } from './open-sqlite.js';
import { DiskReserve } from './disk-reserve.js';
import { prepareSendStatements, type SendStatements } from './send-statements.js';

/**
 * The sender on SQLite: prepared statements (send-statements.ts) in one synchronous transaction
 * per batch. Every statement runs while holding Kysely's only connection, so that no Kysely
 * transaction of another loop is open on it, and no transaction spans an await: the batch is
 * planned before its transaction begins.
 */
export class SqliteSenderStore extends KyselySenderStore {
  private readonly s: SendStatements;
  private readonly reserve: DiskReserve;

  constructor(
    db: Kysely<Schema>,
    caps: DialectCaps,
    leaseMs: number,
    private readonly raw: SqliteHandle,
    /** Wakes this process's realtime readers after a batch that sent something committed. */
    private readonly onFeedCommitted?: () => void,
  ) {
    super(db, caps, leaseMs);
    this.s = prepareSendStatements(raw);
    this.reserve = new DiskReserve(raw.memory ? null : `${raw.name}-reserve`);
  }

  override async keepDiskReserve(): Promise<void> {
    this.reserve.keep();
  }

  override async releaseDiskReserve(): Promise<boolean> {
    return this.reserve.release();
  }

  /** Runs fn while holding Kysely's connection; as a write transaction when `write`. */
  private exclusive<T>(fn: () => T, write = false): Promise<T> {
    return this.db.connection().execute(async () => (write ? this.raw.transaction(fn).immediate() : fn()));
  }

  protected appendIds(campaignId: string, owner: string, keys: readonly string[], state: AudienceState, now: number, leaseUntil: number): Promise<boolean> {
    return this.exclusive(() => {
      let inserted = 0;
      for (const key of keys) inserted += this.s.appendTarget.run(campaignId, key, TargetStatus.pending, now).changes;
      const moved = this.s.advance.run(state.step, state.cursor, state.done ? 1 : 0, leaseUntil, inserted, campaignId, owner);
      // Lost the lease: throwing rolls the inserts back, the new owner will make them.
      if (moved.changes === 0) throw new LeaseLost();
      return true;
    }, true).catch((error: unknown) => {
      if (error instanceof LeaseLost) return false;
      throw error;
    });
  }

  async sendBatch(claim: BatchClaim, plan: (targetIds: readonly string[]) => Promise<DeliveryPlan>): Promise<DeliveryResult | null> {
    // Due deferred targets first (they have waited), then ready ones in target order.
    const claimed = await this.exclusive(() => {
      const due = (this.s.claimDue.all(claim.campaignId, claim.now, claim.limit) as Array<{ target_id: string }>).map((r) => r.target_id);
      const ready = due.length < claim.limit ? (this.s.claim.all(claim.campaignId, claim.limit - due.length) as Array<{ target_id: string }>) : [];
      return { due, ids: [...due, ...ready.map((r) => r.target_id)] };
    });
    if (claimed.ids.length === 0) return null;
    const planned = await plan(claimed.ids);
    const wasDeferred = new Set(claimed.due);
    const result = await this.exclusive(() => this.write(planned, wasDeferred), true);
    result.unplanned = claimed.ids.length - planned.items.length;
    if (result.sent > 0) this.onFeedCommitted?.();
    return result;
  }

  updateBuckets(keys: readonly string[], now: number, update: (rows: ReadonlyMap<string, BucketRow>) => ReadonlyMap<string, number>): Promise<void> {
    return this.exclusive(() => {
      const rows = new Map<string, BucketRow>();
      for (const key of keys) {
        const row = this.s.bucket.get(key) as BucketRow | undefined;
        if (row) rows.set(key, row);
      }
      for (const [key, tokens] of update(rows)) this.s.saveBucket.run(key, tokens, now);
    }, true);
  }

  private write(plan: DeliveryPlan, wasDeferred: ReadonlySet<string>): DeliveryResult {
    const result = emptyResult();
    for (const item of plan.items) {
      if (item.deferUntil !== undefined) {
        const deferred = this.s.defer.run(item.deferUntil, plan.now, plan.campaignId, item.targetId, TargetStatus.pending).changes > 0;
        if (deferred && !wasDeferred.has(item.targetId)) result.deferred++;
        continue;
      }
      if (!wasDeferred.has(item.targetId)) {
        this.writeItem(plan, item, result);
        continue;
      }
      // A due deferred target that is done now no longer waits.
      const before = finished(result);
      this.writeItem(plan, item, result);
      if (finished(result) > before) result.deferred--;
    }
    const done = finished(result);
    this.s.stats.run(result.sent, result.channelsCreated, result.usersSent, done, result.deferred, plan.campaignId);
    if (result.sent > 0) this.s.feed.run(plan.feed.kind, JSON.stringify(plan.feed), plan.now);
    return result;
  }

  /** The target's final state, fenced on its still being pending; false when it was not. */
  private finish(plan: DeliveryPlan, item: DeliveryItem, outcome: Outcome | null): boolean {
    const { status, reason = null, error = null } = outcome ?? { status: TargetStatus.sent, reason: item.sentReason };
    const [messageId, cid] = outcome ? [null, null] : [item.messageId, item.cid];
    return this.s.finish.run(status, reason, error, messageId, cid, plan.now, plan.campaignId, item.targetId, TargetStatus.pending).changes > 0;
  }

  private count(outcome: Outcome, result: DeliveryResult): void {
    if (outcome.status === TargetStatus.skipped) result.skipped++;
    else result.failed++;
  }

  private writeItem(plan: DeliveryPlan, item: DeliveryItem, result: DeliveryResult): void {
    const { s } = this;
    if (item.outcome) {
      if (this.finish(plan, item, item.outcome)) this.count(item.outcome, result);
      return;
    }
    // Finished by another writer since the claim (a stopped campaign's update drops pending
    // rows): nothing of ours may be written for it.
    if (!this.finish(plan, item, null)) return;
    // Insert first: for a new channel that is one statement, not a lookup and an insert.
    let pk = item.create && this.createChannel(plan, item);
    const created = pk !== undefined;
    pk ??= (s.channel.get(item.cid) as { pk: number } | undefined)?.pk;
    if (pk === undefined) {
      const { status, reason = null, error = null } = item.ifMissing;
      s.reclassify.run(status, reason, error, plan.campaignId, item.targetId);
      this.count(item.ifMissing, result);
      return;
    }
    let joined = 0;
    if (created) {
      result.channelsCreated++;
      for (const m of item.create!.members) s.insertMember.run(pk, m.user_id, m.channel_role, m.hidden ? 1 : 0, m.archived ? plan.now : null, plan.now, plan.now);
    } else {
      for (const m of item.join) joined += s.insertMember.run(pk, m.user_id, m.channel_role, m.hidden ? 1 : 0, m.archived ? plan.now : null, plan.now, plan.now).changes;
      if (item.unhide) s.unhide.run(plan.now, pk, item.unhide);
    }
    s.insertMessage.run(item.messageId, pk, plan.senderId, MessageType.regular, item.text, plan.message.attachmentsJson, plan.message.pollId,
      plan.message.customJson, plan.campaignId, plan.now, plan.now, item.silent ? 1 : 0);
    // A channel created here was inserted with its final counts already.
    if (!created) s.bumpChannel.run(joined, plan.now, plan.now, pk);
    for (const row of item.webhooks ? (created ? [...item.webhooks.ifCreated, ...item.webhooks.always] : item.webhooks.always) : []) {
      s.outbox.run(row.id, row.hook_url, row.event_type, row.ordering_key, row.body, row.body_format, OutboxStatus.pending, plan.now, plan.now, plan.now);
    }
    result.sent++;
    result.usersSent += item.reach === 'receiver' ? 1 : (s.reach.get(pk, plan.senderId) as { n: number }).n;
  }

  /** Creates the target's channel; undefined when it exists already. */
  private createChannel(plan: DeliveryPlan, item: DeliveryItem): number | undefined {
    const row = this.s.insertChannel.get(item.cid, item.channelType, item.channelId, plan.senderId, plan.channel.team,
      item.create!.members.length, plan.now, plan.channel.customJson, plan.now, plan.now) as { pk: number } | undefined;
    return row?.pk;
  }
}

/** Targets a batch has finished so far: sent, skipped or failed. */
const finished = (r: DeliveryResult): number => r.sent + r.skipped + r.failed;
