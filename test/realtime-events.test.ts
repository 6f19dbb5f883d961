import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Event } from 'stream-chat';
import { backends } from './support/backends.js';
import { connectClient, connectClients, disconnectAll, type ChatClient } from './support/chat-clients.js';
import { startHerald, startHeraldOn, type RunningHerald } from './support/herald-server.js';
import { waitFor } from './support/waiting.js';

/**
 * Issue 10: what the unmodified stream-chat client sees live. Campaign messages reach
 * connected users exactly once (message.new to watchers, notification.message_new and
 * notification.added_to_channel to the others), unread counts follow, markRead resets them and
 * counts the read; users chat and type to each other; clients survive a restart; long-poll.
 */
const userId = (i: number) => `rt${String(i).padStart(2, '0')}`;
const AUDIENCE = 50;
// Half the audience already has its campaign channel and watches it; the campaign creates the others'.
const WATCHING = 25;

const campaignEvents = (c: ChatClient, campaignId: string) =>
  c.of('message.new', 'notification.message_new').filter((e) => e.message?.campaign_id === campaignId);

for (const { backend, skip } of await backends()) {
  describe(`realtime events on ${backend.name}`, { skip }, () => {
    let h: RunningHerald;
    before(async () => {
      h = await startHerald(backend);
      await h.chat.upsertUsers([{ id: 'boss', name: 'Boss' }, { id: 'ann', name: 'Ann' }, { id: 'bob', name: 'Bob' }]);
      const audience = Array.from({ length: AUDIENCE }, (_, i) => ({ id: userId(i), name: `User ${i}` }));
      await h.chat.upsertUsers(audience);
    });
    after(async () => h?.close());

    it('delivers a campaign to 50 connected users exactly once, with unread counts, and counts their reads', async () => {
      for (let i = 0; i < WATCHING; i++) {
        await h.chat.channel('messaging', `promo-${userId(i)}`, { created_by_id: 'boss', members: ['boss', userId(i)] }).create();
      }
      const clients = await connectClients(h.baseURL, Array.from({ length: AUDIENCE }, (_, i) => userId(i)));
      try {
        // The first half watches its channels, as an app's channel list does.
        for (const c of clients.slice(0, WATCHING)) {
          const channels = await c.client.queryChannels({ members: { $in: [c.userId] } }, {}, { watch: true });
          assert.deepEqual(channels.map((ch) => ch.cid), [`messaging:promo-${c.userId}`]);
          assert.equal(channels[0].state.watcher_count, 1, 'the client counts itself as a watcher');
        }
        const campaign = h.chat.campaign({
          sender_id: 'boss',
          user_ids: clients.map((c) => c.userId),
          create_channels: true,
          channel_template: { type: 'messaging', id: 'promo-{{ receiver.id }}' },
          message_template: { text: 'Hi {{ receiver.name }}!' },
        });
        await campaign.create();
        await campaign.start();
        const id = campaign.id!;

        await Promise.all(clients.map((c, i) => c.waitFor(i < WATCHING ? 'message.new' : 'notification.message_new')));
        await waitFor('the campaign to complete', async () => (await h.chat.getCampaign(id)).campaign.status === 'completed');
        await sleep(500); // anything sent twice would arrive by now
        for (const [i, c] of clients.entries()) {
          const seen = campaignEvents(c, id);
          assert.equal(seen.length, 1, `${c.userId} sees the campaign message exactly once`);
          const [event] = seen;
          assert.equal(event.type, i < WATCHING ? 'message.new' : 'notification.message_new');
          assert.equal(event.message?.text, `Hi User ${i}!`);
          assert.equal(event.cid, `messaging:promo-${c.userId}`);
          assert.equal(event.total_unread_count, 1, 'unread counts of the recipient ride along');
          assert.equal(event.unread_channels, 1);
          if (i >= WATCHING) {
            assert.equal(event.channel?.cid, event.cid, 'notification.message_new carries the channel');
            const added = c.of('notification.added_to_channel');
            assert.equal(added.length, 1, `${c.userId} is told once that it was added`);
            assert.equal(added[0].member?.user_id, c.userId);
            assert.deepEqual((added[0].channel?.members ?? []).map((m) => m.user_id).sort(), ['boss', c.userId].sort());
            assert.ok(c.events.indexOf(added[0]) < c.events.indexOf(event), 'added before the message');
          } else {
            assert.equal(c.of('notification.added_to_channel').length, 0, 'an existing member is not added again');
          }
        }

        // The client's own state: the message is there and counts as unread, once.
        for (const [i, c] of clients.entries()) {
          const channel = c.client.channel('messaging', `promo-${c.userId}`);
          if (i >= WATCHING) await channel.watch();
          assert.ok(channel.state.latestMessages.some((m) => m.text === `Hi User ${i}!`), `${c.userId}'s channel state holds the message`);
          assert.equal(channel.countUnread(), 1, `${c.userId} has one unread message`);
        }

        for (const c of clients) await c.client.channel('messaging', `promo-${c.userId}`).markRead();
        for (const c of clients) {
          const [read] = await c.waitFor('notification.mark_read');
          assert.equal(read.total_unread_count, 0);
          assert.equal(read.unread_channels, 0);
          assert.equal(c.client.channel('messaging', `promo-${c.userId}`).countUnread(), 0, 'markRead makes it 0');
          // Every client watches its channel now, so it also sees its own read.
          await c.waitFor('message.read');
        }
        const { campaign: read } = await h.chat.getCampaign(id);
        assert.equal(read.stats.stats_users_read, AUDIENCE, 'the reads count for the campaign');
      } finally {
        await disconnectAll(clients);
      }
    });

    it('carries a chat between two users, with typing, and stops after stop-watching', async () => {
      await h.chat.channel('messaging', 'ann-and-bob', { created_by_id: 'ann', members: ['ann', 'bob'] }).create();
      const [ann, bob] = await connectClients(h.baseURL, ['ann', 'bob']);
      try {
        const annChannel = ann.client.channel('messaging', 'ann-and-bob');
        const bobChannel = bob.client.channel('messaging', 'ann-and-bob');
        await annChannel.watch();
        const watched = await bobChannel.watch();
        assert.equal(watched.watcher_count, 2);
        assert.deepEqual(watched.watchers?.map((u) => u.id).sort(), ['ann', 'bob']);

        await annChannel.sendMessage({ text: 'hello Bob' });
        const [incoming] = await bob.waitFor('message.new');
        assert.equal(incoming.message?.text, 'hello Bob');
        assert.equal(incoming.user?.id, 'ann');
        assert.equal(incoming.total_unread_count, 1);
        assert.equal(bobChannel.countUnread(), 1);
        assert.ok(bobChannel.state.latestMessages.some((m) => m.text === 'hello Bob'));
        const [own] = await ann.waitFor('message.new');
        assert.equal(own.message?.text, 'hello Bob', 'watchers include the author');
        assert.equal(annChannel.countUnread(), 0, 'her own message is not unread to her');

        await bobChannel.keystroke();
        const [typing] = await ann.waitFor('typing.start');
        assert.equal(typing.user?.id, 'bob');
        assert.equal(typing.cid, 'messaging:ann-and-bob');
        await bobChannel.stopTyping();
        await ann.waitFor('typing.stop');
        assert.equal(bob.of('typing.start', 'typing.stop').length, 0, 'a typist does not hear itself');

        await bobChannel.stopWatching();
        await annChannel.sendMessage({ text: 'are you there?' });
        const [notified] = await bob.waitFor('notification.message_new');
        assert.equal(notified.message?.text, 'are you there?', 'a member who stopped watching is notified instead');
        assert.equal(bob.of('message.new').length, 1);
      } finally {
        await disconnectAll([ann, bob]);
      }
    });

    it('tells members of a channel created through the API that they were added', async () => {
      const ann = await connectClient(h.baseURL, 'ann');
      try {
        await h.chat.channel('messaging', 'new-group', { created_by_id: 'boss', members: ['boss', 'ann', 'bob'] }).create();
        const [added] = await ann.waitFor('notification.added_to_channel');
        assert.equal(added.cid, 'messaging:new-group');
        assert.equal(added.member?.user_id, 'ann');
        assert.equal(added.channel?.members?.length, 3);
      } finally {
        await ann.client.disconnectUser();
      }
    });

    it('refuses Stream\'s own event types (custom ones are relayed: channel-management.test.ts), and typing from a non-member', async () => {
      const bob = await connectClient(h.baseURL, 'bob');
      try {
        const channel = bob.client.channel('messaging', 'ann-and-bob');
        await channel.watch();
        await assert.rejects(channel.sendEvent({ type: 'message.new' } as never), /code 4\b.*cannot be sent/);
        // Not a member: the client cannot watch it, so the call goes through its generic post.
        const outsider = `${h.baseURL}/channels/messaging/promo-${userId(0)}/event`;
        await assert.rejects(bob.client.post(outsider, { event: { type: 'typing.start' } }), /code 17\b/);
      } finally {
        await bob.client.disconnectUser();
      }
    });

    it('falls back to long-poll with enableWSFallback and receives events there', async () => {
      const bob = await connectClient(h.baseURL, 'bob', { longPoll: true });
      try {
        assert.ok(bob.client.wsFallback?.isHealthy(), 'the client runs on long-poll');
        const first = bob.of('health.check')[0] as Event & { me?: { id: string } };
        assert.equal(first.me?.id, 'bob');
        const channel = bob.client.channel('messaging', 'ann-and-bob');
        await channel.watch();
        await h.chat.channel('messaging', 'ann-and-bob').sendMessage({ text: 'over long-poll', user_id: 'ann' });
        const [event] = await bob.waitFor('message.new');
        assert.equal(event.message?.text, 'over long-poll');
        assert.ok(channel.state.latestMessages.some((m) => m.text === 'over long-poll'));
      } finally {
        await bob.client.disconnectUser();
      }
    });
  });
}

for (const { backend, skip } of await backends()) {
  describe(`chat clients across a restart on ${backend.name}`, { skip }, () => {
    it('reconnect by themselves and get later messages', async () => {
      let h = await startHerald(backend);
      const port = Number(new URL(h.baseURL).port);
      await h.chat.upsertUsers([{ id: 'ann' }, { id: 'bob' }]);
      await h.chat.channel('messaging', 'restart', { created_by_id: 'ann', members: ['ann', 'bob'] }).create();
      const bob = await connectClient(h.baseURL, 'bob');
      try {
        await bob.client.channel('messaging', 'restart').watch();
        await h.close(true);
        h = await startHeraldOn(h.created, { port });
        await bob.waitFor('connection.recovered', 1, 30_000);
        await h.chat.channel('messaging', 'restart').sendMessage({ text: 'after the restart', user_id: 'ann' });
        const [event] = await bob.waitFor('message.new');
        assert.equal(event.message?.text, 'after the restart');
      } finally {
        await bob.client.disconnectUser();
        await h.close();
      }
    });
  });
}
