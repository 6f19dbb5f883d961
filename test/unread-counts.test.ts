import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { backends } from './support/backends.js';
import { startHerald, type RunningHerald } from './support/herald-server.js';
import { rawCall } from './support/raw-client.js';
import { assertRawError } from './support/stream-assertions.js';
import { signToken } from './support/tokens.js';

/** `GET /unread` and `POST /unread_batch` through both SDKs: counts per channel, per type, in total. */
for (const { backend, skip } of await backends()) {
  describe(`unread counts on ${backend.name}`, { skip }, () => {
    let h: RunningHerald;
    before(async () => {
      h = await startHerald(backend);
      await h.chat.upsertUsers([{ id: 'ann' }, { id: 'bob' }, { id: 'cyd' }]);
      const general = h.chat.channel('messaging', 'general', { created_by_id: 'ann', members: ['ann', 'bob', 'cyd'] });
      await general.create();
      const team = h.chat.channel('team', 'red', { created_by_id: 'ann', members: ['ann', 'bob'] });
      await team.create();
      await general.sendMessage({ text: 'one', user_id: 'ann' });
      await general.sendMessage({ text: 'two', user_id: 'ann' });
      await team.sendMessage({ text: 'three', user_id: 'ann' });
      await general.markRead({ user_id: 'cyd' });
      await general.sendMessage({ text: 'mine', user_id: 'bob' });
    });
    after(async () => h?.close());

    it('stream-chat: a user token reads its own counts, the server any user', async () => {
      const own = await rawCall(h.baseURL, 'GET', '/unread', { token: signToken({ user_id: 'bob' }) });
      assert.equal(own.status, 200, own.text);
      assert.equal(own.body.total_unread_count, 3, "ann's three messages; bob's own is not unread");
      assert.deepEqual(
        own.body.channels.map((c: { channel_id: string; unread_count: number }) => [c.channel_id, c.unread_count]),
        [['messaging:general', 2], ['team:red', 1]],
      );
      assert.deepEqual(
        own.body.channel_type.map((t: { channel_type: string; channel_count: number; unread_count: number }) => [t.channel_type, t.channel_count, t.unread_count]).sort(),
        [['messaging', 1, 2], ['team', 1, 1]],
      );
      assert.match(own.body.channels[0].last_read, /^\d{4}-\d\d-\d\dT/);

      const server = await h.chat.getUnreadCount('cyd');
      assert.equal(server.total_unread_count, 1, "cyd read the channel before bob's message");
      const batch = await h.chat.getUnreadCountBatch(['ann', 'bob']);
      assert.equal(batch.counts_by_user.ann.total_unread_count, 1, "bob's message is unread for ann");
      assert.equal(batch.counts_by_user.bob.total_unread_count, 3);
    });

    it('node-sdk: unreadCounts and unreadCountsBatch on /api/v2, times as nanoseconds', async () => {
      const counts = await h.node.chat.unreadCounts({ user_id: 'bob' });
      assert.equal(counts.total_unread_count, 3);
      assert.ok(counts.channels[0].last_read instanceof Date, 'the SDK decoded an int64 time');
      const batch = await h.node.chat.unreadCountsBatch({ user_ids: ['cyd'] });
      assert.equal(batch.counts_by_user.cyd.total_unread_count, 1);
    });

    it('refuses what a caller may not ask', async () => {
      const bob = signToken({ user_id: 'bob' });
      assertRawError(await rawCall(h.baseURL, 'POST', '/unread_batch', { token: bob, body: JSON.stringify({ user_ids: ['ann'] }) }), 403, 17);
      assertRawError(await rawCall(h.baseURL, 'GET', '/unread?user_id=ann', { token: bob }), 400, 4);
      assertRawError(await rawCall(h.baseURL, 'GET', '/unread'), 400, 4);
      assertRawError(await rawCall(h.baseURL, 'POST', '/unread_batch', { body: JSON.stringify({ user_ids: [] }) }), 400, 4);
    });
  });
}
