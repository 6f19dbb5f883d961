import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { backends } from './support/backends.js';
import { connectClient, type ChatClient } from './support/chat-clients.js';
import { startHerald, type RunningHerald } from './support/herald-server.js';
import { json, rawCall } from './support/raw-client.js';
import { assertRawError, RFC3339_MICROS, streamError } from './support/stream-assertions.js';
import { waitFor } from './support/waiting.js';
import { WebhookReceiver } from './support/webhook-receiver.js';

/**
 * Messages after they are sent, through both SDKs: update and partial update, pin and unpin,
 * soft and hard delete, threads, mark unread and search, with their events on a webhook
 * receiver and on connected stream-chat clients, and the refusals of a user token.
 */
for (const { backend, skip } of await backends()) {
  describe(`message updates, threads, pins, unread and search on ${backend.name}`, { skip }, () => {
    let h: RunningHerald;
    let receiver: WebhookReceiver;
    let bob: ChatClient;
    const cid = 'messaging:breadth';
    const hook = (type: string, messageId: string) => receiver.events(type).filter((e) => e.message?.id === messageId);
    const raw = (method: string, path: string, body?: unknown) => rawCall(h.baseURL, method, path, body === undefined ? {} : { body: json(body) });

    before(async () => {
      receiver = await new WebhookReceiver().start();
      h = await startHerald(backend);
      await h.chat.updateAppSettings({ webhook_url: receiver.url } as never);
      await h.chat.upsertUsers([{ id: 'ann' }, { id: 'bob' }, { id: 'cyd' }, { id: 'mod', role: 'admin' }]);
      await h.chat.channel('messaging', 'breadth', { created_by_id: 'ann', members: ['ann', 'bob'] }).create();
      bob = await connectClient(h.baseURL, 'bob');
      await bob.client.channel('messaging', 'breadth').watch();
    });
    after(async () => {
      await bob?.client.disconnectUser();
      await h?.close();
      await receiver?.stop();
    });

    it('stream-chat: updateMessage, partialUpdateMessage, pinMessage and unpinMessage, heard by webhooks and watchers', async () => {
      const channel = h.chat.channel('messaging', 'breadth');
      const { message: sent } = await channel.sendMessage({ text: 'first draft', user_id: 'ann', mood: 'calm' });

      const { message: updated } = await h.chat.updateMessage({ ...sent, text: 'final text', mood: 'happy' }, 'ann');
      assert.equal(updated.text, 'final text');
      assert.equal(updated.mood, 'happy');
      assert.match(String(updated.message_text_updated_at), RFC3339_MICROS);
      assert.equal(updated.reply_count, 0);
      assert.equal('reaction_groups' in updated && typeof updated.reaction_groups, 'object', 'read-only fields sent back are not custom data');

      const { message: partial } = await h.chat.partialUpdateMessage(sent.id, { set: { color: 'red' }, unset: ['mood'] }, 'ann');
      assert.equal(partial.color, 'red');
      assert.equal(partial.mood, undefined);
      assert.equal(partial.text, 'final text');
      assert.equal(partial.message_text_updated_at, updated.message_text_updated_at, 'the text did not change');

      const { message: pinned } = await h.chat.pinMessage(sent.id, 3600, 'bob');
      assert.equal(pinned.pinned, true);
      assert.equal(pinned.pinned_by?.id, 'bob');
      assert.ok(Date.parse(String(pinned.pin_expires)) > Date.now() + 3_500_000);
      const state = await h.chat.channel('messaging', 'breadth').query({});
      assert.deepEqual(state.pinned_messages.map((m) => m.id), [sent.id], "the channel state's pinned_messages");
      const listed = await channel.getPinnedMessages({ limit: 5 });
      assert.deepEqual(listed.messages.map((m) => m.id), [sent.id]);

      const { message: unpinned } = await h.chat.unpinMessage(sent.id, 'ann');
      assert.equal(unpinned.pinned, false);
      assert.equal(unpinned.pinned_at, null);
      assert.equal((await channel.getPinnedMessages({})).messages.length, 0);

      await waitFor('four message.updated webhooks', async () => hook('message.updated', sent.id).length === 4);
      const hooks = hook('message.updated', sent.id);
      assert.deepEqual(hooks.map((e) => [e.message.text, e.message.pinned]), [['final text', false], ['final text', false], ['final text', true], ['final text', false]]);
      assert.equal(hooks[2].user.id, 'bob', 'the pin is by bob');
      assert.equal(hooks[0].cid, cid);

      const heard = (await bob.waitFor('message.updated', 4)).filter((e) => e.message?.id === sent.id);
      assert.equal(heard.length, 4);
      const local = bob.client.channel('messaging', 'breadth').state.messages.find((m) => m.id === sent.id);
      assert.equal(local?.text, 'final text', "the watcher's channel state took the edits");
      assert.equal(local?.color, 'red');
    });

    it('refuses bad edits with code 4', async () => {
      const { message } = await h.chat.channel('messaging', 'breadth').sendMessage({ text: 'to edit', user_id: 'ann' });
      await assert.rejects(h.chat.updateMessage({ id: message.id, text: 'x'.repeat(5001) }, 'ann'), streamError(20, 400, /too long/));
      await assert.rejects(h.chat.updateMessage({ id: message.id, text: '' }, 'ann'), streamError(4, 400, /required/));
      await assert.rejects(h.chat.partialUpdateMessage(message.id, { set: { user_id: 'bob' } as never }, 'ann'), streamError(4, 400, /reserved/));
      await assert.rejects(h.chat.partialUpdateMessage(message.id, { set: { big: 'x'.repeat(6000) } }, 'ann'), streamError(4, 400, /custom data/));
      await assert.rejects(h.chat.partialUpdateMessage(message.id, { set: { a: 1 }, unset: ['a'] }, 'ann'), streamError(4, 400, /both set and unset/));
      await assert.rejects(h.chat.partialUpdateMessage('no-such-message', { set: { a: 1 } }, 'ann'), streamError(16, 404));
      await assert.rejects(h.chat.pinMessage(message.id, '2001-01-01T00:00:00Z', 'ann'), streamError(4, 400, /pin_expires/));
    });

    it('node-sdk: updateMessage, updateMessagePartial and deleteMessage soft and hard', async () => {
      const channel = h.node.chat.channel('messaging', 'breadth');
      const before = (await h.node.chat.queryChannels({ filter_conditions: { cid } })).channels[0].channel!.message_count!;
      const { message: soft } = await channel.sendMessage({ message: { text: 'v2 message', user_id: 'ann', custom: { k: 0 } } });
      const { message: hard } = await channel.sendMessage({ message: { text: 'v2 doomed', user_id: 'ann' } });

      const { message: updated } = await h.node.chat.updateMessage({ id: soft.id, message: { text: 'v2 edited', user_id: 'ann', custom: { k: 1 } } });
      assert.equal(updated.text, 'v2 edited');
      assert.deepEqual(updated.custom, { k: 1 });
      assert.ok(updated.message_text_updated_at instanceof Date);
      const partial = (await h.node.chat.updateMessagePartial({ id: soft.id, user_id: 'ann', set: { pinned: true, extra: 'yes' } })).message!;
      assert.equal(partial.pinned, true);
      assert.ok(partial.pinned_at instanceof Date);
      assert.deepEqual(partial.custom, { k: 1, extra: 'yes' });

      const { message: deleted } = await h.node.chat.deleteMessage({ id: soft.id, deleted_by: 'ann' });
      assert.equal(deleted.type, 'deleted');
      assert.ok(deleted.deleted_at instanceof Date);
      assert.equal((await h.node.chat.getMessage({ id: soft.id })).message.type, 'deleted', 'a soft-deleted message is still there');
      await assert.rejects(h.node.chat.updateMessagePartial({ id: soft.id, user_id: 'ann', set: { text: 'again' } }), streamError(4, 400, /deleted/));

      await h.node.chat.deleteMessage({ id: hard.id, hard: true });
      await assert.rejects(h.node.chat.getMessage({ id: hard.id }), streamError(16, 404));
      const count = (await h.node.chat.queryChannels({ filter_conditions: { cid } })).channels[0].channel!.message_count;
      assert.equal(count, before + 1, 'a hard delete takes the message off message_count, a soft one does not');
      const history = await channel.getOrCreate({ messages: { limit: 100 } });
      assert.ok(!history.messages.some((m) => m.id === soft.id || m.id === hard.id), 'deleted messages leave the history');

      await waitFor('message.deleted webhooks', async () => hook('message.deleted', soft.id).length + hook('message.deleted', hard.id).length === 2);
      assert.equal(hook('message.deleted', soft.id)[0].hard_delete, false);
      assert.equal(hook('message.deleted', hard.id)[0].hard_delete, true);
      assert.equal(hook('message.deleted', hard.id)[0].message.type, 'deleted');
      assert.equal(hook('message.updated', soft.id).length, 2);
      const heard = await waitFor('message.deleted on the watcher', async () => {
        const events = bob.of('message.deleted').filter((e) => e.message?.id === soft.id || e.message?.id === hard.id);
        return events.length === 2 && events;
      });
      assert.deepEqual(heard.map((e) => e.hard_delete), [false, true]);
      assert.equal(bob.client.channel('messaging', 'breadth').state.messages.find((m) => m.id === soft.id)?.type, 'deleted');

      const v2Raw = await raw('DELETE', `/api/v2/chat/messages/${updated.id}?delete_for_me=true`);
      assertRawError(v2Raw, 400, 4, /delete_for_me/);
    });

    it('threads: replies, reply_count, show_in_channel, getReplies paging on both SDKs, quoted messages', async () => {
      const channel = h.chat.channel('messaging', 'breadth');
      const { message: parent } = await channel.sendMessage({ text: 'thread start', user_id: 'ann' });
      const replies: string[] = [];
      for (let i = 1; i <= 5; i++) {
        const { message } = await channel.sendMessage({ text: `reply ${i}`, user_id: i % 2 ? 'bob' : 'ann', parent_id: parent.id, show_in_channel: i === 3 });
        assert.equal(message.parent_id, parent.id);
        replies.push(message.id);
      }
      assert.equal((await h.chat.getMessage(parent.id)).message.reply_count, 5);
      const newOnWatcher = await waitFor('the replies on the watcher', async () => {
        const events = bob.of('message.new').filter((e) => e.message?.parent_id === parent.id);
        return events.length === 5 && events;
      });
      assert.equal(newOnWatcher[2].message?.show_in_channel, true);

      const history = await channel.query({ messages: { limit: 100 } });
      const inChannel = history.messages.filter((m) => m.parent_id === parent.id).map((m) => m.text);
      assert.deepEqual(inChannel, ['reply 3'], 'only the reply shown in the channel is in its history');

      const texts = (messages: Array<{ text?: string }>) => messages.map((m) => m.text);
      assert.deepEqual(texts((await channel.getReplies(parent.id, { limit: 2 })).messages), ['reply 1', 'reply 2']);
      assert.deepEqual(texts((await channel.getReplies(parent.id, { limit: 2, id_gt: replies[1] })).messages), ['reply 3', 'reply 4']);
      assert.deepEqual(texts((await channel.getReplies(parent.id, { limit: 2, id_lt: replies[4] })).messages), ['reply 3', 'reply 4']);
      assert.deepEqual(texts((await channel.getReplies(parent.id, { limit: 2 }, [{ created_at: -1 }])).messages), ['reply 4', 'reply 5']);
      const v2 = await h.node.chat.getReplies({ parent_id: parent.id, limit: 3, id_lte: replies[2] });
      assert.deepEqual(texts(v2.messages), ['reply 1', 'reply 2', 'reply 3']);
      assert.ok(v2.messages[0].created_at instanceof Date);
      const v2Next = await h.node.chat.getReplies({ parent_id: parent.id, limit: 10, id_gte: replies[3] });
      assert.deepEqual(texts(v2Next.messages), ['reply 4', 'reply 5']);

      await h.chat.deleteMessage(replies[0]);
      await h.chat.deleteMessage(replies[1], true);
      assert.equal((await h.chat.getMessage(parent.id)).message.reply_count, 3, 'deleted replies leave reply_count');
      assert.deepEqual(texts((await channel.getReplies(parent.id, {})).messages), ['reply 3', 'reply 4', 'reply 5']);

      await assert.rejects(channel.sendMessage({ text: 'nested', user_id: 'ann', parent_id: replies[2] }), streamError(4, 400, /cannot be a parent/));
      await assert.rejects(channel.sendMessage({ text: 'lost', user_id: 'ann', parent_id: 'no-such-parent' }), streamError(4, 400, /parent_id/));
      await assert.rejects(channel.getReplies('no-such-parent', {}), streamError(16, 404));

      const { message: quoting } = await channel.sendMessage({ text: 'as I said', user_id: 'bob', quoted_message_id: parent.id });
      assert.equal(quoting.quoted_message_id, parent.id);
      assert.equal(quoting.quoted_message?.text, 'thread start');
      const { message: v2Quoting } = await h.node.chat.getMessage({ id: quoting.id });
      assert.equal(v2Quoting.quoted_message?.id, parent.id);
      assert.equal(v2Quoting.quoted_message?.user?.id, 'ann');
      await assert.rejects(channel.sendMessage({ text: 'no', user_id: 'bob', quoted_message_id: 'nope' }), streamError(4, 400, /quoted_message_id/));
    });

    it('mark unread moves last_read back: counts, read state and notification.mark_unread on both SDKs', async () => {
      await h.chat.channel('messaging', 'unread', { created_by_id: 'ann', members: ['ann', 'bob'] }).create();
      const server = h.chat.channel('messaging', 'unread');
      const sent = [];
      for (const text of ['one', 'two', 'three']) sent.push((await server.sendMessage({ text, user_id: 'ann' })).message);
      await server.markRead({ user_id: 'bob' });

      const mine = bob.client.channel('messaging', 'unread');
      await mine.watch();
      assert.equal(mine.countUnread(), 0);
      await mine.markUnread({ message_id: sent[1].id });
      const [notice] = await bob.waitFor('notification.mark_unread');
      assert.equal(notice.cid, 'messaging:unread');
      assert.equal(notice.first_unread_message_id, sent[1].id);
      assert.equal(notice.last_read_message_id, sent[0].id);
      assert.equal(notice.unread_messages, 2);
      assert.ok((notice.total_unread_count ?? 0) >= 2);
      assert.equal(mine.countUnread(), 2, "the client's read state took the event");
      const read = (await server.query({})).read?.find((r) => r.user.id === 'bob');
      assert.equal(read?.unread_messages, 2);

      await h.node.chat.channel('messaging', 'unread').markUnread({ message_id: sent[2].id, user_id: 'bob' });
      const after = (await h.node.chat.queryChannels({ filter_conditions: { cid: 'messaging:unread' }, user_id: 'bob' })).channels[0];
      assert.equal(after.read?.find((r) => r.user.id === 'bob')?.unread_messages, 1);
      await bob.waitFor('notification.mark_unread', 2);

      assertRawError(await raw('POST', '/channels/messaging/unread/unread', { message_id: sent[0].id }), 400, 4, /user_id/);
      assertRawError(await raw('POST', '/channels/messaging/unread/unread', { message_id: sent[0].id, user_id: 'cyd' }), 400, 4, /not a member/);
      assertRawError(await raw('POST', '/api/v2/chat/channels/messaging/unread/unread', { message_id: 'nope', user_id: 'bob' }), 404, 16);
    });

    it('search: query and message filters over the matching channels, offset and next/previous paging, on both SDKs', async () => {
      await h.chat.channel('messaging', 'search-a', { created_by_id: 'ann', members: ['ann', 'cyd'] }).create();
      await h.chat.channel('messaging', 'search-b', { created_by_id: 'cyd', members: ['cyd'] }).create();
      const a = h.chat.channel('messaging', 'search-a');
      const b = h.chat.channel('messaging', 'search-b');
      const ids: string[] = [];
      for (let i = 1; i <= 5; i++) ids.push((await a.sendMessage({ text: `Needle number ${i}`, user_id: i % 2 ? 'ann' : 'cyd', rank: i })).message.id);
      await a.sendMessage({ text: 'a haystack only', user_id: 'ann' });
      await b.sendMessage({ text: 'NEEDLE in channel b', user_id: 'cyd' });
      await h.chat.pinMessage(ids[4], null, 'ann');

      const first = await h.chat.search({ cid: 'messaging:search-a' }, 'needle', { limit: 2 });
      assert.deepEqual(first.results.map((r) => r.message.id), ids.slice(0, 2));
      assert.equal(first.results[0].message.channel?.cid, 'messaging:search-a');
      assert.ok(first.next, 'more results: a next cursor');
      const second = await h.chat.search({ cid: 'messaging:search-a' }, 'needle', { limit: 2, next: first.next });
      assert.deepEqual(second.results.map((r) => r.message.id), ids.slice(2, 4));
      const last = await h.chat.search({ cid: 'messaging:search-a' }, 'needle', { limit: 2, next: second.next });
      assert.deepEqual(last.results.map((r) => r.message.id), [ids[4]]);
      assert.equal(last.next, undefined);
      const back = await h.chat.search({ cid: 'messaging:search-a' }, 'needle', { limit: 2, next: last.previous });
      assert.deepEqual(back.results.map((r) => r.message.id), ids.slice(2, 4));
      const offset = await h.chat.search({ type: 'messaging' }, 'NEEDLE number', { limit: 10, offset: 3 });
      assert.deepEqual(offset.results.map((r) => r.message.id), ids.slice(3));

      const both = await h.chat.search({ members: { $in: ['cyd'] } }, 'needle', { limit: 10 });
      assert.equal(both.results.length, 6, 'every channel the filter matches');
      const byFilter = await h.chat.search({ members: { $in: ['cyd'] } }, { text: { $autocomplete: 'need' }, 'user.id': 'cyd' } as never, {
        sort: [{ rank: -1 }] as never,
      });
      assert.deepEqual(byFilter.results.map((r) => r.message.text), ['Needle number 4', 'Needle number 2', 'NEEDLE in channel b']);
      const pinned = await h.chat.search({ cid: 'messaging:search-a' }, { pinned: true } as never);
      assert.deepEqual(pinned.results.map((r) => r.message.id), [ids[4]]);
      const custom = await h.chat.search({ cid: 'messaging:search-a' }, { rank: { $gte: 4 } } as never);
      assert.deepEqual(custom.results.map((r) => r.message.id), ids.slice(3));

      const v2 = await h.node.chat.search({ payload: { filter_conditions: { cid: 'messaging:search-b' }, query: 'needle', limit: 5 } });
      assert.equal(v2.results.length, 1);
      assert.equal(v2.results[0].message?.text, 'NEEDLE in channel b');
      assert.ok(v2.results[0].message?.created_at instanceof Date);
      const v2Filter = await h.node.chat.search({ payload: { filter_conditions: { type: 'messaging' }, message_filter_conditions: { user_id: { $in: ['ann'] }, text: { $q: 'number' } } } });
      assert.deepEqual(v2Filter.results.map((r) => r.message?.id), [ids[0], ids[2], ids[4]]);

      const search = (payload: unknown) => raw('GET', `/search?payload=${encodeURIComponent(JSON.stringify(payload))}`);
      assertRawError(await search({ query: 'needle' }), 400, 4, /filter_conditions/);
      assertRawError(await search({ filter_conditions: { type: 'messaging' }, query: 'a', message_filter_conditions: { text: { $q: 'a' } } }), 400, 4, /only one/);
      assertRawError(await search({ filter_conditions: { type: 'messaging' }, query: 'a', offset: 2, next: first.next }), 400, 4, /offset/);
      assertRawError(await search({ filter_conditions: { type: 'messaging' }, query: 'a', next: 'garbage' }), 400, 4, /next/);
      assertRawError(await search({ filter_conditions: { type: 'messaging' }, message_filter_conditions: { attachments: { $exists: true } } }), 400, 4, /attachments/);
    });

    it('a user token: own messages only, member channels only; server tokens act as a user', async () => {
      const { message: annMessage } = await h.chat.channel('messaging', 'breadth').sendMessage({ text: 'ann says', user_id: 'ann' });
      const refused = streamError(17, 403);
      await assert.rejects(bob.client.updateMessage({ id: annMessage.id, text: 'bob rewrites' }), refused);
      await assert.rejects(bob.client.partialUpdateMessage(annMessage.id, { set: { text: 'bob rewrites' } }), refused);
      await assert.rejects(bob.client.pinMessage(annMessage.id), refused);
      await assert.rejects(bob.client.deleteMessage(annMessage.id), refused);
      await assert.rejects(bob.client.updateMessage({ id: annMessage.id, text: 'as ann' }, 'ann'), refused);

      const own = await bob.client.channel('messaging', 'breadth').sendMessage({ text: 'bob says' });
      const { message: edited } = await bob.client.updateMessage({ id: own.message.id, text: 'bob says, edited' });
      assert.equal(edited.text, 'bob says, edited');
      const { message: pinned } = await bob.client.pinMessage(own.message.id);
      assert.equal(pinned.pinned_by?.id, 'bob');
      const { message: gone } = await bob.client.deleteMessage(own.message.id);
      assert.equal(gone.type, 'deleted');

      // An admin may change anyone's message; a server token acts as the user it names.
      const { message: moderated } = await h.chat.partialUpdateMessage(annMessage.id, { set: { flagged_by: 'mod' } }, 'mod');
      assert.equal(moderated.flagged_by, 'mod');
      await waitFor('the moderation webhook', async () => hook('message.updated', annMessage.id).some((e) => e.user?.id === 'mod'));

      const outside = await bob.client.search({ type: 'messaging' }, 'needle');
      assert.equal(outside.results.length, 0, 'bob is a member of no channel with needles');
      const inside = await bob.client.search({ type: 'messaging' }, 'ann says');
      assert.deepEqual(inside.results.map((r) => r.message.id), [annMessage.id]);
      const search = await h.chat.search({ cid: 'messaging:search-a' }, 'needle', { limit: 1 });
      await assert.rejects(bob.client.getMessage(search.results[0].message.id), refused);
      await assert.rejects(bob.client.channel('messaging', 'search-a').getReplies(search.results[0].message.id, {}), refused);
      await assert.rejects(bob.client.get(`${h.baseURL}/channels/messaging/search-a/pinned_messages`, { payload: {} }), refused);
    });
  });
}
