import { sql, type Kysely, type Selectable } from 'kysely';
import type { MessagePage, MessageStore } from '../app/ports.js';
import { MessageType, type Message } from '../domain/message.js';
import type { DialectCaps } from './dialects/dialect-caps.js';
import { flag, json, jsonArray, jsonObject } from './row-mapping.js';
import type { MessagesTable, Schema } from './schema.js';

export type MessageRow = Selectable<MessagesTable> & { cid: string };

export const messageFromRow = (caps: DialectCaps, r: MessageRow): Message => ({
  id: r.id,
  cid: r.cid,
  user_id: r.user_id,
  type: r.type,
  text: r.text,
  attachments: jsonArray(caps, r.attachments),
  poll_id: r.poll_id,
  custom: jsonObject(caps, r.custom),
  campaign_id: r.campaign_id,
  created_at: r.created_at,
  updated_at: r.updated_at,
  deleted_at: r.deleted_at,
  text_updated_at: r.text_updated_at,
  parent_id: r.parent_id,
  show_in_channel: r.show_in_channel === 1,
  reply_count: r.reply_count,
  quoted_message_id: r.quoted_message_id,
  silent: r.silent === 1,
  shadowed: r.shadowed === 1,
  pinned_at: r.pinned_at,
  pinned_by_id: r.pinned_by_id,
  pin_expires: r.pin_expires,
  reaction_counts: jsonObject(caps, r.reaction_counts) as Record<string, number>,
  reaction_scores: jsonObject(caps, r.reaction_scores) as Record<string, number>,
});

/** Messages with their channel's cid: every read of messages starts here. */
export const selectMessages = (db: Kysely<Schema>) =>
  db.selectFrom('messages').innerJoin('channels', 'channels.pk', 'messages.channel_pk').selectAll('messages').select('channels.cid');

