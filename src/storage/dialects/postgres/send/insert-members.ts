import { sql, type Transaction } from 'kysely';
import type { Schema } from '../../../schema.js';

export interface MemberInsert {
  pk: number;
  userId: string;
  role: string;
  hidden: boolean;
  archivedAt: number | null;
}

/**
 * Member rows from arrays; an existing member is kept (ON CONFLICT on the primary key
 * (channel_pk, user_id)). Returns the channel pk of each row it added, for member_count.
 * 0.92 s per 100k targets (two rows each), the costliest part of a commit: every row also
 * goes into channel_members_user (user_id, channel_pk), a random position.
 */
export async function insertMembers(trx: Transaction<Schema>, now: number, rows: readonly MemberInsert[]): Promise<number[]> {
  if (rows.length === 0) return [];
  const added = await sql<{ channel_pk: number }>`
    insert into channel_members (channel_pk, user_id, channel_role, hidden, archived_at, banned, notifications_muted, created_at, updated_at)
    select x.pk, x.user_id, x.role, x.hidden, x.archived, 0, 0, ${now}, ${now}
    from unnest(${rows.map((r) => r.pk)}::bigint[], ${rows.map((r) => r.userId)}::text[], ${rows.map((r) => r.role)}::text[],
      ${rows.map((r) => (r.hidden ? 1 : 0))}::int[], ${rows.map((r) => r.archivedAt)}::bigint[]) as x(pk, user_id, role, hidden, archived)
    on conflict do nothing
    returning channel_pk`.execute(trx);
  return added.rows.map((r) => Number(r.channel_pk));
}

/** Shows existing channels again to their receivers (show_channels): primary-key updates. */
export async function unhideMembers(trx: Transaction<Schema>, now: number, rows: ReadonlyArray<{ pk: number; userId: string }>): Promise<void> {
  if (rows.length === 0) return;
  await sql`update channel_members m set hidden = 0, updated_at = ${now}
    from unnest(${rows.map((r) => r.pk)}::bigint[], ${rows.map((r) => r.userId)}::text[]) as x(pk, user_id)
    where m.channel_pk = x.pk and m.user_id = x.user_id and m.hidden = 1`.execute(trx);
}
