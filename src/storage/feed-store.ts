import { sql, type Kysely, type Selectable } from 'kysely';
import type { FeedStore } from '../app/ports.js';
import type { FeedEntry, FeedRow } from '../domain/feed.js';
import type { DialectCaps } from './dialects/dialect-caps.js';
import type { ChatFeedTable, Schema } from './schema.js';

/** The channel every API process LISTENs on for committed feed rows (PostgreSQL). */
export const FEED_CHANNEL = 'herald_feed';

const fromRow = (r: Selectable<ChatFeedTable>): FeedRow => ({
  seq: Number(r.seq),
  entry: JSON.parse(r.body) as FeedEntry,
  created_at: r.created_at,
});

/**
 * The chat feed (domain/feed.ts). Every statement here walks the primary key: appends go to
 * its end, readers range-scan from their cursor, and the pruner cuts from its start.
 */
export class KyselyFeedStore implements FeedStore {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly caps: DialectCaps,
    /** Set when this store (one transaction's) appended: the commit must wake readers. */
    private readonly onAppend?: () => void,
  ) {}

  async append(entry: FeedEntry, now: number): Promise<void> {
    const body = JSON.stringify(entry);
    if (this.caps.notifyOnCommit) {
      // One statement: the row and its NOTIFY, which PostgreSQL holds back until commit (and
      // drops on rollback), delivering notifications in commit order.
      await sql`with f as (insert into chat_feed (kind, body, created_at) values (${entry.kind}, ${body}, ${now}) returning seq)
        select pg_notify(${FEED_CHANNEL}, seq::text) from f`.execute(this.db);
      return;
    }
    await this.db.insertInto('chat_feed').values({ kind: entry.kind, body, created_at: now }).execute();
    this.onAppend?.();
  }

  async readAfter(seq: number, limit: number): Promise<FeedRow[]> {
    const rows = await this.db.selectFrom('chat_feed').selectAll().where('seq', '>', seq).orderBy('seq').limit(limit).execute();
    return rows.map(fromRow);
  }

  async batchGet(seqs: readonly number[]): Promise<FeedRow[]> {
    if (seqs.length === 0) return [];
    const rows = await this.db.selectFrom('chat_feed').selectAll().where('seq', 'in', [...seqs]).orderBy('seq').execute();
    return rows.map(fromRow);
  }

  async latestSeq(): Promise<number> {
    const row = await this.db.selectFrom('chat_feed').select((eb) => eb.fn.max('seq').as('seq')).executeTakeFirst();
    return Number(row?.seq ?? 0);
  }

  async prune(before: number): Promise<number> {
    // Rows are appended in time order, so the expired ones are a prefix of the key: the
    // subquery walks the key from the start to the first live row, never the whole table.
    // The newest row always stays, so that latestSeq() never goes back to 0.
    const firstLive = this.db.selectFrom('chat_feed').select('seq').where('created_at', '>=', before).orderBy('seq').limit(1);
    const newest = this.db.selectFrom('chat_feed').select((eb) => eb.fn.max('seq').as('seq'));
    const result = await this.db
      .deleteFrom('chat_feed')
      .where((eb) => eb('seq', '<', eb.fn.coalesce(firstLive, newest)))
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
