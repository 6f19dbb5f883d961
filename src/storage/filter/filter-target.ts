/**
 * The SQL side of a filter: where each built-in field lives. Column names are qualified with
 * `table` (the table name, or its alias in the caller's query), so a filter stays unambiguous
 * when the store joins other tables.
 */
export interface FilterColumn {
  readonly column: string;
  /** NULL means "field absent" (Mongo), e.g. last_active of a user who never connected. */
  readonly nullable: boolean;
}

/** channel_members, for `members` and the querying user's `joined`/`hidden`. */
export interface MemberJoin {
  readonly table: string;
  /** The column of the member table that points at `FilterTarget.table`'s `ownerKey`. */
  readonly channelColumn: string;
  readonly ownerKey: string;
  readonly userColumn: string;
  readonly hiddenColumn: string;
}

export interface FilterTarget {
  readonly table: string;
  readonly columns: Readonly<Record<string, FilterColumn>>;
  /** The JSON column holding every field that is not built in. */
  readonly customColumn: string;
  /** Appended to every ORDER BY so that equal sort keys still page in one stable order. */
  readonly primaryKey: string;
  readonly members?: MemberJoin;
  /** The querying user, for `joined` and `hidden`; absent for server-side queries. */
  readonly userId?: string;
}

const notNull = (column: string): FilterColumn => ({ column, nullable: false });
const nullable = (column: string): FilterColumn => ({ column, nullable: true });

export const userFilterTarget: FilterTarget = {
  table: 'users',
  columns: {
    id: notNull('id'),
    name: nullable('name'),
    image: nullable('image'),
    role: notNull('role'),
    language: notNull('language'),
    banned: notNull('banned'),
    shadow_banned: notNull('shadow_banned'),
    invisible: notNull('invisible'),
    teams: notNull('teams'),
    created_at: notNull('created_at'),
    updated_at: notNull('updated_at'),
    last_active: nullable('last_active'),
  },
  customColumn: 'custom',
  primaryKey: 'id',
};

export const channelFilterTarget: FilterTarget = {
  table: 'channels',
  columns: {
    cid: notNull('cid'),
    id: notNull('id'),
    type: notNull('type'),
    team: nullable('team'),
    created_by_id: nullable('created_by_id'),
    created_at: notNull('created_at'),
    updated_at: notNull('updated_at'),
    last_message_at: nullable('last_message_at'),
    // Stream's last_updated is the later of the last message and the last update; the indexed
    // updated_at stands in for it, which is exact as long as a new message bumps updated_at.
    last_updated: notNull('updated_at'),
    member_count: notNull('member_count'),
    message_count: notNull('message_count'),
    frozen: notNull('frozen'),
    disabled: notNull('disabled'),
  },
  customColumn: 'custom',
  primaryKey: 'pk',
  members: {
    table: 'channel_members',
    channelColumn: 'channel_pk',
    ownerKey: 'pk',
    userColumn: 'user_id',
    hiddenColumn: 'hidden',
  },
};

/** Messages, for search's message_filter_conditions (domain/filter/message-filter-fields.ts). */
export const messageFilterTarget: FilterTarget = {
  table: 'messages',
  columns: {
    id: notNull('id'),
    text: notNull('text'),
    type: notNull('type'),
    user_id: notNull('user_id'),
    parent_id: nullable('parent_id'),
    quoted_message_id: nullable('quoted_message_id'),
    show_in_channel: notNull('show_in_channel'),
    reply_count: notNull('reply_count'),
    created_at: notNull('created_at'),
    updated_at: notNull('updated_at'),
    pinned_at: nullable('pinned_at'),
  },
  customColumn: 'custom',
  primaryKey: 'id',
};

/** The channel target for a query made on behalf of `userId`, which `joined` and `hidden` need. */
export const channelFilterTargetFor = (userId: string): FilterTarget => ({ ...channelFilterTarget, userId });

/** A target for a query that names the table by an alias (`selectFrom('users as u')`). */
export const aliasFilterTarget = (target: FilterTarget, alias: string): FilterTarget => ({ ...target, table: alias });

export const segmentFilterTarget: FilterTarget = {
  table: 'segments',
  columns: {
    id: notNull('id'),
    name: notNull('name'),
    type: notNull('type'),
    all_users: notNull('all_users'),
    created_at: notNull('created_at'),
    updated_at: notNull('updated_at'),
  },
  customColumn: 'filter',
  primaryKey: 'id',
};

export const segmentTargetFilterTarget: FilterTarget = {
  table: 'segment_targets',
  columns: { target_id: notNull('target_id') },
  customColumn: 'target_id',
  primaryKey: 'target_id',
};

export const campaignFilterTarget: FilterTarget = {
  table: 'campaigns',
  columns: {
    id: notNull('id'),
    name: notNull('name'),
    sender_id: notNull('sender_id'),
    status: notNull('status'),
    created_at: notNull('created_at'),
    updated_at: notNull('updated_at'),
    segments: notNull('segment_ids'),
  },
  customColumn: 'segment_ids',
  primaryKey: 'id',
};
