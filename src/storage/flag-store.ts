import { sql, type Kysely, type Selectable, type SqlBool } from 'kysely';
import type { FlagPage, FlagRow, FlagStore } from '../app/flag-ports.js';
import type { FilterNode } from '../domain/filter/filter-ast.js';
import { FlagEntityType, FlagTarget, type Flag } from '../domain/flag.js';
import type { DialectCaps } from './dialects/dialect-caps.js';
import { applySort, compileFilter, type FilterTarget } from './filter-compiler.js';
import { json, jsonObject } from './row-mapping.js';
import type { FlagsTable, Schema } from './schema.js';

const notNull = (column: string) => ({ column, nullable: false });
const nullable = (column: string) => ({ column, nullable: true });

/**
 * The flag query fields (domain/filter/flag-filter-fields.ts) as columns of the `f` view that
 * query() builds: flags joined to the flagged message and its channel.
 */
const flagFilterTarget: FilterTarget = {
  table: 'f',
  columns: {
    user_id: nullable('entity_creator_id'),
    reporter_id: notNull('user_id'),
    message_id: nullable('message_id'),
    message_user_id: nullable('message_user_id'),
    channel_cid: nullable('channel_cid'),
    reason: nullable('reason'),
    is_reviewed: notNull('is_reviewed'),
    entity_type: notNull('entity_type'),
    entity_id: notNull('target_id'),
    entity_creator_id: nullable('entity_creator_id'),
    created_at: notNull('created_at'),
  },
  customColumn: 'custom',
  primaryKey: 'id',
};

const flagFromRow = (caps: DialectCaps, r: Selectable<FlagsTable>): Flag => ({
  id: r.id,
  target_type: r.target_type as FlagTarget,
  target_id: r.target_id,
  user_id: r.user_id,
  reason: r.reason,
  custom: jsonObject(caps, r.custom),
  created_at: Number(r.created_at),
  updated_at: Number(r.updated_at),
  reviewed_at: r.reviewed_at === null ? null : Number(r.reviewed_at),
  reviewed_by_id: r.reviewed_by_id,
});

export class KyselyFlagStore implements FlagStore {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly caps: DialectCaps,
  ) {}

  async insert(f: Flag): Promise<boolean> {
    const result = await this.db
      .insertInto('flags')
      .values({
        id: f.id,
        target_type: f.target_type,
        target_id: f.target_id,
        user_id: f.user_id,
        reason: f.reason,
        custom: json(f.custom),
        review_result: null,
        reviewed_by_id: f.reviewed_by_id,
        reviewed_at: f.reviewed_at,
        created_at: f.created_at,
        updated_at: f.updated_at,
      })
      // flags_target is unique over (target_type, target_id, user_id): one flag per flagger.
      .onConflict((oc) => oc.columns(['target_type', 'target_id', 'user_id']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async delete(targetType: FlagTarget, targetId: string, userId: string): Promise<Flag | undefined> {
    const [row] = await this.db
      .deleteFrom('flags')
      .where('target_type', '=', targetType)
      .where('target_id', '=', targetId)
      .where('user_id', '=', userId)
      .returningAll()
      .execute();
    return row && flagFromRow(this.caps, row);
  }

  async countFor(targetType: FlagTarget, targetId: string): Promise<number> {
    // A prefix of flags_target: the target's flags only.
    const row = await this.db
      .selectFrom('flags')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('target_type', '=', targetType)
      .where('target_id', '=', targetId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async query(page: FlagPage): Promise<FlagRow[]> {
    let query = this.db
      .selectFrom(this.view())
      .selectAll()
      .where(compileFilter(page.filter, flagFilterTarget, this.caps))
      .$if(page.messagesOnly, (q) => q.where('f.target_type', '=', FlagTarget.message));
    query = page.sort.length > 0 ? applySort(query, page.sort, flagFilterTarget, this.caps) : query.orderBy('f.created_at', 'desc').orderBy('f.id');
    const rows = await query.limit(page.limit).offset(page.offset).execute();
    return rows.map((r) => ({
      ...flagFromRow(this.caps, r as unknown as Selectable<FlagsTable>),
      message_user_id: r.message_user_id ?? null,
      channel_cid: r.channel_cid ?? null,
    }));
  }

  async count(filter: FilterNode): Promise<number> {
    const row = await this.db
      .selectFrom(this.view())
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where(compileFilter(filter, flagFilterTarget, this.caps))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /**
   * The view the filters read: one row per flag, with what it says of the flagged content.
   * Both databases flatten it into the outer query, so filters on flags' columns use its indexes.
   */
  private view() {
    const isMessage = sql<SqlBool>`flags.target_type = ${sql.lit(FlagTarget.message)}`;
    return this.db
      .selectFrom('flags')
      .leftJoin('messages', (join) => join.onRef('messages.id', '=', 'flags.target_id').on(isMessage))
      .leftJoin('channels', 'channels.pk', 'messages.channel_pk')
      .selectAll('flags')
      .select([
        'messages.user_id as message_user_id',
        'channels.cid as channel_cid',
        sql<string | null>`case when ${isMessage} then flags.target_id end`.as('message_id'),
        sql<string>`case when ${isMessage} then ${sql.lit(FlagEntityType.message)} else ${sql.lit(FlagEntityType.user)} end`.as('entity_type'),
        sql<string | null>`case when ${isMessage} then messages.user_id else flags.target_id end`.as('entity_creator_id'),
        sql<number>`case when flags.reviewed_at is null then 0 else 1 end`.as('is_reviewed'),
      ])
      .as('f');
  }
}
