import type { Statement } from 'better-sqlite3';
import { TargetStatus } from '../../../domain/campaign-target.js';
import type { SqliteHandle } from './open-sqlite.js';

/**
 * The send loop's statements on SQLite, prepared once per connection and run inside one
 * synchronous transaction per batch. Costs are per target of a 100k-target send on the 2-core
 * bench machine (docs/benchmarks.md): the whole commit is ~14 µs a target, of which the
 * message, channel and member inserts are the floor's own statements.
 */
export function prepareSendStatements(raw: SqliteHandle) {
  const p = (source: string): Statement<unknown[]> => raw.prepare(source);
  return {
    /**
     * The next pending targets, in id order: a range of the partial index
     * campaign_targets_ready (campaign_id, target_id) WHERE status = 'pending' AND
     * deferred_until IS NULL, which done rows leave, so a claim never walks past what was sent. A read, not a lease: SQLite has
     * one writer and one sender; the commit's fence keeps exactly-once anyway.
     */
    // The status is spelled out, not bound: a partial index is usable only when the query
    // implies its WHERE, which SQLite can see from a literal at prepare time (from a bound
    // parameter it must re-prepare the statement to see it).
    // INDEXED BY: without statistics of the ledger SQLite takes the primary key instead, and
    // every claim walks the campaign's sent rows first (1M targets: 24k → 17k/s).
    claim: p(`select target_id from campaign_targets indexed by campaign_targets_ready
      where campaign_id = ? and status = '${TargetStatus.pending}' and deferred_until is null order by target_id limit ?`),
    /**
     * Deferred targets whose delivery window has opened, by due time: a range of the partial
     * index campaign_targets_deferred (campaign_id, deferred_until, target_id) WHERE status =
     * 'pending' AND deferred_until IS NOT NULL, so a million targets waiting for tomorrow cost
     * one index probe a claim, not a scan.
     */
    claimDue: p(`select target_id from campaign_targets indexed by campaign_targets_deferred
      where campaign_id = ? and status = '${TargetStatus.pending}' and deferred_until is not null and deferred_until <= ?
      order by deferred_until, target_id limit ?`),
    /** A target outside its delivery window waits, pending, until it opens (by primary key). */
    defer: p(`update campaign_targets set deferred_until = ?, updated_at = ? where campaign_id = ? and target_id = ? and status = ?`),
    /** A campaign's own id list into its ledger: one primary-key insert per target. */
    appendTarget: p(`insert into campaign_targets (campaign_id, target_id, status, updated_at) values (?, ?, ?, ?) on conflict do nothing`),
    /** The expansion's saved state, fenced by its lease owner: 0 rows when the lease was lost. */
    advance: p(`update campaigns set audience_step = ?, audience_cursor = ?, audience_done = ?,
      audience_locked_until = ?, stats_targets_total = stats_targets_total + ? where id = ? and audience_locked_by = ?`),
    /**
     * A target's final state, by primary key, fenced on still being pending: a row another
     * writer finished is left alone (0 changes).
     */
    finish: p(`update campaign_targets set status = ?, reason = ?, error = ?, message_id = ?, channel_cid = ?,
      locked_by = null, locked_until = null, updated_at = ? where campaign_id = ? and target_id = ? and status = ?`),
    /** A sent target whose channel turned out missing: its final outcome instead (we own the row). */
    reclassify: p(`update campaign_targets set status = ?, reason = ?, error = ?, message_id = null, channel_cid = null
      where campaign_id = ? and target_id = ?`),
    /** The channel, by its unique cid index. */
    channel: p(`select pk from channels where cid = ? and deleted_at is null`),
    /**
     * A new channel with its final member and message counts: one insert, no later update.
     * Returns nothing when the cid exists (the caller then looks it up).
     */
    insertChannel: p(`insert into channels (cid, type, id, created_by_id, team, frozen, disabled, member_count,
      message_count, last_message_at, custom, created_at, updated_at)
      values (?, ?, ?, ?, ?, 0, 0, ?, 1, ?, ?, ?, ?) on conflict (cid) do nothing returning pk`),
    /** A member, by the primary key (channel_pk, user_id); an existing member is kept. */
    insertMember: p(`insert into channel_members (channel_pk, user_id, channel_role, hidden, archived_at, banned,
      notifications_muted, created_at, updated_at) values (?, ?, ?, ?, ?, 0, 0, ?, ?) on conflict do nothing`),
    unhide: p(`update channel_members set hidden = 0, updated_at = ? where channel_pk = ? and user_id = ? and hidden = 1`),
    /** The users a channel target reaches: its members other than the sender (primary key prefix). */
    reach: p(`select count(*) as n from channel_members where channel_pk = ? and user_id != ?`),
    /** The message: its UUIDv7 id appends to the primary key B-tree. */
    insertMessage: p(`insert into messages (id, channel_pk, user_id, type, text, attachments, poll_id, custom,
      campaign_id, created_at, updated_at, silent) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    /** An existing channel's counters, by primary key. */
    bumpChannel: p(`update channels set message_count = message_count + 1, member_count = member_count + ?,
      last_message_at = ?, updated_at = ? where pk = ?`),
    /** A webhook delivery, in the send's transaction (the outbox's rule). */
    outbox: p(`insert into webhook_outbox (id, hook_url, event_type, ordering_key, body, body_format, status, attempts,
      next_attempt_at, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)`),
    /** The campaign's stats, once per batch. */
    stats: p(`update campaigns set stats_messages_sent = stats_messages_sent + ?,
      stats_channels_created = stats_channels_created + ?, stats_users_sent = stats_users_sent + ?,
      stats_targets_done = stats_targets_done + ?, stats_targets_deferred = stats_targets_deferred + ? where id = ?`),
    /** The throttle's buckets (domain/rate-bucket.ts), by primary key, in their own short transaction. */
    bucket: p(`select tokens, updated_at from send_rate_buckets where key = ?`),
    saveBucket: p(`insert into send_rate_buckets (key, tokens, updated_at) values (?, ?, ?)
      on conflict (key) do update set tokens = excluded.tokens, updated_at = excluded.updated_at`),
    /** The batch's chat feed row (domain/feed.ts), last. */
    feed: p(`insert into chat_feed (kind, body, created_at) values (?, ?, ?)`),
  };
}

export type SendStatements = ReturnType<typeof prepareSendStatements>;
