import type { Kysely } from 'kysely';
import type { AudienceLease, DeliveryItem, DeliveryPlan, DeliveryResult } from '../../../app/sender-ports.js';
import { SenderMode, SenderVisibility } from '../../../domain/campaign.js';
import { TargetStatus } from '../../../domain/campaign-target.js';
import { emptyResult, LeaseLost, type LedgerWriter } from '../../ledger-writer.js';
import { newChannelMembers } from '../../new-channel-members.js';
import type { Schema } from '../../schema.js';
import type { Statement as SqliteStatement } from 'better-sqlite3';
import type { SqliteHandle } from './open-sqlite.js';

type Statement = SqliteStatement<unknown[]>;

/**
 * SQLite's send-loop writes: prepared statements in one synchronous transaction per batch.
 * The transaction runs while holding Kysely's connection (so no Kysely transaction of the API
 * is open on the same connection), and never spans an await: the planning work is done before.
 */
export class SqliteLedgerWriter implements LedgerWriter {
  private readonly s: Record<string, Statement>;

  constructor(
    private readonly db: Kysely<Schema>,
    private readonly raw: SqliteHandle,
    /** Wakes this process's realtime readers after a batch that sent something committed. */
    private readonly onFeedCommitted?: () => void,
  ) {
    const p = (source: string) => raw.prepare(source);
    this.s = {
      insertTarget: p(`insert into campaign_targets (campaign_id, target_id, status, updated_at)
        values (?, ?, 'pending', ?) on conflict do nothing`),
      advance: p(`update campaigns set audience_step = ?, audience_cursor = ?, audience_done = ?,
        audience_locked_until = ?, stats_targets_total = stats_targets_total + ?
        where id = ? and audience_locked_by = ?`),
      fence: p(`update campaign_targets set status = ?, reason = ?, error = ?, message_id = ?, channel_cid = ?,
        locked_by = null, locked_until = null, updated_at = ?
        where campaign_id = ? and target_id = ? and (locked_by is null or locked_by = ?) and status = 'pending'`),
      reclassify: p(`update campaign_targets set status = ?, reason = ?, message_id = null, channel_cid = null
        where campaign_id = ? and target_id = ?`),
      channel: p(`select pk from channels where cid = ? and deleted_at is null`),
      insertChannel: p(`insert into channels (cid, type, id, created_by_id, team, frozen, disabled, member_count,
        message_count, last_message_at, custom, created_at, updated_at)
        values (?, ?, ?, ?, ?, 0, 0, ?, 1, ?, ?, ?, ?) on conflict (cid) do nothing returning pk`),
      insertMember: p(`insert into channel_members (channel_pk, user_id, channel_role, hidden, archived_at, banned,
        notifications_muted, created_at, updated_at) values (?, ?, ?, ?, ?, 0, 0, ?, ?) on conflict do nothing`),
      unhide: p(`update channel_members set hidden = 0, updated_at = ? where channel_pk = ? and user_id = ? and hidden = 1`),
      audience: p(`select count(*) as n from channel_members where channel_pk = ? and user_id != ?`),
      insertMessage: p(`insert into messages (id, channel_pk, user_id, type, text, attachments, poll_id, custom,
        campaign_id, created_at, updated_at) values (?, ?, ?, 'regular', ?, ?, ?, ?, ?, ?, ?)`),
      bumpChannel: p(`update channels set message_count = message_count + 1, member_count = member_count + ?,
        last_message_at = ?, updated_at = ? where pk = ?`),
      outbox: p(`insert into webhook_outbox (id, hook_url, event_type, ordering_key, body, body_format, status, attempts,
        next_attempt_at, created_at, updated_at) values (?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?)`),
      stats: p(`update campaigns set stats_messages_sent = stats_messages_sent + ?,
        stats_channels_created = stats_channels_created + ?, stats_users_sent = stats_users_sent + ?,
        stats_targets_done = stats_targets_done + ? where id = ?`),
      feed: p(`insert into chat_feed (kind, body, created_at) values (?, ?, ?)`),
    };
  }

  /** Runs fn as one transaction while holding Kysely's only connection. */
  private exclusive<T>(fn: () => T): Promise<T> {
    return this.db.connection().execute(async () => this.raw.transaction(fn).immediate());
  }

  appendTargets(
    campaignId: string,
    owner: string,
    keys: readonly string[],
    state: AudienceLease & { done: boolean },
    now: number,
    leaseUntil: number,
  ): Promise<boolean> {
    return this.exclusive(() => {
      let inserted = 0;
      for (const key of keys) inserted += this.s.insertTarget.run(campaignId, key, now).changes;
      const moved = this.s.advance.run(state.step, state.cursor, state.done ? 1 : 0, leaseUntil, inserted, campaignId, owner);
      // Lost the lease: throwing rolls the inserts back, the new owner will make them.
      if (moved.changes === 0) throw new LeaseLost();
      return true;
    }).catch((error: unknown) => {
      if (error instanceof LeaseLost) return false;
      throw error;
    });
  }

