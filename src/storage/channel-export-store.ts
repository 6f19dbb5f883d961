import type { Kysely } from 'kysely';
import type { ChannelExportStore, ExportFile, ExportMessagePage } from '../app/channel-management-ports.js';
import type { Channel } from '../domain/channel.js';
import type { Message } from '../domain/message.js';
import { channelFromRow } from './channel-store.js';
import type { DialectCaps } from './dialects/dialect-caps.js';
import { messageFromRow } from './message-store.js';
import type { Schema } from './schema.js';

export class KyselyChannelExportStore implements ChannelExportStore {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly caps: DialectCaps,
  ) {}

  async insert(file: ExportFile): Promise<void> {
    await this.db.insertInto('channel_exports').values(file).execute();
  }

  async get(taskId: string): Promise<ExportFile | undefined> {
    return this.db.selectFrom('channel_exports').selectAll().where('task_id', '=', taskId).executeTakeFirst();
  }

  async channel(cid: string, includeDeleted: boolean): Promise<Channel | undefined> {
    let q = this.db.selectFrom('channels').selectAll().where('cid', '=', cid);
    if (!includeDeleted) q = q.where('deleted_at', 'is', null);
    const row = await q.executeTakeFirst();
    return row && channelFromRow(this.caps, row);
  }

  async messages(cid: string, page: ExportMessagePage): Promise<Message[]> {
    let q = this.db
      .selectFrom('messages')
      .innerJoin('channels', 'channels.pk', 'messages.channel_pk')
      .selectAll('messages')
      .select('channels.cid')
      .where('channels.cid', '=', cid);
    if (page.after !== null) q = q.where('messages.id', '>', page.after);
    if (page.since !== undefined) q = q.where('messages.created_at', '>=', page.since);
    if (page.until !== undefined) q = q.where('messages.created_at', '<=', page.until);
    const rows = await q.orderBy('messages.id').limit(page.limit).execute();
    return rows.map((r) => messageFromRow(this.caps, r));
  }
}
