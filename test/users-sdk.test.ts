import { sql } from 'kysely';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { backends } from './support/backends.js';
import { startHerald, type RunningHerald } from './support/herald-server.js';
import { serverToken } from './support/tokens.js';

for (const { backend, skip } of await backends()) {
  describe(`users through the SDKs on ${backend.name}`, { skip }, () => {
    let h: RunningHerald;
    before(async () => {
      h = await startHerald(backend);
    });
    after(async () => h?.close());

    it('stream-chat: upsert, partial update, query with filter and sort, delete', async () => {
      const up = await h.chat.upsertUsers([
        { id: 'ann', name: 'Ann', role: 'user', country: 'NL', age: 31, teams: ['red'] },
        { id: 'bob', name: 'Bob', country: 'US', age: 25 },
        { id: 'cyd', name: 'Cyd', country: 'NL', age: 40 },
      ]);
      assert.equal(up.users.ann.name, 'Ann');
      assert.equal(up.users.ann.country, 'NL', 'custom fields are flattened on the legacy wire');
      assert.match(String(up.users.ann.created_at), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);

      const patched = await h.chat.partialUpdateUser({ id: 'bob', set: { country: 'NL', name: 'Bobby' }, unset: ['age'] });
      assert.equal(patched.users.bob.name, 'Bobby');
      assert.equal(patched.users.bob.age, undefined);

      const nl = await h.chat.queryUsers({ country: 'NL' }, [{ name: -1 }]);
      assert.deepEqual(nl.users.map((u) => u.id), ['cyd', 'bob', 'ann']);

      const older = await h.chat.queryUsers({ age: { $gte: 30 } }, { created_at: 1 }, { limit: 10 });
      assert.deepEqual(older.users.map((u) => u.id).sort(), ['ann', 'cyd']);

      const inTeam = await h.chat.queryUsers({ teams: { $contains: 'red' } });
      assert.deepEqual(inTeam.users.map((u) => u.id), ['ann']);

      const paged = await h.chat.queryUsers({ id: { $in: ['ann', 'bob', 'cyd'] } }, { id: 1 }, { limit: 2, offset: 1 });
      assert.deepEqual(paged.users.map((u) => u.id), ['bob', 'cyd']);

      // What cyd decided, and what was decided about it, goes with a hard delete.
      await h.chat.banUser('cyd', { banned_by_id: 'ann' });
      await h.chat.muteUser('cyd', 'ann');
      await h.chat.blockUser('cyd', 'bob');
      await h.chat.blockUser('ann', 'cyd');
      const deleted = await h.chat.deleteUsers(['cyd'], { user: 'hard', messages: 'hard' });
      assert.ok(deleted.task_id);
      const task = await h.chat.getTask(deleted.task_id);
      assert.equal(task.status, 'completed');
      const after = await h.chat.queryUsers({ id: 'cyd' });
      assert.equal(after.users.length, 0);
      assert.deepEqual((await h.chat.queryBannedUsers({ user_id: 'cyd' })).bans, []);
      assert.deepEqual((await h.chat.getBlockedUsers('bob')).blocks, []);
      const rows = await sql<{ n: number }>`select (select count(*) from user_mutes where target_id = 'cyd')
        + (select count(*) from user_blocks where user_id = 'cyd') as n`.execute(h.database.db);
      assert.equal(Number(rows.rows[0].n), 0);
    });

    it('node-sdk: upsert with nested custom, integer-nanosecond times, query, partial update, delete', async () => {
      const up = await h.node.upsertUsers([{ id: 'dee', name: 'Dee', custom: { plan: 'pro', score: 7 } }]);
      const dee = up.users.dee;
      assert.deepEqual(dee.custom, { plan: 'pro', score: 7 });
      assert.ok(dee.created_at instanceof Date, 'node-sdk decodes v2 times into Dates');
      assert.ok(Math.abs(dee.created_at.getTime() - Date.now()) < 60_000);

      const raw = await fetch(`${h.baseURL}/api/v2/users?api_key=herald-test-key&payload=${encodeURIComponent(JSON.stringify({ filter_conditions: { id: 'dee' } }))}`, {
        headers: { Authorization: serverToken(), 'stream-auth-type': 'jwt' },
      });
      const text = await raw.text();
      assert.match(text, /"created_at":\d{19}[,}]/, 'v2 times are int64 nanoseconds on the wire');

      const q = await h.node.queryUsers({ payload: { filter_conditions: { plan: 'pro' }, sort: [{ field: 'id', direction: 1 }] } });
      assert.deepEqual(q.users.map((u) => u.id), ['dee']);

      const patched = await h.node.updateUsersPartial({ users: [{ id: 'dee', set: { score: 8 }, unset: ['plan'] }] });
      assert.deepEqual(patched.users.dee.custom, { score: 8 });

      const del = await h.node.deleteUsers({ user_ids: ['dee'], user: 'soft' });
      const task = await h.node.getTask({ id: del.task_id });
      assert.equal(task.status, 'completed');
      const gone = await h.node.queryUsers({ payload: { filter_conditions: { id: 'dee' } } });
      assert.equal(gone.users.length, 0);
    });

    it('rejects bad input with Stream errors and keeps state', async () => {
      await assert.rejects(h.chat.queryUsers({ role: { $contains: 'x' } } as never), (e: Error & { code?: number; status?: number }) => {
        assert.equal(e.code, 4);
        assert.equal(e.status, 400);
        assert.match(e.message, /role/);
        assert.match(e.message, /\$contains/);
        return true;
      });
      await assert.rejects(
        h.chat.upsertUsers(Array.from({ length: 101 }, (_, i) => ({ id: `bulk-${i}` }))),
        (e: Error & { code?: number }) => e.code === 4,
      );
      const none = await h.chat.queryUsers({ id: { $autocomplete: 'bulk-' } });
      assert.equal(none.users.length, 0, 'a rejected upsert writes nothing');
    });
  });
}
