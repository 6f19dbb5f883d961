import { sql, type Expression, type Kysely, type RawBuilder, type Selectable, type SqlBool } from 'kysely';
import type { AudienceCountRequest, AudienceCounts, AudiencePage, AudienceStore, UserVarSource } from '../app/audience-ports.js';
import { CampaignStatus, type Campaign } from '../domain/campaign.js';
import { AudienceRowsBuilder, audienceSources, type AudienceRows, type AudienceSources } from './audience-rows.js';
import type { LongReads } from './database.js';
import type { DialectCaps } from './dialects/dialect-caps.js';
import { chunks } from './row-mapping.js';
import type { Schema, UsersTable } from './schema.js';
import { userFromRow } from './user-store.js';

const countIf = (condition: Expression<SqlBool>) => sql<number>`coalesce(sum(case when ${condition} then 1 else 0 end), 0)`;
const never = sql<SqlBool>`(1 = 0)`;
const CIDS_A_LOOKUP = 1000;

/** The preview's reads (app/campaign-preview.ts): one Kysely implementation for both dialects. */
export class KyselyAudienceStore implements AudienceStore {
  private readonly builder: AudienceRowsBuilder;

  constructor(
    private readonly db: Kysely<Schema>,
    private readonly caps: DialectCaps,
    private readonly longReads?: LongReads,
  ) {
    this.builder = new AudienceRowsBuilder(db, caps);
  }

  /**
   * Every figure in ONE pass over the audience. Plan of a filter segment on SQLite: SCAN users
   * (the filter, then each receiver variable's json_type()), and only when distinct channels
   * of the type exist at all, the distinct id (a JS call a row) and SEARCH channels USING INDEX
   * sqlite_autoindex_channels_1 (cid=?) LEFT-JOIN; with finished targets, SEARCH ct USING
   * PRIMARY KEY per row. PostgreSQL: parallel seq scan of users, parallel hash join on
   * channels. Measured over 950k users (`role: user`), 2 cores (docs/benchmarks.md, Preview):
   * the bare count 0.2 s; three custom variables +0.8 s (a JSON parse a row); the distinct id
   * +0.7–1.6 s; probing a million existing distinct channels and reading their deleted_at
   * +3–8 s (random probes of the cid index in hash order), which is why the statement runs
   * with the file memory-mapped (mappedRead): no system call and copy per page that the API
   * connection's 4 MiB page cache misses. Whole previews on a quiet machine: 0.65 s with no
   * distinct channel yet, 4.9 s with one per user (11.7 s unmapped).
   */
  async count(campaign: Campaign, request: AudienceCountRequest): Promise<AudienceCounts> {
    const sources = await audienceSources(this.db, this.caps, campaign);
    const finished = await this.hasFinished(campaign.id);
    const rows = this.builder.rows(sources, null);
    const counts: AudienceCounts = {
      total: 0, segments: new Map(campaign.segment_ids.map((id) => [id, 0])), channelTargets: 0, liveChannelTargets: 0,
      knownUsers: 0, sender: 0, distinctLive: 0, distinctDeleted: 0, missing: request.receiverVars.map(() => 0),
    };
    if (!rows) return counts;
    const distinct = request.distinctChannelType !== null && (await this.hasDistinctChannels(request.distinctChannelType));
    const isChannel = rows.direct ? never : sql<SqlBool>`(${rows.target} like '%:%')`;
    const distinctKey = distinct
      ? sql`(cast(${`${request.distinctChannelType}:`} as text) || ${this.caps.distinctChannelId(sql`${campaign.sender_id}`, sql.ref('users.id'))})`
      : null;
    const channelKey = rows.direct ? distinctKey : sql`(case when ${isChannel} then ${rows.target} ${distinctKey ? sql`else ${distinctKey} ` : sql``}end)`;
    let query = rows.query;
    if (channelKey) query = query.leftJoin('channels', (join) => join.on(sql<SqlBool>`channels.cid = ${channelKey}`));
    if (finished) query = query.where((eb) => eb.not(this.builder.finished(campaign.id, rows.target)));
    const live = channelKey ? sql<SqlBool>`(channels.pk is not null and channels.deleted_at is null)` : never;
    const deleted = channelKey ? sql<SqlBool>`(channels.deleted_at is not null)` : never;
    const perSegment = !finished && rows.direct && sources.segments.length > 1;
    const counting = query.select([
      sql<number>`count(*)`.as('total'),
      countIf(isChannel).as('channel_targets'),
      countIf(sql<SqlBool>`(${isChannel} and ${live})`).as('live_channel_targets'),
      countIf(sql<SqlBool>`(users.id is not null)`).as('known_users'),
      countIf(sql<SqlBool>`(users.id = ${campaign.sender_id})`).as('sender'),
      countIf(distinct ? sql<SqlBool>`(not ${isChannel} and ${live})` : never).as('distinct_live'),
      countIf(distinct ? sql<SqlBool>`(not ${isChannel} and ${deleted})` : never).as('distinct_deleted'),
      ...request.receiverVars.map((v, i) => countIf(sql<SqlBool>`(users.id is null or ${this.missing(v)})`).as(`missing_${i}`)),
      ...(perSegment ? sources.segments.map((s, i) => countIf(s.source?.users?.filter ?? sql<SqlBool>`(1 = ${s.source ? 1 : 0})`).as(`segment_${i}`)) : []),
    ]);
    // One row of aggregates: off the API's thread where the process has a place for it.
    const row = ((this.longReads
      ? await this.longReads.first(counting.compile())
      : await this.caps.mappedRead(this.db, () => counting.executeTakeFirst())) ?? {}) as Record<string, unknown>;
    const n = (key: string) => Number(row[key] ?? 0);
    Object.assign(counts, {
      total: n('total'), channelTargets: n('channel_targets'), liveChannelTargets: n('live_channel_targets'), knownUsers: n('known_users'),
      sender: n('sender'), distinctLive: n('distinct_live'), distinctDeleted: n('distinct_deleted'), missing: request.receiverVars.map((_, i) => n(`missing_${i}`)),
    });
    if (perSegment) sources.segments.forEach((s, i) => counts.segments.set(s.id, n(`segment_${i}`)));
    else await this.countSegments(sources, finished ? null : counts.total, counts.segments);
    return counts;
  }

