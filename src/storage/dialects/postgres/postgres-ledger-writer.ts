import { sql, type Kysely, type Transaction } from 'kysely';
import type { AudienceLease, DeliveryItem, DeliveryPlan, DeliveryResult } from '../../../app/sender-ports.js';
import { SenderMode, SenderVisibility } from '../../../domain/campaign.js';
import { SkipReason, TargetStatus } from '../../../domain/campaign-target.js';
import { emptyResult, LeaseLost, type LedgerWriter } from '../../ledger-writer.js';
import { newChannelMembers } from '../../new-channel-members.js';
import { chunks } from '../../row-mapping.js';
import { KyselyFeedStore } from '../../feed-store.js';
import type { Schema } from '../../schema.js';
import { postgresCaps } from './postgres-caps.js';

type Trx = Transaction<Schema>;

/** Per-channel counter changes of one batch, applied in pk order (a fixed lock order). */
class ChannelBumps {
  private readonly byPk = new Map<number, { messages: number; members: number }>();
  add(pk: number, messages: number, members: number): void {
    const b = this.byPk.get(pk) ?? { messages: 0, members: 0 };
    b.messages += messages;
    b.members += members;
    this.byPk.set(pk, b);
  }
  sorted() {
    return [...this.byPk.entries()].sort((a, b) => a[0] - b[0]);
  }
}

/**
 * PostgreSQL's send-loop writes: a fixed handful of set-based statements per batch, each fed
 * whole arrays through unnest(), whatever the batch size.
 */
export class PostgresLedgerWriter implements LedgerWriter {
  constructor(private readonly db: Kysely<Schema>) {}

  async appendTargets(
    campaignId: string,
    owner: string,
    keys: readonly string[],
    state: AudienceLease & { done: boolean },
    now: number,
    leaseUntil: number,
  ): Promise<boolean> {
    return this.db
      .transaction()
      .execute(async (trx) => {
        const moved = await sql<{ id: string }>`
          with inserted as (
            insert into campaign_targets (campaign_id, target_id, status, updated_at)
            select ${campaignId}, k, 'pending', ${now} from unnest(${[...keys]}::text[]) as k
            on conflict do nothing returning 1
          )
          update campaigns set audience_step = ${state.step}, audience_cursor = ${state.cursor},
            audience_done = ${state.done ? 1 : 0}, audience_locked_until = ${leaseUntil},
            stats_targets_total = stats_targets_total + (select count(*) from inserted)
          where id = ${campaignId} and audience_locked_by = ${owner}
          returning id`.execute(trx);
        // Lost the lease: roll the inserts back; the new owner makes them.
        if (moved.rows.length === 0) throw new LeaseLost();
        return true;
      })
      .catch((error: unknown) => {
        if (error instanceof LeaseLost) return false;
        throw error;
      });
  }

  commit(plan: DeliveryPlan): Promise<DeliveryResult> {
    return this.db.transaction().execute(async (trx) => {
      const result = emptyResult();
      const owned = await this.fence(trx, plan);
      result.lost = plan.items.length - owned.size;
      for (const item of plan.items) {
        if (!owned.has(item.targetId) || !item.outcome) continue;
        if (item.outcome.status === TargetStatus.skipped) result.skipped++;
        else result.failed++;
      }
      const sending = plan.items.filter((i) => owned.has(i.targetId) && !i.outcome);
      if (sending.length > 0) await this.send(trx, plan, sending, result);
      await sql`update campaigns set stats_messages_sent = stats_messages_sent + ${result.sent},
          stats_channels_created = stats_channels_created + ${result.channelsCreated},
          stats_users_sent = stats_users_sent + ${result.usersSent},
          stats_targets_done = stats_targets_done + ${result.sent + result.skipped + result.failed}
        where id = ${plan.campaignId}`.execute(trx);
      // Last, after the channel rows are locked: feed order is then commit order per channel.
      if (result.sent > 0) await new KyselyFeedStore(trx, postgresCaps).append(plan.feed, plan.now);
      return result;
    });
  }

  /** Writes every item's final status where this worker still holds the lease; returns those. */
  private async fence(trx: Trx, plan: DeliveryPlan): Promise<Set<string>> {
    const items = plan.items;
    const rows = await sql<{ target_id: string }>`
      update campaign_targets t set status = x.status, reason = x.reason, error = x.error,
        message_id = x.message_id, channel_cid = x.cid, locked_by = null, locked_until = null, updated_at = ${plan.now}
      from unnest(${items.map((i) => i.targetId)}::text[], ${items.map((i) => i.outcome?.status ?? TargetStatus.sent)}::text[],
        ${items.map((i) => i.outcome?.reason ?? null)}::text[], ${items.map((i) => i.outcome?.error ?? null)}::text[],
        ${items.map((i) => (i.outcome ? null : i.messageId))}::text[], ${items.map((i) => (i.outcome ? null : i.cid))}::text[])
        as x(target_id, status, reason, error, message_id, cid)
      where t.campaign_id = ${plan.campaignId} and t.target_id = x.target_id
        and (t.locked_by is null or t.locked_by = ${plan.owner}) and t.status = 'pending'
      returning t.target_id`.execute(trx);
    return new Set(rows.rows.map((r) => r.target_id));
  }