  async commit(plan: DeliveryPlan): Promise<DeliveryResult> {
    const result = await this.exclusive(() => {
      const result = emptyResult();
      for (const item of plan.items) this.write(plan, item, result);
      const done = result.sent + result.skipped + result.failed;
      this.s.stats.run(result.sent, result.channelsCreated, result.usersSent, done, plan.campaignId);
      if (result.sent > 0) this.s.feed.run(plan.feed.kind, JSON.stringify(plan.feed), plan.now);
      return result;
    });
    if (result.sent > 0) this.onFeedCommitted?.();
    return result;
  }

  private write(plan: DeliveryPlan, item: DeliveryItem, result: DeliveryResult): void {
    const { s } = this;
    if (item.outcome) {
      const { status, reason = null, error = null } = item.outcome;
      const owned = s.fence.run(status, reason, error, null, null, plan.now, plan.campaignId, item.targetId, plan.owner);
      if (owned.changes === 0) result.lost++;
      else if (status === TargetStatus.skipped) result.skipped++;
      else result.failed++;
      return;
    }
    const owned = s.fence.run(TargetStatus.sent, null, null, item.messageId, item.cid, plan.now, plan.campaignId, item.targetId, plan.owner);
    if (owned.changes === 0) {
      result.lost++;
      return;
    }
    let pk: number | undefined;
    let addedMembers = 0;
    let created = false;
    if (item.kind === 'user' && plan.createChannels) {
      // Insert first: for a new channel that is one statement, not a lookup and an insert.
      pk = this.createChannel(plan, item);
      created = pk !== undefined;
    }
    if (pk === undefined) pk = (s.channel.get(item.cid) as { pk: number } | undefined)?.pk;
    if (pk === undefined) {
      s.reclassify.run(TargetStatus.skipped, 'channel_missing', plan.campaignId, item.targetId);
      result.skipped++;
      return;
    }
    if (created) {
      result.channelsCreated++;
      this.addNewChannelMembers(plan, item, pk);
    } else {
      if (plan.senderMode === SenderMode.include) {
        addedMembers = s.insertMember.run(pk, plan.senderId, 'channel_member', 0, null, plan.now, plan.now).changes;
      }
      if (plan.showChannels && item.kind === 'user') s.unhide.run(plan.now, pk, item.receiverId);
    }
    s.insertMessage.run(item.messageId, pk, plan.senderId, item.text, plan.message.attachmentsJson, plan.message.pollId,
      plan.message.customJson, plan.campaignId, plan.now, plan.now);
    // A channel created here was inserted with its final counts already.
    if (!created) s.bumpChannel.run(addedMembers, plan.now, plan.now, pk);
    // The webhook events of this send, in its transaction (the outbox's rule).
    if (item.webhooks) {
      for (const row of created ? [...item.webhooks.ifCreated, ...item.webhooks.always] : item.webhooks.always) {
        s.outbox.run(row.id, row.hook_url, row.event_type, row.ordering_key, row.body, row.body_format, plan.now, plan.now, plan.now);
      }
    }
    result.sent++;
    result.usersSent += item.kind === 'user' ? 1 : (s.audience.get(pk, plan.senderId) as { n: number }).n;
  }

  /** Creates the target's channel; undefined when it exists already (the caller looks it up). */
  private createChannel(plan: DeliveryPlan, item: DeliveryItem): number | undefined {
    const row = this.s.insertChannel.get(item.cid, item.channelType, item.channelId, plan.senderId, plan.channel.team,
      newChannelMembers(plan, item).length, plan.now, plan.channel.customJson, plan.now, plan.now) as { pk: number } | undefined;
    return row?.pk;
  }

  /** Members of a channel the campaign just created: all of them are new rows. */
  private addNewChannelMembers(plan: DeliveryPlan, item: DeliveryItem, pk: number): void {
    const now = plan.now;
    for (const m of newChannelMembers(plan, item)) {
      const hidden = m.user_id === plan.senderId && plan.senderVisibility === SenderVisibility.hidden ? 1 : 0;
      const archivedAt = m.user_id === plan.senderId && plan.senderVisibility === SenderVisibility.archived ? now : null;
      this.s.insertMember.run(pk, m.user_id, m.channel_role, hidden, archivedAt, now, now);
    }
  }
}

