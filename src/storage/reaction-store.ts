import { sql, type Kysely, type Selectable } from 'kysely';
import type { ReactionPage, ReactionStore } from '../app/reaction-ports.js';
import type { Reaction } from '../domain/message.js';
import type { ReactionTallies } from '../domain/reaction.js';
import type { DialectCaps } from './dialects/dialect-caps.js';
import { applySort, compileFilter, type FilterTarget } from './filter-compiler.js';
import { chunks, json, jsonObject } from './row-mapping.js';
import type { ReactionsTable, Schema } from './schema.js';

/** queryReactions' fields as columns of `reactions` (domain/filter/reaction-filter-fields.ts). */
const reactionFilterTarget: FilterTarget = {
  table: 'reactions',
  columns: {
    user_id: { column: 'user_id', nullable: false },
    type: { column: 'type', nullable: false },
    created_at: { column: 'created_at', nullable: false },
  },
  customColumn: 'custom',
  // Ties on the sort key page by user, a column of the primary key.
  primaryKey: 'user_id',
};

// A SQLite compound SELECT holds at most 500 parts (SQLITE_MAX_COMPOUND_SELECT); a channel
// page is at most 300 messages, and only those with reactions get here.
const LATEST_PARTS = 250;

const reactionFromRow = (caps: DialectCaps, r: Selectable<ReactionsTable>): Reaction => ({
  message_id: r.message_id,
  type: r.type,
  user_id: r.user_id,
  score: Number(r.score),
  custom: jsonObject(caps, r.custom),
  created_at: Number(r.created_at),
  updated_at: Number(r.updated_at),
});

/**
 * Newest first; reactions of one millisecond (clock.ts reads Date.now) by user, then type: the
 * order of every read here, so that latest_reactions is the first page of GET .../reactions.
 */
const newestFirst = (a: Reaction, b: Reaction): number =>
  b.created_at - a.created_at || (a.user_id < b.user_id ? -1 : a.user_id > b.user_id ? 1 : a.type < b.type ? -1 : a.type > b.type ? 1 : 0);

function groupByMessage(reactions: Reaction[]): Map<string, Reaction[]> {
  const byMessage = new Map<string, Reaction[]>();
  for (const r of reactions) {
    const list = byMessage.get(r.message_id);
    if (list) list.push(r);
    else byMessage.set(r.message_id, [r]);
  }
  return byMessage;
}

export class KyselyReactionStore implements ReactionStore {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly caps: DialectCaps,
  ) {}

  async lockMessage(messageId: string): Promise<boolean> {
    // A row lock where the database has row locks; SQLite's transactions already run one at a time.
    const row = await this.db
      .selectFrom('messages')
      .select('id')
      .where('id', '=', messageId)
      .$if(this.caps.supportsSkipLocked, (q) => q.forUpdate())
      .executeTakeFirst();
    return row !== undefined;
  }

  async ofUser(messageId: string, userId: string): Promise<Reaction[]> {
    // reactions_user (user_id, message_id): a user's few rows on one message.
    const rows = await this.db
      .selectFrom('reactions')
      .selectAll()
      .where('user_id', '=', userId)
      .where('message_id', '=', messageId)
      .execute();
    return rows.map((r) => reactionFromRow(this.caps, r));
  }

  async upsert(r: Reaction): Promise<void> {
    const row = {
      message_id: r.message_id,
      type: r.type,
      user_id: r.user_id,
      score: r.score,
      custom: json(r.custom),
      created_at: r.created_at,
      updated_at: r.updated_at,
    };
    await this.db
      .insertInto('reactions')
      .values(row)
      .onConflict((oc) =>
        oc.columns(['message_id', 'type', 'user_id']).doUpdateSet({ score: row.score, custom: row.custom, updated_at: row.updated_at }),
      )
      .execute();
  }

  async delete(messageId: string, userId: string, types: readonly string[]): Promise<Reaction[]> {
    if (types.length === 0) return [];
    const rows = await this.db
      .deleteFrom('reactions')
      .where('message_id', '=', messageId)
      .where('user_id', '=', userId)
      .where('type', 'in', [...types])
      .returningAll()
      .execute();
    return rows.map((r) => reactionFromRow(this.caps, r));
  }

  async setTallies(messageId: string, tallies: ReactionTallies): Promise<void> {
    await this.db
      .updateTable('messages')
      .set({ reaction_counts: json(tallies.counts), reaction_scores: json(tallies.scores) })
      .where('id', '=', messageId)
      .execute();
  }

  async page(messageId: string, page: ReactionPage): Promise<Reaction[]> {
    let query = this.db
      .selectFrom('reactions')
      .selectAll()
      .where('message_id', '=', messageId)
      .where(compileFilter(page.filter, reactionFilterTarget, this.caps));
    // Newest first by default: reactions_message_recent (message_id, created_at) read backwards.
    query = page.sort.length > 0 ? applySort(query, page.sort, reactionFilterTarget, this.caps) : query.orderBy('created_at', 'desc').orderBy('user_id').orderBy('type');
    const rows = await query.limit(page.limit).offset(page.offset).execute();
    return rows.map((r) => reactionFromRow(this.caps, r));
  }

  async latestFor(messageIds: readonly string[], perMessage: number): Promise<Map<string, Reaction[]>> {
    const found: Reaction[] = [];
    // One top-N probe of reactions_message_recent per message, all in one statement: a window
    // function over the messages' reactions would read every reaction of a popular message
    // (100k claps) to keep 10; LATERAL would do the same as this, but SQLite has none.
    for (const part of chunks([...new Set(messageIds)], LATEST_PARTS)) {
      const probes = part.map(
        (id) => sql`select * from (select * from reactions where message_id = ${id} order by created_at desc, user_id, type limit ${perMessage}) as r`,
      );
      const { rows } = await sql<Selectable<ReactionsTable>>`${sql.join(probes, sql` union all `)}`.execute(this.db);
      found.push(...rows.map((r) => reactionFromRow(this.caps, r)));
    }
    found.sort(newestFirst);
    return groupByMessage(found);
  }

  async ownFor(messageIds: readonly string[], userId: string): Promise<Map<string, Reaction[]>> {
    if (messageIds.length === 0) return new Map();
    // reactions_user (user_id, message_id): the reader's rows on these messages only.
    const rows = await this.db
      .selectFrom('reactions')
      .selectAll()
      .where('user_id', '=', userId)
      .where(this.caps.inTextList(sql.ref('message_id'), [...new Set(messageIds)]))
      .execute();
    return groupByMessage(rows.map((r) => reactionFromRow(this.caps, r)).sort(newestFirst));
  }
}