  private async send(trx: Trx, plan: DeliveryPlan, items: DeliveryItem[], result: DeliveryResult): Promise<void> {
    const created = plan.createChannels ? await this.createChannels(trx, plan, items.filter((i) => i.kind === 'user')) : new Map<string, number>();
    const pkOf = new Map(created);
    const others = [...new Set(items.filter((i) => !created.has(i.cid)).map((i) => i.cid))];
    if (others.length > 0) {
      const found = await sql<{ pk: number; cid: string }>`
        select pk, cid from channels where cid = any(${others}::text[]) and deleted_at is null`.execute(trx);
      for (const r of found.rows) pkOf.set(r.cid, Number(r.pk));
    }
    const missing = items.filter((i) => !pkOf.has(i.cid));
    if (missing.length > 0) {
      await sql`update campaign_targets set status = 'skipped', reason = ${SkipReason.channelMissing}, message_id = null, channel_cid = null
        where campaign_id = ${plan.campaignId} and target_id = any(${missing.map((i) => i.targetId)}::text[])`.execute(trx);
      result.skipped += missing.length;
    }
    const delivered = items.filter((i) => pkOf.has(i.cid));
    // Channels created here were inserted with their final counts; the others are bumped.
    const bumps = new ChannelBumps();
    result.channelsCreated += created.size;
    await this.addMembers(trx, plan, delivered, pkOf, created, bumps);
    if (plan.showChannels) {
      const shown = delivered.filter((i) => i.kind === 'user' && !created.has(i.cid));
      await sql`update channel_members m set hidden = 0, updated_at = ${plan.now}
        from unnest(${shown.map((i) => pkOf.get(i.cid)!)}::bigint[], ${shown.map((i) => i.receiverId!)}::text[]) as x(pk, user_id)
        where m.channel_pk = x.pk and m.user_id = x.user_id and m.hidden = 1`.execute(trx);
    }
    await sql`insert into messages (id, channel_pk, user_id, type, text, attachments, poll_id, custom, campaign_id, created_at, updated_at)
      select x.id, x.pk, ${plan.senderId}, 'regular', x.text, ${plan.message.attachmentsJson}::jsonb, ${plan.message.pollId},
        ${plan.message.customJson}::jsonb, ${plan.campaignId}, ${plan.now}, ${plan.now}
      from unnest(${delivered.map((i) => i.messageId)}::text[], ${delivered.map((i) => pkOf.get(i.cid)!)}::bigint[],
        ${delivered.map((i) => i.text)}::text[]) as x(id, pk, text)`.execute(trx);
    for (const item of delivered) if (!created.has(item.cid)) bumps.add(pkOf.get(item.cid)!, 1, 0);
    const ordered = bumps.sorted();
    if (ordered.length > 0) {
      await sql`update channels c set message_count = c.message_count + x.messages, member_count = c.member_count + x.members,
          last_message_at = ${plan.now}, updated_at = ${plan.now}
        from unnest(${ordered.map(([pk]) => pk)}::bigint[], ${ordered.map(([, b]) => b.messages)}::int[],
          ${ordered.map(([, b]) => b.members)}::int[]) as x(pk, messages, members)
        where c.pk = x.pk`.execute(trx);
    }
    await this.insertWebhooks(trx, plan, delivered, created);
    result.sent += delivered.length;
    result.usersSent += delivered.filter((i) => i.kind === 'user').length + (await this.channelAudience(trx, plan, delivered, pkOf));
  }

