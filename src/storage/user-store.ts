import { sql, type Kysely, type Selectable } from 'kysely';
import type { PageRequest, UserStore } from '../app/ports.js';
import type { User } from '../domain/user.js';
import type { DialectCaps } from './dialects/dialect-caps.js';
import { applySort, compileFilter, userFilterTarget } from './filter-compiler.js';
import { chunks, flag, json, jsonArray, jsonObject } from './row-mapping.js';
import type { Schema, UsersTable } from './schema.js';

// 16 columns a row: 500 rows stay under SQLite's 32,766 bound parameters and pg's 65,535.
const UPSERT_ROWS = 500;

export const userRow = (u: User) => ({
  id: u.id,
  name: u.name,
  image: u.image,
  role: u.role,
  teams: json(u.teams),
  language: u.language,
  banned: flag(u.banned),
  shadow_banned: flag(u.shadow_banned),
  invisible: flag(u.invisible),
  custom: json(u.custom),
  created_at: u.created_at,
  updated_at: u.updated_at,
  last_active: u.last_active,
  deleted_at: u.deleted_at,
  deactivated_at: u.deactivated_at,
  revoke_tokens_issued_before: u.revoke_tokens_issued_before ?? null,
});

export const userFromRow = (caps: DialectCaps, r: Selectable<UsersTable>): User => ({
  id: r.id,
  name: r.name,
  image: r.image,
  role: r.role,
  teams: jsonArray<string>(caps, r.teams),
  language: r.language,
  banned: r.banned === 1,
  shadow_banned: r.shadow_banned === 1,
  invisible: r.invisible === 1,
  custom: jsonObject(caps, r.custom),
  created_at: r.created_at,
  updated_at: r.updated_at,
  last_active: r.last_active,
  deleted_at: r.deleted_at,
  deactivated_at: r.deactivated_at,
  revoke_tokens_issued_before: r.revoke_tokens_issued_before,
});

export class KyselyUserStore implements UserStore {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly caps: DialectCaps,
  ) {}

  async batchUpsert(users: readonly User[]): Promise<void> {
    for (const slice of chunks(users, UPSERT_ROWS)) {
      await this.db
        .insertInto('users')
        .values(slice.map(userRow))
        .onConflict((oc) =>
          oc.column('id').doUpdateSet((eb) => ({
            name: eb.ref('excluded.name'),
            image: eb.ref('excluded.image'),
            role: eb.ref('excluded.role'),
            teams: eb.ref('excluded.teams'),
            language: eb.ref('excluded.language'),
            invisible: eb.ref('excluded.invisible'),
            custom: eb.ref('excluded.custom'),
            updated_at: eb.ref('excluded.updated_at'),
            // An upsert brings a deleted user back, as Stream's restore-by-upsert does.
            deleted_at: eb.ref('excluded.deleted_at'),
            revoke_tokens_issued_before: eb.ref('excluded.revoke_tokens_issued_before'),
          })),
        )
        .execute();
    }
  }

  async batchGet(ids: readonly string[]): Promise<User[]> {
    if (ids.length === 0) return [];
    const rows = await this.db
      .selectFrom('users')
      .selectAll()
      .where(this.caps.inTextList(sql.ref('id'), [...new Set(ids)]))
      .execute();
    return rows.map((r) => userFromRow(this.caps, r));
  }

  async query(page: PageRequest & { includeDeactivated?: boolean }): Promise<User[]> {
    let q = this.db
      .selectFrom('users')
      .selectAll()
      .where('deleted_at', 'is', null)
      .$if(!page.includeDeactivated, (qb) => qb.where('deactivated_at', 'is', null))
      .where(compileFilter(page.filter, userFilterTarget, this.caps));
    q = applySort(q, page.sort, userFilterTarget, this.caps);
    const rows = await q.limit(page.limit).offset(page.offset).execute();
    return rows.map((r) => userFromRow(this.caps, r as Selectable<UsersTable>));
  }

  async batchDelete(ids: readonly string[], mode: 'soft' | 'hard', now: number): Promise<number> {
    if (ids.length === 0) return 0;
    const list = [...new Set(ids)];
    if (mode === 'soft') {
      const result = await this.db
        .updateTable('users')
        .set({ deleted_at: now, updated_at: now })
        .where('id', 'in', list)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    }
    const memberships = await this.db
      .selectFrom('channel_members')
      .select('channel_pk')
      .where('user_id', 'in', list)
      .execute();
    await this.db.deleteFrom('channel_members').where('user_id', 'in', list).execute();
    for (const slice of chunks([...new Set(memberships.map((m) => m.channel_pk))], 500)) {
      await this.db
        .updateTable('channels')
        .set((eb) => ({
          member_count: eb
            .selectFrom('channel_members')
            .select((s) => s.fn.countAll<number>().as('n'))
            .whereRef('channel_members.channel_pk', '=', 'channels.pk'),
        }))
        .where('pk', 'in', slice)
        .execute();
    }
    // What only this user decided goes with it: its bans, mutes and blocks, either way round.
    await this.db.deleteFrom('bans').where('user_id', 'in', list).execute();
    await this.db.deleteFrom('user_mutes').where((eb) => eb.or([eb('user_id', 'in', list), eb('target_id', 'in', list)])).execute();
    await this.db.deleteFrom('channel_mutes').where('user_id', 'in', list).execute();
    await this.db.deleteFrom('user_blocks').where((eb) => eb.or([eb('user_id', 'in', list), eb('blocked_user_id', 'in', list)])).execute();
    const result = await this.db.deleteFrom('users').where('id', 'in', list).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
