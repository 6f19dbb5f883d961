import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ReactionResponse } from 'stream-chat';
import { parseFilter } from '../src/domain/filter/filter-parser.js';
import { reactionFilterFields } from '../src/domain/filter/reaction-filter-fields.js';
import { backends } from './support/backends.js';
import { connectClients, disconnectAll } from './support/chat-clients.js';
import { startHerald, type RunningHerald } from './support/herald-server.js';
import { rawCall } from './support/raw-client.js';
import { assertIntegerTimes, streamError } from './support/stream-assertions.js';
import { waitFor } from './support/waiting.js';
import { WebhookReceiver } from './support/webhook-receiver.js';

/**
 * Issue 14, reactions: send, update, enforce_unique and delete through both SDKs, the tallies
 * they keep on the message, latest_reactions and own_reactions on every read, the events on a
 * webhook receiver and on connected stream-chat clients, and who may react for whom.
 */
const types = (reactions: readonly { type: string }[] | null | undefined) => (reactions ?? []).map((r) => r.type);

for (const { backend, skip } of await backends()) {
  describe(`reactions on ${backend.name}`, { skip }, () => {
    let h: RunningHerald;
    let receiver: WebhookReceiver;
    let seq = 0;
    /** A fresh message by ann in messaging:react, which ann and bob are members of. */
    const message = async (text = 'react to me') =>
      (await h.chat.channel('messaging', 'react').sendMessage({ id: `m-${backend.name}-${++seq}`, text, user_id: 'ann' })).message.id;

    before(async () => {
      receiver = await new WebhookReceiver().start();
      h = await startHerald(backend);
      await h.chat.updateAppSettings({ webhook_url: receiver.url });
      await h.chat.upsertUsers([{ id: 'ann', name: 'Ann' }, { id: 'bob', name: 'Bob' }, { id: 'cy', name: 'Cy' }]);
      await h.chat.channel('messaging', 'react', { created_by_id: 'ann', members: ['ann', 'bob'] }).create();
    });
    after(async () => {
      await h?.close();
      await receiver?.stop();
    });

    it('stream-chat: a score update, enforce_unique and delete keep counts, scores, latest and own reactions true', async () => {
      const id = await message();
      const channel = h.chat.channel('messaging', 'react');
      const loved = await channel.sendReaction(id, { type: 'love', user_id: 'bob', score: 2, mood: 'happy' });
      assert.equal(loved.reaction.type, 'love');
      assert.equal(loved.reaction.score, 2);
      assert.equal(loved.reaction.user?.name, 'Bob', 'the reaction carries its author');
      assert.equal(loved.reaction.mood, 'happy', 'custom reaction data is flattened on the legacy family');
      assert.deepEqual(loved.message.reaction_counts, { love: 1 });
      assert.deepEqual(loved.message.reaction_scores, { love: 2 });
      assert.deepEqual(loved.message.reaction_groups?.love, { count: 1, sum_scores: 2 });
      assert.deepEqual(types(loved.message.latest_reactions), ['love']);
      assert.equal(loved.message.latest_reactions?.[0].user?.name, 'Bob');
      assert.deepEqual(types(loved.message.own_reactions), ['love'], 'own_reactions are the acting user\'s');

      // The same type again is an update of bob's reaction: one reaction, the new score.
      const rescored = await channel.sendReaction(id, { type: 'love', user_id: 'bob', score: 5 });
      assert.deepEqual(rescored.message.reaction_counts, { love: 1 });
      assert.deepEqual(rescored.message.reaction_scores, { love: 5 });
      assert.equal(rescored.reaction.created_at, loved.reaction.created_at, 'an update keeps when it was first given');

      await channel.sendReaction(id, { type: 'like', user_id: 'ann' });
      const both = await channel.sendReaction(id, { type: 'like', user_id: 'bob' });
      assert.deepEqual(both.message.reaction_counts, { love: 1, like: 2 });
      assert.deepEqual(both.message.reaction_scores, { love: 5, like: 2 });
      assert.deepEqual(types(both.message.own_reactions).sort(), ['like', 'love']);
      assert.deepEqual(types(both.message.latest_reactions), ['like', 'like', 'love'], 'newest first');

      // enforce_unique: bob's love and like go, his wow stays alone.
      const unique = await channel.sendReaction(id, { type: 'wow', user_id: 'bob' }, { enforce_unique: true });
      assert.deepEqual(unique.message.reaction_counts, { like: 1, wow: 1 });
      assert.deepEqual(unique.message.reaction_scores, { like: 1, wow: 1 });
      assert.deepEqual(types(unique.message.own_reactions), ['wow']);
      assert.deepEqual(unique.message.latest_reactions?.map((r) => `${r.user_id}:${r.type}`), ['bob:wow', 'ann:like']);

      const listed = await channel.getReactions(id, {});
      assert.deepEqual(listed.reactions.map((r) => `${r.user_id}:${r.type}`), ['bob:wow', 'ann:like']);
      assert.deepEqual(((await channel.getReactions(id, { limit: 1, offset: 1 })).reactions).map((r) => r.user_id), ['ann']);

      const removed = await channel.deleteReaction(id, 'wow', 'bob');
      assert.equal(removed.reaction.type, 'wow');
      assert.deepEqual(removed.message.reaction_counts, { like: 1 });
      assert.deepEqual(removed.message.reaction_scores, { like: 1 });
      assert.deepEqual(removed.message.own_reactions, []);
      await assert.rejects(channel.deleteReaction(id, 'wow', 'bob'), streamError(16, 404, /no reaction "wow"/));

      const read = await h.chat.getMessage(id);
      assert.deepEqual(read.message.reaction_counts, { like: 1 });
      assert.deepEqual(types(read.message.latest_reactions), ['like']);
      assert.deepEqual(read.message.own_reactions, [], 'a server read is nobody\'s');

      // The tallies are the sums of the rows.
      const rows = await h.herald.deps.storage.reactions.page(id, { filter: parseFilter({}, reactionFilterFields), sort: [], limit: 100, offset: 0 });
      assert.deepEqual(rows.map((r) => `${r.user_id}:${r.type}:${r.score}`), ['ann:like:1']);
    });

    it('keeps the tallies true while many users react to one message at once', async () => {
      const id = await message('popular');
      const fans = Array.from({ length: 20 }, (_, i) => `fan${i}`);
      await h.chat.upsertUsers(fans.map((fan) => ({ id: fan })));
      const channel = h.chat.channel('messaging', 'react');
      await Promise.all(fans.map((fan, i) => channel.sendReaction(id, { type: i % 2 ? 'like' : 'love', user_id: fan, score: 2 })));
      await Promise.all(fans.map((fan) => channel.sendReaction(id, { type: 'wow', user_id: fan }, { enforce_unique: true })));
      await Promise.all(fans.slice(0, 5).map((fan) => channel.deleteReaction(id, 'wow', fan)));
      const { message: read } = await h.chat.getMessage(id);
      assert.deepEqual(read.reaction_counts, { wow: 15 });
      assert.deepEqual(read.reaction_scores, { wow: 15 });
      assert.equal(read.latest_reactions?.length, 10, 'latest_reactions holds the 10 newest');
      const rows = await h.herald.deps.storage.reactions.page(id, { filter: parseFilter({}, reactionFilterFields), sort: [], limit: 100, offset: 0 });
      assert.equal(rows.length, 15);
      assert.deepEqual(read.latest_reactions?.map((r) => r.user_id), rows.slice(0, 10).map((r) => r.user_id), 'the newest rows, newest first');
    });

    it('node-sdk: v2 paths with nested custom data and int64 times, queryReactions with filter, sort and cursors', async () => {
      const id = await message();
      const clapped = await h.node.chat.sendReaction({ id, reaction: { type: 'clap', user_id: 'ann', score: 3, custom: { loud: true } } });
      assert.equal(clapped.reaction.custom.loud, true, 'v2 nests custom data');
      assert.ok(clapped.reaction.created_at instanceof Date);
      assert.deepEqual(clapped.message.reaction_scores, { clap: 3 });
      await h.node.chat.sendReaction({ id, reaction: { type: 'clap', user_id: 'bob', score: 7 } });
      await h.node.chat.sendReaction({ id, reaction: { type: 'heart', user_id: 'bob' } });

      const claps = await h.node.chat.queryReactions({ id, filter: { type: { $eq: 'clap' } }, sort: [{ field: 'created_at', direction: 1 }], limit: 1 });
      assert.deepEqual(claps.reactions.map((r) => r.user_id), ['ann'], 'oldest first');
      assert.ok(claps.next, 'a next page');
      const rest = await h.node.chat.queryReactions({ id, filter: { type: { $eq: 'clap' } }, sort: [{ field: 'created_at', direction: 1 }], limit: 1, next: claps.next });
      assert.deepEqual(rest.reactions.map((r) => `${r.user_id}:${r.score}`), ['bob:7']);
      assert.equal(rest.next, undefined);
      assert.ok(rest.prev);

      const bobs = await h.chat.queryReactions(id, { user_id: { $in: ['bob'] } }, [{ created_at: -1 }]);
      assert.deepEqual(bobs.reactions.map((r) => r.type), ['heart', 'clap'], 'stream-chat queries the legacy path');
      await assert.rejects(h.node.chat.queryReactions({ id, sort: [{ field: 'score', direction: 1 }] }), streamError(4, 400, /"score" is not a reaction field/));
      await assert.rejects(h.node.chat.queryReactions({ id, filter: { score: { $gt: 1 } } }), streamError(4, 400, /score/));

      const listed = await h.node.chat.getReactions({ id, limit: 2 });
      assert.deepEqual(listed.reactions.map((r) => r.type), ['heart', 'clap']);
      const deleted = await h.node.chat.deleteReaction({ id, type: 'clap', user_id: 'bob' });
      assert.deepEqual(deleted.message.reaction_counts, { clap: 1, heart: 1 });
      assert.deepEqual(deleted.message.reaction_scores, { clap: 3, heart: 1 });

      const raw = await rawCall(h.baseURL, 'GET', `/api/v2/chat/messages/${id}`);
      assert.equal(raw.status, 200);
      assert.equal(raw.body.message.latest_reactions.length, 2);
      assert.deepEqual(raw.body.message.latest_reactions[1].custom, { loud: true });
      assert.ok(assertIntegerTimes(raw.text) > 4, 'reaction times are int64 nanoseconds on v2');
    });

    it('hydrates own_reactions per user token and latest_reactions in channel state and message reads', async () => {
      const reacted = await message('reacted');
      const plain = await message('plain');
      const channel = h.chat.channel('messaging', 'react');
      await channel.sendReaction(reacted, { type: 'like', user_id: 'ann' });
      await channel.sendReaction(reacted, { type: 'love', user_id: 'bob' });
      const [ann, bob] = await connectClients(h.baseURL, ['ann', 'bob']);
      try {
        const annChannel = ann.client.channel('messaging', 'react');
        const annState = await annChannel.watch({ messages: { limit: 50 } });
        const seen = annState.messages.find((m) => m.id === reacted)!;
        assert.deepEqual(types(seen.own_reactions), ['like'], 'ann sees her own');
        assert.deepEqual(types(seen.latest_reactions), ['love', 'like']);
        assert.equal(seen.latest_reactions?.[0].user?.name, 'Bob');
        assert.deepEqual(seen.reaction_counts, { like: 1, love: 1 });
        const unreacted = annState.messages.find((m) => m.id === plain)!;
        assert.deepEqual([unreacted.latest_reactions, unreacted.own_reactions], [[], []]);
        assert.deepEqual(types(annChannel.state.findMessage(reacted)?.own_reactions), ['like'], 'stream-chat\'s state took them');

        const [bobChannel] = await bob.client.queryChannels({ cid: 'messaging:react' }, {}, { message_limit: 50 });
        assert.deepEqual(types(bobChannel.state.findMessage(reacted)?.own_reactions), ['love'], 'bob sees his');

        const many = await bob.client.channel('messaging', 'react').getMessagesById([reacted, plain]);
        const byId = new Map(many.messages.map((m) => [m.id, m]));
        assert.deepEqual(types(byId.get(reacted)?.own_reactions), ['love']);
        assert.deepEqual(types(byId.get(reacted)?.latest_reactions), ['love', 'like']);
        assert.deepEqual(byId.get(plain)?.latest_reactions, []);
        const one = await ann.client.getMessage(reacted);
        assert.deepEqual(types(one.message.own_reactions), ['like']);
      } finally {
        await disconnectAll([ann, bob]);
      }
    });

    it('reports reaction.new, reaction.updated and reaction.deleted to webhooks and to watching clients', async () => {
      const id = await message('watch my reactions');
      const [ann, bob] = await connectClients(h.baseURL, ['ann', 'bob']);
      try {
        const bobChannel = bob.client.channel('messaging', 'react');
        await bobChannel.watch();
        const annChannel = ann.client.channel('messaging', 'react');
        await annChannel.watch();
        const newest: string[] = [];
        bobChannel.on('reaction.new', (e) => newest.push(`${e.user?.id}:${e.reaction?.type}`));

        await annChannel.sendReaction(id, { type: 'haha' });
        const [created] = await bob.waitFor('reaction.new');
        assert.equal(created.reaction?.type, 'haha');
        assert.equal(created.reaction?.user?.name, 'Ann');
        assert.equal(created.user?.id, 'ann');
        assert.equal(created.cid, 'messaging:react');
        assert.deepEqual(created.message?.reaction_counts, { haha: 1 });
        assert.deepEqual(newest, ['ann:haha'], 'channel.on(\'reaction.new\') heard it');
        assert.deepEqual(bobChannel.state.findMessage(id)?.reaction_counts, { haha: 1 }, 'bob\'s state follows');
        assert.deepEqual(bobChannel.state.findMessage(id)?.own_reactions, [], 'not bob\'s reaction');

        await annChannel.sendReaction(id, { type: 'wow' }, { enforce_unique: true });
        const [updated] = await bob.waitFor('reaction.updated');
        assert.equal(updated.reaction?.type, 'wow');
        assert.deepEqual(updated.message?.reaction_counts, { wow: 1 });
        await ann.waitFor('reaction.updated');
        assert.deepEqual(types(annChannel.state.findMessage(id)?.own_reactions), ['wow'], 'ann\'s state has hers');

        await annChannel.deleteReaction(id, 'wow');
        const [deleted] = await bob.waitFor('reaction.deleted');
        assert.equal(deleted.reaction?.type, 'wow');
        assert.deepEqual(deleted.message?.reaction_counts, {});
        await waitFor('bob\'s state to drop it', async () => Object.keys(bobChannel.state.findMessage(id)?.reaction_counts ?? { x: 1 }).length === 0);

        const hooked = (type: string) => receiver.events(type).filter((e) => e.message?.id === id);
        await waitFor('the three webhooks', async () => hooked('reaction.new').length + hooked('reaction.updated').length + hooked('reaction.deleted').length === 3);
        const [hook] = hooked('reaction.new');
        assert.equal(hook.reaction.type, 'haha');
        assert.equal(hook.user.id, 'ann');
        assert.equal(hook.cid, 'messaging:react');
        assert.deepEqual(hook.message.reaction_counts, { haha: 1 });
        assert.ok(receiver.accepted.every((d) => d.verified), 'signed');
        assert.equal(hooked('reaction.updated')[0].reaction.type, 'wow');
        assert.equal(hooked('reaction.deleted')[0].reaction.type, 'wow');
        await sleep(200);
        assert.equal(bob.of('reaction.new').filter((e) => e.message?.id === id).length, 1, 'each event once');
      } finally {
        await disconnectAll([ann, bob]);
      }
    });

    it('lets a user add and remove only its own reactions, on messages it can read', async () => {
      const id = await message();
      await h.chat.channel('messaging', 'react').sendReaction(id, { type: 'like', user_id: 'ann' });
      const [bob, cy] = await connectClients(h.baseURL, ['bob', 'cy']);
      try {
        const bobChannel = bob.client.channel('messaging', 'react');
        await bobChannel.watch();
        await assert.rejects(bobChannel.sendReaction(id, { type: 'like', user_id: 'ann' }), streamError(17, 403, /not allowed to add reactions for user "ann"/));
        await assert.rejects(bobChannel.deleteReaction(id, 'like', 'ann'), streamError(17, 403, /not allowed to remove reactions for user "ann"/));
        await assert.rejects(bobChannel.deleteReaction(id, 'like'), streamError(16, 404), 'bob has no like to remove');
        const cyChannel = cy.client.channel('messaging', 'react');
        await assert.rejects(cyChannel.sendReaction(id, { type: 'like' }), streamError(17, 403, /not a member/));
        await assert.rejects(cy.client.queryReactions(id, {}), streamError(17, 403, /not a member/));
        const own = await bobChannel.sendReaction(id, { type: 'like' });
        assert.equal(own.reaction.user_id, 'bob');
        assert.deepEqual(own.message.reaction_counts, { like: 2 });
      } finally {
        await disconnectAll([bob, cy]);
      }
      const channel = h.chat.channel('messaging', 'react');
      await assert.rejects(channel.sendReaction(id, { type: 'like' }), streamError(4, 400, /user_id is required/));
      await assert.rejects(channel.sendReaction('no-such-message', { type: 'like', user_id: 'ann' }), streamError(16, 404, /does not exist/));
      await assert.rejects(channel.sendReaction(id, { type: 'x'.repeat(31), user_id: 'ann' }), streamError(4, 400, /1 to 30 characters/));
      await assert.rejects(channel.sendReaction(id, { type: 'like', user_id: 'ann', score: 1.5 }), streamError(4, 400, /score/));
      await assert.rejects(channel.sendReaction(id, { type: 'like', user_id: 'ghost' }), streamError(4, 400, /"ghost" does not exist/));
      const legacy = (await h.chat.getMessage(id)).message;
      assert.deepEqual(legacy.reaction_counts, { like: 2 }, 'the refusals changed nothing');
      assert.deepEqual(legacy.latest_reactions?.map((r: ReactionResponse) => r.user_id), ['bob', 'ann']);
    });
  });
}
