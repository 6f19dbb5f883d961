import type { Transaction } from 'kysely';
import { TargetStatus } from '../../../domain/campaign-target.js';
import type { BucketRow } from '../../../domain/rate-bucket.js';
import { emptyResult, type BatchClaim, type DeliveryItem, type DeliveryPlan, type DeliveryResult } from '../../../sender/sender-ports.js';
import { KyselyFeedStore } from '../../feed-store.js';
import type { Schema } from '../../schema.js';
import { KyselySenderStore, LeaseLost, type AudienceState } from '../../sender/kysely-sender-store.js';
import { postgresCaps } from './postgres-caps.js';
import { appendIds } from './send/append-ids.js';
import { bumpChannels } from './send/bump-channels.js';
import { bumpStats } from './send/bump-stats.js';
import { claimBatch } from './send/claim-batch.js';
import { countReach } from './send/count-reach.js';
import { deferTargets, finishTargets, type TargetFinish } from './send/finish-targets.js';
import { updateBuckets } from './send/rate-buckets.js';
import { channelPks, insertChannels, type NewChannel } from './send/insert-channels.js';
import { insertMembers, unhideMembers, type MemberInsert } from './send/insert-members.js';
import { insertMessages } from './send/insert-messages.js';
import { insertOutbox } from './send/insert-outbox.js';

/**
 * The sender on PostgreSQL: a batch is one transaction that claims its targets as row locks
 * (send/claim-batch.ts), plans them while it holds them, and writes them with a fixed handful
 * of set-based statements over arrays, whatever the batch size (send/*.ts).
 */
export class PostgresSenderStore extends KyselySenderStore {
  /** The last target this worker claimed, per campaign: where its next claim starts. */
  private readonly cursors = new Map<string, string>();

  protected appendIds(campaignId: string, owner: string, keys: readonly string[], state: AudienceState, now: number, leaseUntil: number): Promise<boolean> {
    return this.db
      .transaction()
      .execute(async (trx) => {
        // Lost the lease: roll the inserts back; the new owner makes them.
        if (!(await appendIds(trx, campaignId, owner, keys, state, now, leaseUntil))) throw new LeaseLost();
        return true;
      })
      .catch((error: unknown) => {
        if (error instanceof LeaseLost) return false;
        throw error;
      });
  }

  updateBuckets(keys: readonly string[], now: number, update: (rows: ReadonlyMap<string, BucketRow>) => ReadonlyMap<string, number>): Promise<void> {
    return updateBuckets(this.db, keys, now, update);
  }

  sendBatch(claim: BatchClaim, plan: (targetIds: readonly string[]) => Promise<DeliveryPlan>): Promise<DeliveryResult | null> {
    return this.db.transaction().execute(async (trx) => {
      const { due, ready } = await claimBatch(trx, claim.campaignId, claim.limit, this.cursors.get(claim.campaignId) ?? null, claim.now);
      const claimed = [...due, ...ready];
      if (claimed.length === 0) {
        this.cursors.delete(claim.campaignId);
        return null;
      }
      // Each part of a claim is in target order: the last is where the next claim goes on.
      if (ready.length > 0) this.cursors.set(claim.campaignId, ready[ready.length - 1].targetId);
      const planned = await plan(claimed.map((c) => c.targetId));
      const result = await this.write(trx, planned, new Map(claimed.map((c) => [c.targetId, c.tid])), new Set(due.map((c) => c.targetId)));
      result.unplanned = claimed.length - planned.items.length;
      return result;
    });
  }