  /**
   * Creates the channels of user targets that have none, with their final member and message
   * counts; returns cid → pk of those created here.
   */
  private async createChannels(trx: Trx, plan: DeliveryPlan, items: DeliveryItem[]): Promise<Map<string, number>> {
    const byCid = new Map<string, { item: DeliveryItem; members: Set<string>; messages: number }>();
    for (const item of items) {
      const entry = byCid.get(item.cid) ?? { item, members: new Set<string>(), messages: 0 };
      for (const m of newChannelMembers(plan, item)) entry.members.add(m.user_id);
      entry.messages++;
      byCid.set(item.cid, entry);
    }
    if (byCid.size === 0) return new Map();
    const unique = [...byCid.values()];
    const rows = await sql<{ pk: number; cid: string }>`
      insert into channels (cid, type, id, created_by_id, team, frozen, disabled, member_count, message_count, last_message_at,
        custom, created_at, updated_at)
      select x.cid, x.type, x.id, ${plan.senderId}, ${plan.channel.team}, 0, 0, x.members, x.messages, ${plan.now},
        ${plan.channel.customJson}::jsonb, ${plan.now}, ${plan.now}
      from unnest(${unique.map((u) => u.item.cid)}::text[], ${unique.map((u) => u.item.channelType)}::text[],
        ${unique.map((u) => u.item.channelId)}::text[], ${unique.map((u) => u.members.size)}::int[], ${unique.map((u) => u.messages)}::int[])
        as x(cid, type, id, members, messages)
      on conflict (cid) do nothing
      returning pk, cid`.execute(trx);
    return new Map(rows.rows.map((r) => [r.cid, Number(r.pk)]));
  }

  private async addMembers(
    trx: Trx,
    plan: DeliveryPlan,
    delivered: DeliveryItem[],
    pkOf: Map<string, number>,
    created: Map<string, number>,
    bumps: ChannelBumps,
  ): Promise<void> {
    const rows: Array<{ pk: number; user: string; role: string; hidden: number; archived: number | null }> = [];
    const seen = new Set<string>();
    const push = (pk: number, user: string, role: string, hidden = 0, archived: number | null = null) => {
      const key = `${pk}\u0000${user}`;
      if (seen.has(key)) return;
      seen.add(key);
      rows.push({ pk, user, role, hidden, archived });
    };
    for (const item of delivered) {
      const pk = pkOf.get(item.cid)!;
      if (created.has(item.cid)) {
        for (const m of newChannelMembers(plan, item)) {
          const isSender = m.user_id === plan.senderId;
          push(pk, m.user_id, m.channel_role, isSender && plan.senderVisibility === SenderVisibility.hidden ? 1 : 0,
            isSender && plan.senderVisibility === SenderVisibility.archived ? plan.now : null);
        }
      } else if (plan.senderMode === SenderMode.include) {
        push(pk, plan.senderId, 'channel_member');
      }
    }
    if (rows.length === 0) return;
    const added = await sql<{ channel_pk: number }>`
      insert into channel_members (channel_pk, user_id, channel_role, hidden, archived_at, banned, notifications_muted, created_at, updated_at)
      select x.pk, x.user_id, x.role, x.hidden, x.archived, 0, 0, ${plan.now}, ${plan.now}
      from unnest(${rows.map((r) => r.pk)}::bigint[], ${rows.map((r) => r.user)}::text[], ${rows.map((r) => r.role)}::text[],
        ${rows.map((r) => r.hidden)}::int[], ${rows.map((r) => r.archived)}::bigint[]) as x(pk, user_id, role, hidden, archived)
      on conflict do nothing
      returning channel_pk`.execute(trx);
    // Rows of created channels are in their member_count already.
    const createdPks = new Set(created.values());
    for (const r of added.rows) if (!createdPks.has(Number(r.channel_pk))) bumps.add(Number(r.channel_pk), 0, 1);
  }

  /** The webhook events of the batch's sends, in its transaction (the outbox's rule). */
  private async insertWebhooks(trx: Trx, plan: DeliveryPlan, delivered: DeliveryItem[], created: Map<string, number>): Promise<void> {
    const announced = new Set<string>();
    const rows = delivered.flatMap((item) => {
      if (!item.webhooks) return [];
      const first = created.has(item.cid) && !announced.has(item.cid);
      if (first) announced.add(item.cid);
      return first ? [...item.webhooks.ifCreated, ...item.webhooks.always] : item.webhooks.always;
    });
    // Plain bound parameters, not unnest(): a text[] literal of thousands of JSON bodies
    // costs more to escape and parse than the rows cost to insert.
    for (const slice of chunks(rows, 2000)) {
      await trx
        .insertInto('webhook_outbox')
        .values(slice.map((r) => ({ ...r, next_attempt_at: plan.now, created_at: plan.now, updated_at: plan.now })))
        .execute();
    }
  }

  /** Users reached through channel targets: each channel's members other than the sender. */
  private async channelAudience(trx: Trx, plan: DeliveryPlan, delivered: DeliveryItem[], pkOf: Map<string, number>): Promise<number> {
    const pks = delivered.filter((i) => i.kind === 'channel').map((i) => pkOf.get(i.cid)!);
    if (pks.length === 0) return 0;
    const row = await sql<{ n: number }>`select count(*)::int as n from channel_members
      where channel_pk = any(${pks}::bigint[]) and user_id <> ${plan.senderId}`.execute(trx);
    return Number(row.rows[0]?.n ?? 0);
  }
}

