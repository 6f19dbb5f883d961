import { sql, type Kysely } from 'kysely';
import type { MessageQueryStore, MessageSearch, PinnedPage, ReplyPage } from '../app/message-query-ports.js';
import type { Channel } from '../domain/channel.js';
import type { Message } from '../domain/message.js';
import { channelFromRow } from './channel-store.js';
import type { DialectCaps } from './dialects/dialect-caps.js';
import { applySort, channelFilterTarget, channelFilterTargetFor, compileFilter, messageFilterTarget } from './filter-compiler.js';
import { messageFromRow, selectMessages } from './message-store.js';
import type { Schema } from './schema.js';

/**
 * Threads, pins and search. Replies page by (parent_id, id) on `messages_parent`; a channel's
 * pins are the few rows of the partial index `messages_pinned`. Search has no full-text index:
 * it reads the messages of the channels that match, in their `messages_channel` order, and
 * tests each one's text (LIKE / ILIKE), so its cost grows with the messages of those channels.
 */
export class KyselyMessageQueryStore implements MessageQueryStore {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly caps: DialectCaps,
  ) {}

  private select() {
    return selectMessages(this.db);
  }

  async replies(parentId: string, page: ReplyPage): Promise<Message[]> {
    let q = this.select().where('messages.parent_id', '=', parentId).where('messages.deleted_at', 'is', null);
    if (page.id_lt) q = q.where('messages.id', '<', page.id_lt);
    if (page.id_lte) q = q.where('messages.id', '<=', page.id_lte);
    if (page.id_gt) q = q.where('messages.id', '>', page.id_gt);
    if (page.id_gte) q = q.where('messages.id', '>=', page.id_gte);
    if (page.created_at_before !== undefined) q = q.where('messages.created_at', '<', page.created_at_before);
    if (page.created_at_before_or_equal !== undefined) q = q.where('messages.created_at', '<=', page.created_at_before_or_equal);
    if (page.created_at_after !== undefined) q = q.where('messages.created_at', '>', page.created_at_after);
    if (page.created_at_after_or_equal !== undefined) q = q.where('messages.created_at', '>=', page.created_at_after_or_equal);
    // A lower bound reads on from it (the next page); an upper bound, or `newest`, reads back
    // from the end (the previous page); either way the page is returned oldest first.
    const lower = Boolean(page.id_gt || page.id_gte) || page.created_at_after !== undefined || page.created_at_after_or_equal !== undefined;
    const upper = Boolean(page.id_lt || page.id_lte) || page.created_at_before !== undefined || page.created_at_before_or_equal !== undefined;
    const forward = lower || (!upper && !page.newest);
    const rows = await q.orderBy('messages.id', forward ? 'asc' : 'desc').limit(page.limit).execute();
    if (!forward) rows.reverse();
    return rows.map((r) => messageFromRow(this.caps, r));
  }

  async pinned(cid: string, page: PinnedPage): Promise<Message[]> {
    let q = this.select()
      .where('channels.cid', '=', cid)
      .where('messages.pinned_at', 'is not', null)
      .where('messages.deleted_at', 'is', null)
      .where((eb) => eb.or([eb('messages.pin_expires', 'is', null), eb('messages.pin_expires', '>', page.now)]));
    if (page.pinned_at_before !== undefined) q = q.where('messages.pinned_at', '<', page.pinned_at_before);
    if (page.pinned_at_before_or_equal !== undefined) q = q.where('messages.pinned_at', '<=', page.pinned_at_before_or_equal);
    if (page.pinned_at_after !== undefined) q = q.where('messages.pinned_at', '>', page.pinned_at_after);
    if (page.pinned_at_after_or_equal !== undefined) q = q.where('messages.pinned_at', '>=', page.pinned_at_after_or_equal);
    const direction = page.direction === 1 ? 'asc' : 'desc';
    const rows = await q.orderBy('messages.pinned_at', direction).orderBy('messages.id', direction).limit(page.limit).offset(page.offset).execute();
    return rows.map((r) => messageFromRow(this.caps, r));
  }

  async search(search: MessageSearch): Promise<Array<{ message: Message; channel: Channel }>> {
    const { memberId } = search;
    const channelTarget = memberId === undefined ? channelFilterTarget : channelFilterTargetFor(memberId);
    let q = this.select()
      .where('channels.deleted_at', 'is', null)
      .where('messages.deleted_at', 'is', null)
      .where(compileFilter(search.channelFilter, channelTarget, this.caps))
      .where(compileFilter(search.messageFilter, messageFilterTarget, this.caps));
    if (memberId !== undefined) {
      q = q.where((eb) =>
        eb.exists(
          eb
            .selectFrom('channel_members')
            .select('channel_members.channel_pk')
            .whereRef('channel_members.channel_pk', '=', 'channels.pk')
            .where('channel_members.user_id', '=', memberId),
        ),
      );
    }
    const rows = await applySort(q, search.sort, messageFilterTarget, this.caps).limit(search.limit).offset(search.offset).execute();
    if (rows.length === 0) return [];
    const cids = [...new Set(rows.map((r) => r.cid))];
    const channels = await this.db.selectFrom('channels').selectAll().where(this.caps.inTextList(sql.ref('cid'), cids)).execute();
    const byCid = new Map(channels.map((c) => [c.cid, channelFromRow(this.caps, c)]));
    // A channel hard-deleted between the two reads takes its messages with it.
    return rows.flatMap((r) => {
      const channel = byCid.get(r.cid);
      return channel ? [{ message: messageFromRow(this.caps, r), channel }] : [];
    });
  }
}