  /** Each segment's size before de-duplication: one count each, unless one live segment is the whole audience. */
  private async countSegments(sources: AudienceSources, wholeAudience: number | null, into: Map<string, number>): Promise<void> {
    const live = sources.segments.filter((s) => s.source);
    if (live.length === 1 && sources.ids.length === 0 && wholeAudience !== null) {
      into.set(live[0].id, wholeAudience);
      return;
    }
    for (const { id, source } of live) {
      const row = await this.db.selectFrom(source!.select.as('s')).select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow();
      into.set(id, Number(row.n));
    }
  }

  /** `users.<column>` misses the value at the path, as userVars sees it (app/template-vars.ts). */
  private missing(source: UserVarSource): RawBuilder<SqlBool> {
    if (source.kind === 'never') return sql<SqlBool>`(1 = 1)`;
    if (source.kind === 'column') return sql<SqlBool>`(${sql.ref(`users.${source.column}`)} is null)`;
    return this.caps.jsonPathMissing(sql.ref(`users.${source.column}`), source.path);
  }

  /**
   * A page in target order. Plan on the direct path: SEARCH users USING INDEX
   * sqlite_autoindex_users_1 (id>?), ~8–10 µs a row on 2 cores, most of it better-sqlite3
   * building 15-column row objects (ids alone: 1 µs). On a union each source gives its first
   * `limit` targets after `after` through its own index, then the union is sorted.
   */
  async page(campaign: Campaign, after: string | null, limit: number): Promise<AudiencePage> {
    const sources = await audienceSources(this.db, this.caps, campaign);
    const rows = this.builder.rows(sources, { after, limit });
    if (!rows) return { rows: [], next: null };
    const finished = await this.hasFinished(campaign.id);
    const found = (await this.selectRows(rows, campaign.id, finished).orderBy(rows.target).limit(limit).execute()) as Array<PageRow>;
    return this.toPage(found, found.length < limit ? null : found[found.length - 1].target);
  }