  private async write(trx: Transaction<Schema>, all: DeliveryPlan, tids: ReadonlyMap<string, string>, wasDeferred: ReadonlySet<string>): Promise<DeliveryResult> {
    const result = emptyResult();
    // Targets outside their window only move to the deferred index; the rest is the send.
    const deferring = all.items.filter((i) => i.deferUntil !== undefined);
    await deferTargets(trx, all.now, deferring.map((i) => ({ tid: tids.get(i.targetId)!, until: i.deferUntil! })));
    result.deferred = deferring.filter((i) => !wasDeferred.has(i.targetId)).length;
    const plan = { ...all, items: all.items.filter((i) => i.deferUntil === undefined) };
    result.deferred -= plan.items.filter((i) => wasDeferred.has(i.targetId)).length;
    const sending = plan.items.filter((i) => !i.outcome);
    const created = await insertChannels(trx, { senderId: plan.senderId, now: plan.now, team: plan.channel.team, customJson: plan.channel.customJson }, newChannels(sending));
    const pkOf = new Map([...created, ...(await channelPks(trx, [...new Set(sending.filter((i) => !created.has(i.cid)).map((i) => i.cid))]))]);
    const delivered = sending.filter((i) => pkOf.has(i.cid));

    const finishes: TargetFinish[] = plan.items.map((item) => {
      const outcome = item.outcome ?? (pkOf.has(item.cid) ? null : item.ifMissing);
      if (outcome?.status === TargetStatus.skipped) result.skipped++;
      else if (outcome) result.failed++;
      const tid = tids.get(item.targetId)!;
      return outcome
        ? { tid, status: outcome.status, reason: outcome.reason ?? null, error: outcome.error ?? null, messageId: null, cid: null }
        : { tid, status: TargetStatus.sent, reason: item.sentReason ?? null, error: null, messageId: item.messageId, cid: item.cid };
    });
    await finishTargets(trx, plan.now, finishes);

    // Channels created here were inserted with their final counts; the others are bumped.
    const bumps = new Map<number, { messages: number; members: number }>();
    const bump = (pk: number, messages: number, members: number) => {
      const b = bumps.get(pk) ?? { messages: 0, members: 0 };
      bumps.set(pk, { messages: b.messages + messages, members: b.members + members });
    };
    const createdPks = new Set(created.values());
    for (const pk of await insertMembers(trx, plan.now, memberRows(plan, delivered, pkOf, created))) if (!createdPks.has(pk)) bump(pk, 0, 1);
    await unhideMembers(trx, plan.now, delivered.filter((i) => i.unhide && !created.has(i.cid)).map((i) => ({ pk: pkOf.get(i.cid)!, userId: i.unhide! })));
    await insertMessages(trx, plan, delivered.map((i) => ({ id: i.messageId, pk: pkOf.get(i.cid)!, text: i.text, silent: i.silent ?? false })));
    for (const item of delivered) if (!created.has(item.cid)) bump(pkOf.get(item.cid)!, 1, 0);
    await bumpChannels(trx, plan.now, bumps);
    await insertOutbox(trx, plan.now, webhookRows(delivered, created));

    result.sent = delivered.length;
    result.channelsCreated = created.size;
    result.usersSent = delivered.filter((i) => i.reach === 'receiver').length +
      (await countReach(trx, plan.senderId, delivered.filter((i) => i.reach === 'members').map((i) => pkOf.get(i.cid)!)));
    await bumpStats(trx, plan.campaignId, result);
    // Last, after the channel rows are locked: feed order is then commit order per channel.
    if (result.sent > 0) await new KyselyFeedStore(trx, postgresCaps).append(plan.feed, plan.now);
    return result;
  }
}

/** One row per new channel of the batch, with the members and messages it will hold. */
function newChannels(items: readonly DeliveryItem[]): NewChannel[] {
  const byCid = new Map<string, NewChannel & { ids: Set<string> }>();
  for (const item of items) {
    if (!item.create) continue;
    const entry = byCid.get(item.cid) ?? { cid: item.cid, type: item.channelType, id: item.channelId, members: 0, messages: 0, ids: new Set<string>() };
    for (const m of item.create.members) entry.ids.add(m.user_id);
    entry.members = entry.ids.size;
    entry.messages++;
    byCid.set(item.cid, entry);
  }
  return [...byCid.values()].map(({ ids: _ids, ...channel }) => channel);
}

/** The members the batch writes: all of a new channel's, the joiners of an existing one. */
function memberRows(plan: DeliveryPlan, delivered: readonly DeliveryItem[], pkOf: ReadonlyMap<string, number>, created: ReadonlyMap<string, number>): MemberInsert[] {
  const rows: MemberInsert[] = [];
  const seen = new Set<string>();
  for (const item of delivered) {
    const pk = pkOf.get(item.cid)!;
    for (const m of created.has(item.cid) ? item.create!.members : item.join) {
      const key = `${pk}\u0000${m.user_id}`;
      if (seen.has(key)) continue;
      seen.add(key);
      rows.push({ pk, userId: m.user_id, role: m.channel_role, hidden: m.hidden, archivedAt: m.archived ? plan.now : null });
    }
  }
  return rows;
}

/** message.new for each message; channel.created for the first message of each channel created here. */
function webhookRows(delivered: readonly DeliveryItem[], created: ReadonlyMap<string, number>) {
  const announced = new Set<string>();
  return delivered.flatMap((item) => {
    if (!item.webhooks) return [];
    const first = created.has(item.cid) && !announced.has(item.cid);
    if (first) announced.add(item.cid);
    return first ? [...item.webhooks.ifCreated, ...item.webhooks.always] : item.webhooks.always;
  });
}
