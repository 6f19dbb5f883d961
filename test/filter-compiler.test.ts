import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { channelFilterFields } from '../src/domain/filter/channel-filter-fields.js';
import { parseFilter } from '../src/domain/filter/filter-parser.js';
import { parseSort } from '../src/domain/filter/sort-spec.js';
import { userFilterFields } from '../src/domain/filter/user-filter-fields.js';
import { ErrorCode, HeraldError } from '../src/domain/errors.js';
import {
  aliasFilterTarget,
  applySort,
  channelFilterTarget,
  channelFilterTargetFor,
  compileFilter,
  userFilterTarget,
} from '../src/storage/filter-compiler.js';
import { backends } from './support/backends.js';

/** Cases mingo cannot judge: parameter binding, odd JSON keys, member sets, the querying user. */
const user = (id: string, extra: Record<string, unknown> = {}, role = 'user', lastActive: number | null = null) => ({
  id, role, name: null, image: null, teams: '[]', language: '', banned: 0, shadow_banned: 0, invisible: 0,
  custom: JSON.stringify(extra), created_at: 1, updated_at: 1, last_active: lastActive, deleted_at: null, deactivated_at: null,
});

for (const { backend, skip } of await backends()) {
  describe(`filter compiler on ${backend.name}`, { skip }, () => {
    let handle: Awaited<ReturnType<typeof backend.create>>;
    before(async () => {
      handle = await backend.create();
      const { db } = handle.database;
      await db.insertInto('users').values([
        user('u1', { 'we"ird\\key': 5, "it's": 'yes' }, 'admin', 20),
        user('u2', { 'we"ird\\key': 6 }, 'user', 10),
        user('u3', {}, 'admin'),
        user('u4', {}, 'user', 10),
      ]).execute();
      await db.insertInto('channels').values([1, 2, 3].map((pk) => ({
        pk, cid: `messaging:c${pk}`, type: 'messaging', id: `c${pk}`, created_by_id: null, team: null, frozen: 0,
        disabled: 0, member_count: 0, message_count: 0, last_message_at: null, custom: '{}', created_at: 1, updated_at: 1,
      }))).execute();
      const member = (channel_pk: number, user_id: string, hidden = 0) => ({
        channel_pk, user_id, hidden, channel_role: 'channel_member', banned: 0, notifications_muted: 0, created_at: 1, updated_at: 1,
      });
      await db.insertInto('channel_members').values([member(1, 'u1'), member(1, 'u2', 1), member(2, 'u1'), member(3, 'u3')]).execute();
    });
    after(() => handle?.dispose());

    const userIds = async (filter: unknown, sort?: unknown) => {
      const { db, caps } = handle.database;
      const q = db.selectFrom('users').select('users.id').where(compileFilter(parseFilter(filter, userFilterFields), userFilterTarget, caps));
      return (await applySort(q, parseSort(sort, userFilterFields), userFilterTarget, caps).execute()).map((r) => r.id);
    };
    const channelIds = async (filter: unknown, me?: string) => {
      const { db, caps } = handle.database;
      const target = me ? channelFilterTargetFor(me) : channelFilterTarget;
      const where = compileFilter(parseFilter(filter, channelFilterFields), target, caps);
      return (await db.selectFrom('channels').select('channels.id').where(where).orderBy('pk').execute()).map((r) => r.id);
    };

    it('binds every value and key as a parameter', async () => {
      const { db, caps } = handle.database;
      const hostile = "x'); drop table users; --";
      const where = compileFilter(parseFilter({ [hostile]: hostile, role: { $in: [hostile] } }, userFilterFields), userFilterTarget, caps);
      const compiled = db.selectFrom('users').select('id').where(where).compile();
      assert.ok(!compiled.sql.includes('drop'), compiled.sql);
      assert.deepEqual(await userIds({ [hostile]: hostile }), []);
      assert.equal((await userIds({})).length, 4);
    });

    it('addresses custom keys with quotes and backslashes', async () => {
      assert.deepEqual(await userIds({ 'we"ird\\key': { $gte: 5 } }, [{ field: 'we"ird\\key', direction: -1 }]), ['u2', 'u1']);
      assert.deepEqual(await userIds({ "it's": { $exists: true } }), ['u1']);
    });

    it('sorts absent values first, ties by primary key, and works on an aliased table', async () => {
      assert.deepEqual(await userIds({}, [{ field: 'last_active', direction: 1 }]), ['u3', 'u2', 'u4', 'u1']);
      assert.deepEqual(await userIds({}, { role: -1, last_active: -1 }), ['u2', 'u4', 'u1', 'u3']);
      const { db, caps } = handle.database;
      const target = aliasFilterTarget(userFilterTarget, 'x');
      const q = db.selectFrom('users as x').select('x.id').where(compileFilter(parseFilter({ role: 'admin' }, userFilterFields), target, caps));
      const rows = await applySort(q, parseSort([{ field: 'id', direction: -1 }], userFilterFields), target, caps).execute();
      assert.deepEqual(rows.map((r) => r.id), ['u3', 'u1']);
    });

    it('matches member sets exactly, in any order', async () => {
      assert.deepEqual(await channelIds({ members: ['u2', 'u1'] }), ['c1']);
      assert.deepEqual(await channelIds({ members: ['u1'] }), ['c2']);
      assert.deepEqual(await channelIds({ members: { $in: ['u1', 'nobody'] } }), ['c1', 'c2']);
      assert.deepEqual(await channelIds({ members: { $in: [] } }), []);
    });

    it('reads joined and hidden for the querying user, and needs one', async () => {
      assert.deepEqual(await channelIds({ joined: true }, 'u2'), ['c1']);
      assert.deepEqual(await channelIds({ joined: false }, 'u2'), ['c2', 'c3']);
      assert.deepEqual(await channelIds({ hidden: true }, 'u2'), ['c1']);
      assert.deepEqual(await channelIds({ hidden: false, joined: true }, 'u1'), ['c1', 'c2']);
      await assert.rejects(channelIds({ joined: true }), (error: unknown) => {
        assert.ok(error instanceof HeraldError && error.code === ErrorCode.input);
        assert.match(error.message, /field "joined" operator "\$eq" needs the querying user/);
        return true;
      });
    });
  });
}