  private toPage(found: PageRow[], next: string | null): AudiencePage {
    const rows = found.filter((r) => Number(r.finished) === 0).map((r) => ({ target: r.target, ...(r.id !== null && { user: userFromRow(this.caps, r) }) }));
    return { rows, next };
  }

  async batchInAudience(campaign: Campaign, targetIds: readonly string[]): Promise<Set<string>> {
    if (targetIds.length === 0) return new Set();
    const sources = await audienceSources(this.db, this.caps, campaign);
    const rows = this.builder.rows(sources, { ids: targetIds });
    if (!rows) return new Set();
    const found = (await this.selectRows(rows, campaign.id, await this.hasFinished(campaign.id)).execute()) as Array<PageRow>;
    return new Set(found.filter((r) => Number(r.finished) === 0).map((r) => r.target));
  }

  private selectRows(rows: AudienceRows, campaignId: string, finished: boolean) {
    const flag = finished ? sql<number>`(case when ${this.builder.finished(campaignId, rows.target)} then 1 else 0 end)` : sql<number>`0`;
    return rows.query.selectAll('users').select([rows.target.as('target'), flag.as('finished')]);
  }

  /**
   * By the cid index, 1,000 cids a statement: PostgreSQL planned `cid = any(10,000 cids)` as a
   * sequential scan of 2M channels (440 ms, 95 times over a million targets: the JS pass of a
   * template-named channel went 17 → 53 s), where 1,000 stay a bitmap index scan (1 ms).
   */
  async batchChannelStates(cids: readonly string[]): Promise<Map<string, 'live' | 'deleted'>> {
    const states = new Map<string, 'live' | 'deleted'>();
    for (const part of chunks(cids, CIDS_A_LOOKUP)) {
      const rows = await this.db.selectFrom('channels').select(['cid', 'deleted_at']).where(this.caps.inTextList(sql.ref('cid'), part)).execute();
      for (const r of rows) states.set(r.cid, r.deleted_at === null ? 'live' : 'deleted');
    }
    return states;
  }

  async recentSendRate(): Promise<number | null> {
    const row = await this.db
      .selectFrom('campaigns')
      .select(['stats_messages_sent', 'stats_started_at', 'stats_completed_at'])
      .where('status', '=', CampaignStatus.completed)
      .where('stats_messages_sent', '>', 0)
      .where('stats_started_at', 'is not', null)
      .where('stats_completed_at', 'is not', null)
      .orderBy('stats_completed_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (!row) return null;
    const seconds = (Number(row.stats_completed_at) - Number(row.stats_started_at)) / 1e6;
    return seconds > 0 ? Number(row.stats_messages_sent) / seconds : null;
  }

  /**
   * Whether the ledger holds finished targets to subtract: the campaign's own count of them,
   * kept by every send batch, instead of a scan of a ledger that may hold a million pending rows.
   */
  private async hasFinished(campaignId: string): Promise<boolean> {
    const row = await this.db.selectFrom('campaigns').select('stats_targets_done').where('id', '=', campaignId).executeTakeFirst();
    return Number(row?.stats_targets_done ?? 0) > 0;
  }

  /**
   * Whether any distinct channel of the type exists (deleted ones too): a range of the unique
   * cid index, `type:!members-` up to `type:!members.` ('.' follows '-'); SEARCH channels USING
   * COVERING INDEX sqlite_autoindex_channels_1 (cid>? AND cid<?), well under 1 ms. When none
   * does, no target's distinct id is hashed or probed: 1.3 s instead of 7.8 s at 950k targets.
   */
  private async hasDistinctChannels(type: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('channels')
      .select('cid')
      .where('cid', '>=', `${type}:!members-`)
      .where('cid', '<', `${type}:!members.`)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }
}

type PageRow = Selectable<UsersTable> & { target: string; finished: number | string; id: string | null };