export class KyselyMessageStore implements MessageStore {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly caps: DialectCaps,
  ) {}

  private select() {
    return selectMessages(this.db);
  }

  async insert(m: Message): Promise<void> {
    const channel = await this.db.selectFrom('channels').select('pk').where('cid', '=', m.cid).executeTakeFirstOrThrow();
    await this.db
      .insertInto('messages')
      .values({
        id: m.id,
        channel_pk: channel.pk,
        user_id: m.user_id,
        type: m.type,
        text: m.text,
        attachments: json(m.attachments),
        poll_id: m.poll_id,
        custom: json(m.custom),
        campaign_id: m.campaign_id,
        created_at: m.created_at,
        updated_at: m.updated_at,
        deleted_at: null,
        parent_id: m.parent_id ?? null,
        show_in_channel: flag(m.show_in_channel ?? false),
        quoted_message_id: m.quoted_message_id ?? null,
        silent: flag(m.silent ?? false),
        shadowed: flag(m.shadowed ?? false),
        pinned_at: m.pinned_at ?? null,
        pinned_by_id: m.pinned_by_id ?? null,
        pin_expires: m.pin_expires ?? null,
      })
      .execute();
    await this.db
      .updateTable('channels')
      .set((eb) => ({ message_count: eb('message_count', '+', 1), last_message_at: m.created_at, updated_at: m.created_at }))
      .where('pk', '=', channel.pk)
      .execute();
  }

  async get(id: string): Promise<Message | undefined> {
    const row = await this.select().where('messages.id', '=', id).executeTakeFirst();
    return row && messageFromRow(this.caps, row);
  }

  async batchGet(cid: string, ids: readonly string[]): Promise<Message[]> {
    if (ids.length === 0) return [];
    const rows = await this.select()
      .where('channels.cid', '=', cid)
      .where('messages.id', 'in', [...ids])
      .orderBy('messages.id')
      .execute();
    return rows.map((r) => messageFromRow(this.caps, r));
  }

  async history(cid: string, page: MessagePage): Promise<Message[]> {
    let q = this.select()
      .where('channels.cid', '=', cid)
      .where('messages.deleted_at', 'is', null)
      // A thread reply shows in the channel only when sent with show_in_channel.
      .where((eb) => eb.or([eb('messages.parent_id', 'is', null), eb('messages.show_in_channel', '=', 1)]));
    if (page.id_lt) q = q.where('messages.id', '<', page.id_lt);
    if (page.id_lte) q = q.where('messages.id', '<=', page.id_lte);
    if (page.id_gt) q = q.where('messages.id', '>', page.id_gt);
    if (page.id_gte) q = q.where('messages.id', '>=', page.id_gte);
    // Paging forward (id_gt) reads the oldest first; otherwise the newest page, returned oldest-first.
    const forward = Boolean(page.id_gt || page.id_gte);
    const rows = await q.orderBy('messages.id', forward ? 'asc' : 'desc').limit(page.limit).execute();
    if (!forward) rows.reverse();
    return rows.map((r) => messageFromRow(this.caps, r));
  }

  async update(m: Message): Promise<void> {
    await this.db
      .updateTable('messages')
      .set({
        type: m.type,
        text: m.text,
        attachments: json(m.attachments),
        poll_id: m.poll_id,
        custom: json(m.custom),
        updated_at: m.updated_at,
        deleted_at: m.deleted_at,
        text_updated_at: m.text_updated_at ?? null,
        show_in_channel: flag(m.show_in_channel ?? false),
        quoted_message_id: m.quoted_message_id ?? null,
        pinned_at: m.pinned_at ?? null,
        pinned_by_id: m.pinned_by_id ?? null,
        pin_expires: m.pin_expires ?? null,
      })
      .where('id', '=', m.id)
      .execute();
  }

  async remove(id: string): Promise<boolean> {
    const removed = await this.db.deleteFrom('messages').where('id', '=', id).returning('channel_pk').executeTakeFirst();
    if (!removed) return false;
    // Its reactions go with it (reactions_pkey leads with message_id).
    await this.db.deleteFrom('reactions').where('message_id', '=', id).execute();
    await this.db
      .updateTable('channels')
      .set((eb) => ({ message_count: eb('message_count', '-', 1) }))
      .where('pk', '=', removed.channel_pk)
      .where('message_count', '>', 0)
      .execute();
    return true;
  }

  async adjustReplyCount(parentId: string, delta: number): Promise<void> {
    await this.db
      .updateTable('messages')
      .set((eb) => ({ reply_count: eb('reply_count', '+', delta) }))
      .where('id', '=', parentId)
      .execute();
  }

  async batchDeleteByUsers(userIds: readonly string[], mode: 'soft' | 'hard', now: number): Promise<void> {
    if (userIds.length === 0) return;
    if (mode === 'hard') {
      await this.db.deleteFrom('messages').where('user_id', 'in', [...userIds]).execute();
    } else {
      await this.db
        .updateTable('messages')
        .set({ deleted_at: now, updated_at: now })
        .where('user_id', 'in', [...userIds])
        .where('deleted_at', 'is', null)
        .execute();
    }
  }

  async byIds(ids: readonly string[]): Promise<Message[]> {
    if (ids.length === 0) return [];
    const rows = await this.select().where('messages.id', 'in', [...ids]).orderBy('messages.id').execute();
    return rows.map((r) => messageFromRow(this.caps, r));
  }

  async recall(ids: readonly string[], now: number): Promise<Message[]> {
    if (ids.length === 0) return [];
    const deleted = await this.db
      .updateTable('messages')
      .set({ type: MessageType.deleted, deleted_at: now, updated_at: now })
      .where('id', 'in', [...ids])
      .where('deleted_at', 'is', null)
      .returning('id')
      .execute();
    return this.byIds(deleted.map((r) => r.id));
  }

  async edit(texts: ReadonlyMap<string, string>, content: { attachments: unknown[]; custom: Record<string, unknown> }, now: number): Promise<Message[]> {
    const changed: string[] = [];
    const attachments = json(content.attachments);
    const custom = json(content.custom);
    // One primary-key update a message: texts differ per receiver.
    for (const [id, text] of texts) {
      const result = await this.db
        .updateTable('messages')
        .set({ text, attachments, custom, text_updated_at: now, updated_at: now })
        .where('id', '=', id)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) > 0) changed.push(id);
    }
    return this.byIds(changed);
  }

  async batchOfCampaign(campaignId: string, range: { firstId: string; lastId: string; afterId?: string; limit: number }): Promise<Message[]> {
    // A range of the primary key: the batch's ids are one block (IdGenerator.block), so the
    // range holds them and, from other writers, nothing of this campaign. The campaign is
    // checked through coalesce() so that no planner walks messages_campaign instead: SQLite
    // did, reading every message of the campaign so far and sorting them for each part
    // (4.3 ms a part at 10,000 messages and growing with the campaign; the range: 1 ms).
    const rows = await this.select()
      .where('messages.id', range.afterId === undefined ? '>=' : '>', range.afterId ?? range.firstId)
      .where('messages.id', '<=', range.lastId)
      .where(sql`coalesce(messages.campaign_id, '')`, '=', campaignId)
      .orderBy('messages.id')
      .limit(range.limit)
      .execute();
    return rows.map((r) => messageFromRow(this.caps, r));
  }
}
