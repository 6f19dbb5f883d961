import { sql, type Expression, type Kysely, type RawBuilder, type SelectQueryBuilder, type SqlBool } from 'kysely';
import type { Campaign } from '../domain/campaign.js';
import { TargetStatus } from '../domain/campaign-target.js';
import type { DialectCaps } from './dialects/dialect-caps.js';
import type { Schema } from './schema.js';
import { segmentSource, type SegmentSource } from './sender/segment-page.js';

/**
 * A campaign's audience as rows to count and page, built from the sender's own sources
 * (sender/segment-page.ts): its user_ids, or each of its segments, de-duplicated.
 */
export interface AudienceSources {
  /** Each segment id with its source; none for a deleted segment (expansion skips it too). */
  segments: Array<{ id: string; source: SegmentSource | undefined }>;
  /** user_ids, each once: the ledger's key keeps one row per target for the sender too. */
  ids: string[];
  /**
   * Set when every source reads the users table (filter and all_users segments): the union of
   * the segments is then the users passing any of their filters, one scan with nothing to
   * de-duplicate, and each target's user row is at hand without a join.
   */
  usersOnly: { filter: Expression<SqlBool> | null } | null;
}

export async function audienceSources(db: Kysely<Schema>, caps: DialectCaps, campaign: Campaign): Promise<AudienceSources> {
  const segments = await Promise.all(campaign.segment_ids.map(async (id) => ({ id, source: await segmentSource(db, caps, campaign, id) })));
  const live = segments.flatMap((s) => (s.source ? [s.source] : []));
  const ids = [...new Set(campaign.user_ids)];
  const usersOnly =
    ids.length === 0 && live.length > 0 && live.every((s) => s.users)
      ? { filter: live.some((s) => s.users!.filter === null) ? null : anyOf(live.map((s) => s.users!.filter!)) }
      : null;
  return { segments, ids, usersOnly };
}

const targetOf = (alias: string) => sql<string>`${sql.ref(`${alias}.target`)}`.as('target');

const anyOf = (wheres: Expression<SqlBool>[]): Expression<SqlBool> =>
  wheres.length === 1 ? wheres[0] : sql<SqlBool>`(${sql.join(wheres, sql` or `)})`;

/** Rows of one keyset page (target order, after `after`), or of some target ids; null: all of them. */
export type Restriction = { after: string | null; limit: number } | { ids: readonly string[] } | null;

/** The audience's rows: `target`, with the target's user row as `users` (all NULL when it is none). */
export interface AudienceRows {
  query: SelectQueryBuilder<any, any, object>;
  target: RawBuilder<string>;
  /** The rows come straight from users (usersOnly): every target is a user, never a channel. */
  direct: boolean;
}

export class AudienceRowsBuilder {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly caps: DialectCaps,
  ) {}

  /** The rows, or null for an audience without sources. */
  rows(sources: AudienceSources, restriction: Restriction): AudienceRows | null {
    if (sources.usersOnly) {
      let query = this.db.selectFrom('users').where('users.deleted_at', 'is', null);
      if (sources.usersOnly.filter) query = query.where(sources.usersOnly.filter);
      if (restriction && 'ids' in restriction) query = query.where(this.caps.inTextList(sql.ref('users.id'), restriction.ids));
      else if (restriction?.after) query = query.where('users.id', '>', restriction.after);
      return { query, target: sql<string>`${sql.ref('users.id')}`, direct: true };
    }
    const arms = this.arms(sources, restriction);
    if (arms.length === 0) return null;
    const union = arms.slice(1).reduce((u, arm) => u.union(arm), arms[0]);
    const query = this.db
      .selectFrom(union.as('a'))
      .leftJoin('users', (join) => join.onRef('users.id', '=', 'a.target').on('users.deleted_at', 'is', null));
    return { query, target: sql<string>`${sql.ref('a.target')}`, direct: false };
  }

  /**
   * One SELECT of `target` per source. A page is pushed into every source (its first `limit`
   * targets after `after`, through the source's own index on the target), so a page of the
   * union costs `limit` rows a source, never the whole audience.
   */
  private arms(sources: AudienceSources, restriction: Restriction): SelectQueryBuilder<any, any, { target: string }>[] {
    const arms: SelectQueryBuilder<any, any, { target: string }>[] = [];
    sources.segments.forEach(({ source }, i) => {
      if (!source) return;
      const inner = this.restricted(source.select, source.targetColumn, restriction);
      arms.push(this.db.selectFrom(inner.as(`s${i}`)).select(targetOf(`s${i}`)));
    });
    if (sources.ids.length > 0) {
      const list = this.db.selectFrom(sql`(${this.caps.textRows(sources.ids)})`.as('l')).select(targetOf('l'));
      arms.push(this.db.selectFrom(this.restricted(list, 'l.target', restriction).as('sl')).select(targetOf('sl')));
    }
    return arms;
  }

  private restricted<Q extends SelectQueryBuilder<any, any, any>>(query: Q, column: string, restriction: Restriction): Q {
    if (!restriction) return query;
    const ref = sql.ref(column);
    if ('ids' in restriction) return query.where(this.caps.inTextList(ref, restriction.ids)) as Q;
    const after = restriction.after === null ? query : query.where(ref, '>', restriction.after);
    return after.orderBy(ref).limit(restriction.limit) as Q;
  }

  /** The target is in the campaign's ledger, finished (a resume never sends it again). */
  finished(campaignId: string, target: Expression<string>): RawBuilder<SqlBool> {
    return sql<SqlBool>`exists (select 1 from campaign_targets ct where ct.campaign_id = ${campaignId}
      and ct.target_id = ${target} and ct.status <> ${TargetStatus.pending})`;
  }
}
