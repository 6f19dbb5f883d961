import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { backends } from './support/backends.js';
import { startHerald, type RunningHerald } from './support/herald-server.js';

for (const { backend, skip } of await backends()) {
  describe(`channels and messages through the SDKs on ${backend.name}`, { skip }, () => {
    let h: RunningHerald;
    before(async () => {
      h = await startHerald(backend);
      await h.chat.upsertUsers([
        { id: 'ann', name: 'Ann' },
        { id: 'bob', name: 'Bob' },
        { id: 'cyd', name: 'Cyd' },
      ]);
    });
    after(async () => h?.close());

    it('stream-chat: create by id, send, history, markRead, hide and show, query', async () => {
      const channel = h.chat.channel('messaging', 'general', { created_by_id: 'ann', members: ['ann', 'bob'], topic: 'news' });
      const created = await channel.create();
      assert.equal(created.channel.cid, 'messaging:general');
      assert.equal(created.channel.topic, 'news', 'custom channel data is flattened');
      assert.deepEqual(created.members.map((m) => m.user_id).sort(), ['ann', 'bob']);

      const sent = await channel.sendMessage({ text: 'Hello Bob', user_id: 'ann', mood: 'sunny' });
      assert.equal(sent.message.text, 'Hello Bob');
      assert.equal(sent.message.user?.id, 'ann');
      assert.equal(sent.message.mood, 'sunny');
      await channel.sendMessage({ text: 'Second', user_id: 'bob' });

      const state = await channel.query({ messages: { limit: 10 } });
      assert.deepEqual(state.messages.map((m) => m.text), ['Hello Bob', 'Second']);
      assert.equal(channel.state.messages.length, 2, "the SDK's state code took the response");

      const older = await channel.query({ messages: { limit: 10, id_lt: state.messages[1].id } });
      assert.deepEqual(older.messages.map((m) => m.text), ['Hello Bob']);

      const read = await channel.markRead({ user_id: 'bob' });
      assert.equal(read?.event?.type, 'message.read');

      await channel.hide('bob');
      const hidden = await h.chat.queryChannels({ cid: 'messaging:general' }, {}, { user_id: 'bob' });
      assert.equal(hidden[0].data?.hidden, true);
      await channel.show('bob');
      const shown = await h.chat.queryChannels({ cid: 'messaging:general' }, {}, { user_id: 'bob' });
      assert.equal(shown[0].data?.hidden, false);

      const got = await h.chat.getMessage(sent.message.id);
      assert.equal(got.message.text, 'Hello Bob');
      const many = await channel.getMessagesById([sent.message.id]);
      assert.equal(many.messages.length, 1);
    });

    it('stream-chat: distinct channels by member set, queryChannels with filters and sort', async () => {
      const distinct = h.chat.channel('messaging', { members: ['cyd', 'ann'], created_by_id: 'cyd' });
      const first = await distinct.create();
      assert.match(first.channel.id!, /^!members-/);
      const again = await h.chat.channel('messaging', { members: ['ann', 'cyd'], created_by_id: 'ann' }).create();
      assert.equal(again.channel.id, first.channel.id, 'the same member set meets in the same channel');

      await h.chat.channel('team', 'blue', { created_by_id: 'bob', members: ['bob', 'cyd'], team: 'blue' }).create();
      const ofCyd = await h.chat.queryChannels({ members: { $in: ['cyd'] } }, [{ created_at: 1 }]);
      assert.deepEqual(ofCyd.map((c) => c.cid), [`messaging:${first.channel.id}`, 'team:blue']);
      const teams = await h.chat.queryChannels({ type: 'team' }, {}, { limit: 5, message_limit: 0 });
      assert.deepEqual(teams.map((c) => c.cid), ['team:blue']);
    });

    it('rejects a server-side create without created_by, and unknown channel types', async () => {
      await assert.rejects(h.chat.channel('messaging', 'nobody', { members: ['ann'] }).create(), (e: Error & { code?: number }) => {
        assert.equal(e.code, 4);
        assert.match(e.message, /GetOrCreateChannel failed with error: "either data.created_by or data.created_by_id must be provided/);
        return true;
      });
      await assert.rejects(h.chat.channel('nosuchtype', 'x', { created_by_id: 'ann' }).create(), (e: Error & { code?: number }) => e.code === 16);
    });

    it('node-sdk: the same flow on the /api/v2 paths', async () => {
      const channel = h.node.chat.channel('messaging', 'v2-general');
      const created = await channel.getOrCreate({
        data: { created_by_id: 'ann', members: [{ user_id: 'ann' }, { user_id: 'cyd' }], custom: { topic: 'v2' } },
      });
      assert.equal(created.channel?.cid, 'messaging:v2-general');
      assert.deepEqual(created.channel?.custom, { topic: 'v2' });
      assert.ok(created.channel?.created_at instanceof Date);

      const sent = await channel.sendMessage({ message: { text: 'hi from v2', user_id: 'ann', custom: { ref: 1 } } });
      assert.equal(sent.message.text, 'hi from v2');
      assert.deepEqual(sent.message.custom, { ref: 1 });

      const q = await h.node.chat.queryChannels({ filter_conditions: { cid: 'messaging:v2-general' }, sort: [{ field: 'created_at', direction: -1 }] });
      assert.equal(q.channels.length, 1);
      assert.equal(q.channels[0].messages.length, 1);

      await channel.markRead({ user_id: 'cyd' });
      await channel.hide({ user_id: 'cyd' });
      await channel.show({ user_id: 'cyd' });
      const many = await channel.getManyMessages({ ids: [sent.message.id] });
      assert.equal(many.messages[0].id, sent.message.id);
      const one = await h.node.chat.getMessage({ id: sent.message.id });
      assert.equal(one.message.text, 'hi from v2');

      const distinct = h.node.chat.channel('messaging');
      const d = await distinct.getOrCreate({ data: { created_by_id: 'bob', members: [{ user_id: 'bob' }, { user_id: 'ann' }] } });
      assert.match(d.channel?.id ?? '', /^!members-/);
      await h.node.chat.deleteChannel({ type: 'messaging', id: 'v2-general', hard_delete: true });
      const none = await h.node.chat.queryChannels({ filter_conditions: { cid: 'messaging:v2-general' } });
      assert.equal(none.channels.length, 0);
    });
  });
}
