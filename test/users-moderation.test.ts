import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { StreamChat } from 'stream-chat';
import { backends } from './support/backends.js';
import { connectClient, connectClients, disconnectAll, type ChatClient } from './support/chat-clients.js';
import { ShiftedClock, startHerald, TEST_API_KEY, type RunningHerald } from './support/herald-server.js';
import { assertRawError, streamError } from './support/stream-assertions.js';
import { json, rawCall } from './support/raw-client.js';
import { signToken } from './support/tokens.js';
import { waitFor } from './support/waiting.js';
import { WebhookReceiver } from './support/webhook-receiver.js';

/**
 * Issue 14, users: deactivation and reactivation (one, many as tasks), restore, guests, bans
 * (app-wide, per channel, shadow, with a timeout), mutes, blocks, custom user events and
 * export, through stream-chat and @stream-io/node-sdk, with their events on a webhook receiver
 * and on connected stream-chat clients, and their effects: who may connect, call and send.
 */
const wsError = (code: number, status: number) => (error: Error) => {
  const details = JSON.parse(error.message) as { code: number; StatusCode: number };
  assert.equal(details.code, code, error.message);
  assert.equal(details.StatusCode, status, error.message);
  return true;
};

for (const { backend, skip } of await backends()) {
  describe(`users' lifecycle and moderation on ${backend.name}`, { skip }, () => {
    let h: RunningHerald;
    let receiver: WebhookReceiver;
    const clock = new ShiftedClock();
    const hooked = (type: string, match: (e: Record<string, any>) => boolean = () => true) =>
      waitFor(`webhook ${type}`, async () => receiver.events(type).find(match));

    before(async () => {
      receiver = await new WebhookReceiver().start();
      h = await startHerald(backend, { clock });
      await h.chat.updateAppSettings({ webhook_url: receiver.url } as never);
      await h.chat.upsertUsers([
        { id: 'admin', role: 'admin' },
        { id: 'mod', role: 'moderator' },
        ...['ann', 'bob', 'cyd', 'dan', 'eve', 'fay', 'gus', 'hal'].map((id) => ({ id, name: id.toUpperCase() })),
      ]);
    });
    after(async () => {
      await h?.close();
      await receiver?.stop();
    });

    it('deactivates a user: its sessions end, it cannot connect, call or send; reactivation restores it and its messages (stream-chat)', async () => {
      const channel = h.chat.channel('messaging', 'lifecycle', { created_by_id: 'admin', members: ['admin', 'ann'] });
      await channel.create();
      const { message } = await channel.sendMessage({ text: 'from ann', user_id: 'ann' });
      const ann = await connectClient(h.baseURL, 'ann');

      const { user } = await h.chat.deactivateUser('ann', { mark_messages_deleted: true, created_by_id: 'admin' });
      assert.ok(user.deactivated_at, 'the user comes back deactivated');
      const [told] = await ann.waitFor('user.deactivated');
      assert.equal(told.user?.id, 'ann');
      await waitFor('the session to end', async () => h.herald.connections.ofUser('ann').size === 0);
      const hook = await hooked('user.deactivated', (e) => e.user.id === 'ann');
      assert.equal(hook.created_by.id, 'admin');
      await ann.client.disconnectUser();

      // It cannot connect: an error frame with code 17, which the client does not retry.
      const refused = new StreamChat(TEST_API_KEY, { baseURL: h.baseURL, allowServerSideConnect: true, logger: () => {} });
      await assert.rejects(refused.connectUser({ id: 'ann' }, signToken({ user_id: 'ann' })), wsError(17, 403));
      await refused.disconnectUser();
      // Nor call the API with its token, nor send through the server.
      const call = await rawCall(h.baseURL, 'POST', '/channels/messaging/lifecycle/message', {
        token: signToken({ user_id: 'ann' }),
        body: json({ message: { text: 'hello?' } }),
      });
      assertRawError(call, 403, 17, /deactivated/);
      await assert.rejects(channel.sendMessage({ text: 'as ann', user_id: 'ann' }), streamError(17, 403, /deactivated/));
      assert.ok((await h.chat.getMessage(message.id)).message.deleted_at, 'mark_messages_deleted deleted its message');

      const again = await h.chat.reactivateUser('ann', { restore_messages: true, created_by_id: 'admin', name: 'Ann Again' });
      assert.equal(again.user.deactivated_at, undefined);
      assert.equal(again.user.name, 'Ann Again');
      assert.equal((await hooked('user.reactivated', (e) => e.user.id === 'ann')).created_by.id, 'admin');
      assert.equal((await h.chat.getMessage(message.id)).message.deleted_at, undefined, 'restore_messages brought it back');
      const back = await connectClient(h.baseURL, 'ann');
      assert.equal(back.client.user?.name, 'Ann Again');
      await channel.sendMessage({ text: 'ann is back', user_id: 'ann' });
      await back.client.disconnectUser();
    });

    it('deactivates and reactivates many users as tasks, one user, and restores deleted users (node-sdk and stream-chat)', async () => {
      const { task_id } = await h.node.deactivateUsers({ user_ids: ['eve', 'fay'], created_by_id: 'admin' });
      const task = await h.node.getTask({ id: task_id });
      assert.equal(task.status, 'completed');
      assert.equal(task.result?.deactivated_users, 2);
      const filter_conditions = { id: { $in: ['eve', 'fay'] } };
      assert.equal((await h.node.queryUsers({ payload: { filter_conditions } })).users.length, 0, 'deactivated users are left out');
      const { users } = await h.node.queryUsers({ payload: { filter_conditions, include_deactivated_users: true } });
      assert.equal(users.length, 2);
      assert.ok(users.every((u) => u.deactivated_at instanceof Date), 'v2 times decode as dates');
      await hooked('user.deactivated', (e) => e.user.id === 'fay');

      const reactivated = await h.chat.reactivateUsers(['eve', 'fay'], { created_by_id: 'admin' });
      const done = await h.chat.getTask(reactivated.task_id);
      assert.equal(done.status, 'completed');
      assert.equal((done.result as { reactivated_users: number }).reactivated_users, 2);

      const one = await h.node.deactivateUser({ user_id: 'fay', created_by_id: 'admin' });
      assert.ok(one.user?.deactivated_at instanceof Date);
      const revived = await h.node.reactivateUser({ user_id: 'fay', name: 'Fay' });
      assert.equal(revived.user?.name, 'Fay');
      assert.equal(revived.user?.deactivated_at, undefined);
      await assert.rejects(h.node.deactivateUser({ user_id: 'nobody' }), streamError(16, 404));

      // Restore: soft-deleted users come back; both route families.
      for (const restore of [(ids: string[]) => h.chat.restoreUsers(ids), (ids: string[]) => h.node.restoreUsers({ user_ids: ids })]) {
        await h.chat.deleteUsers(['gus'], { user: 'soft' });
        assert.equal((await h.chat.queryUsers({ id: 'gus' })).users.length, 0, 'deleted');
        await restore(['gus']);
        assert.equal((await h.chat.queryUsers({ id: 'gus' })).users[0]?.id, 'gus', 'restored');
      }
    });

    it('creates guests: refused to anonymous clients until the app allows it, always to the server (stream-chat, node-sdk)', async () => {
      const anonymous = new StreamChat(TEST_API_KEY, { baseURL: h.baseURL, allowServerSideConnect: true, logger: () => {} });
      await assert.rejects(anonymous.setGuestUser({ id: 'visitor', name: 'Visitor' } as never), streamError(17, 403, /guest users are not enabled/));
      await h.chat.updateAppSettings({ guest_users_enabled: true } as never);
      assert.equal(((await h.chat.getAppSettings()).app as Record<string, unknown>).guest_users_enabled, true);
      await anonymous.setGuestUser({ id: 'visitor', name: 'Visitor' } as never);
      assert.equal(anonymous.user?.id, 'visitor');
      assert.equal(anonymous.user?.role, 'guest', 'health.check says it is a guest');
      assert.equal(anonymous.user?.name, 'Visitor');
      await anonymous.disconnectUser();

      await h.chat.updateAppSettings({ guest_users_enabled: false } as never);
      const created = await h.node.createGuest({ user: { id: 'visitor2', name: 'V2', custom: { color: 'red' } } });
      assert.equal(created.user.role, 'guest');
      assert.equal(created.user.custom.color, 'red');
      const guest = await connectClient(h.baseURL, 'visitor2', { token: created.access_token });
      assert.equal(guest.client.user?.role, 'guest');
      await guest.client.disconnectUser();
      await assert.rejects(h.node.createGuest({ user: { id: 'ann' } }), streamError(4, 400, /already exists/));
    });

    it('bans app-wide with a timeout that expires, per channel, by a moderator, and in shadow; lists bans (stream-chat, node-sdk)', async () => {
      const room = h.chat.channel('messaging', 'room', { created_by_id: 'admin', members: ['admin', 'mod', 'bob', 'cyd', 'dan', 'hal'] });
      await room.create();
      const lobby = h.chat.channel('messaging', 'lobby', { created_by_id: 'admin', members: ['admin', 'cyd'] });
      await lobby.create();
      const [mod, bob] = await connectClients(h.baseURL, ['mod', 'bob']);
      try {
        await mod.client.channel('messaging', 'room').watch();
        const bobRoom = bob.client.channel('messaging', 'room');
        await bobRoom.watch();

        // App-wide, for one minute.
        await h.chat.banUser('bob', { banned_by_id: 'admin', timeout: 1, reason: 'spam' });
        const [banned] = await bob.waitFor('user.banned');
        assert.equal(banned.user?.id, 'bob');
        assert.equal((banned as { reason?: string }).reason, 'spam');
        const hook = await hooked('user.banned', (e) => e.user.id === 'bob');
        assert.equal(hook.created_by.id, 'admin');
        assert.equal(hook.shadow, false);
        assert.ok(Date.parse(hook.expiration) > Date.now() + 50_000, 'expires in a minute');
        assert.equal((await h.chat.queryUsers({ id: 'bob' })).users[0].banned, true);
        await assert.rejects(bobRoom.sendMessage({ text: 'buy now' }), streamError(17, 403, /banned/));
        await assert.rejects(room.sendMessage({ text: 'buy now', user_id: 'bob' }), streamError(17, 403, /banned/));
        const listed = await h.chat.queryBannedUsers({ user_id: 'bob' });
        assert.equal(listed.bans?.length, 1);
        assert.equal(listed.bans?.[0].banned_by?.id, 'admin');
        assert.equal(listed.bans?.[0].reason, 'spam');
        assert.ok(listed.bans?.[0].expires);

        // Two minutes on, the ban is no ban.
        clock.offsetMs = 2 * 60_000;
        try {
          assert.equal((await h.chat.queryBannedUsers({ user_id: 'bob' })).bans?.length, 0, 'an expired ban is not listed');
          await room.sendMessage({ text: 'sorry', user_id: 'bob' });
          assert.equal((await h.chat.queryUsers({ id: 'bob' })).users[0].banned, false, 'the send lifted it');
        } finally {
          clock.offsetMs = 0;
        }

        // A channel ban: the channel's watchers hear of it; other channels stay open.
        await room.banUser('cyd', { banned_by_id: 'admin', reason: 'off-topic' });
        const [channelBan] = await mod.waitFor('user.banned');
        assert.equal(channelBan.cid, 'messaging:room');
        assert.equal(channelBan.user?.id, 'cyd');
        assert.equal((await hooked('user.banned', (e) => e.user.id === 'cyd')).channel_id, 'room');
        await assert.rejects(room.sendMessage({ text: 'hi', user_id: 'cyd' }), streamError(17, 403, /banned from channel "messaging:room"/));
        await lobby.sendMessage({ text: 'hi lobby', user_id: 'cyd' });
        const state = await room.query({ members: { limit: 10 } });
        assert.equal(state.members.find((m) => m.user_id === 'cyd')?.banned, true, 'the membership says banned');
        const v2 = await h.node.chat.queryBannedUsers({ payload: { filter_conditions: { channel_cid: 'messaging:room' } } });
        assert.deepEqual(v2.bans.map((b) => b.user?.id), ['cyd']);
        assert.equal(v2.bans[0].channel?.cid, 'messaging:room');
        assert.ok(v2.bans[0].created_at instanceof Date);
        await room.unbanUser('cyd');
        const [unbanned] = await mod.waitFor('user.unbanned');
        assert.equal(unbanned.cid, 'messaging:room');
        await room.sendMessage({ text: 'back', user_id: 'cyd' });
        assert.equal((await room.query({ members: { limit: 10 } })).members.find((m) => m.user_id === 'cyd')?.banned, false);

        // With user tokens: a plain user may not ban; a moderator may (node-sdk for the channel one).
        await assert.rejects(bob.client.banUser('hal'), streamError(17, 403, /not allowed to ban/));
        await assert.rejects(bob.client.queryBannedUsers({}), streamError(17, 403));
        await mod.client.banUser('hal', { timeout: 5 });
        assert.equal((await hooked('user.banned', (e) => e.user.id === 'hal')).created_by.id, 'mod');
        assert.equal((await mod.client.queryBannedUsers({ user_id: 'hal' })).bans?.length, 1, 'a moderator may list bans');
        await mod.client.unbanUser('hal');
        await h.node.moderation.ban({ target_user_id: 'hal', channel_cid: 'messaging:room', banned_by_id: 'mod', timeout: 10 });
        const halBan = await h.node.chat.queryBannedUsers({ payload: { filter_conditions: { user_id: 'hal' } } });
        assert.ok(halBan.bans[0].expires instanceof Date);
        // A second ban of the same scope replaces the first.
        await h.node.moderation.ban({ target_user_id: 'hal', channel_cid: 'messaging:room', banned_by_id: 'admin', reason: 'again' });
        const [renewed] = (await h.node.chat.queryBannedUsers({ payload: { filter_conditions: { user_id: 'hal' } } })).bans;
        assert.deepEqual([renewed.reason, renewed.expires, renewed.banned_by?.id], ['again', undefined, 'admin']);
        await h.node.moderation.unban({ target_user_id: 'hal', channel_cid: 'messaging:room', unbanned_by_id: 'mod' });
        assert.equal((await h.chat.queryBannedUsers({ user_id: 'hal' })).bans?.length, 0);

        // A shadow ban: the send works, marked shadowed, and reaches no one else nor counts unread.
        const unreadOfMod = async () => (await room.query({})).read?.find((r) => r.user.id === 'mod')?.unread_messages;
        await h.node.moderation.ban({ target_user_id: 'dan', shadow: true, banned_by_id: 'admin' });
        const dan = (await h.chat.queryUsers({ id: 'dan' })).users[0];
        assert.deepEqual([dan.banned, dan.shadow_banned], [false, true]);
        assert.equal((await hooked('user.banned', (e) => e.user.id === 'dan')).shadow, true);
        const unreadBefore = await unreadOfMod();
        const shadowed = await room.sendMessage({ text: 'psst', user_id: 'dan' });
        assert.equal(shadowed.message.shadowed, true);
        assert.equal(await unreadOfMod(), unreadBefore, 'a shadowed message is unread for no one');
        await room.sendMessage({ text: 'after the shadow', user_id: 'admin' });
        await waitFor('the next message', async () => mod.of('message.new').some((e) => e.message?.text === 'after the shadow'));
        assert.ok(!mod.of('message.new').some((e) => e.message?.text === 'psst'), 'others never see it');
        await h.node.moderation.unban({ target_user_id: 'dan', unbanned_by_id: 'admin' });
        assert.equal((await h.chat.queryUsers({ id: 'dan' })).users[0].shadow_banned, false);
        assert.equal((await hooked('user.unbanned', (e) => e.user.id === 'dan')).shadow, true);
        assert.equal((await room.sendMessage({ text: 'in the open', user_id: 'dan' })).message.shadowed, false);
      } finally {
        await disconnectAll([mod, bob]);
      }
    });

    it('mutes and unmutes users: responses, notification.mutes_updated, health.check me.mutes (stream-chat, node-sdk)', async () => {
      const ann = await connectClient(h.baseURL, 'ann');
      let again: ChatClient | undefined;
      try {
        const muted = await ann.client.muteUser('bob');
        assert.equal(muted.mute?.target?.id, 'bob');
        assert.deepEqual(muted.own_user?.mutes.map((m) => m.target.id), ['bob']);
        await ann.waitFor('notification.mutes_updated');
        assert.deepEqual(ann.client.mutedUsers.map((m) => m.target.id), ['bob']);
        assert.equal(ann.client.userMuteStatus('bob'), true);
        assert.equal((await hooked('user.muted', (e) => e.user.id === 'ann')).target_user.id, 'bob');

        const v2 = await h.node.moderation.mute({ target_ids: ['cyd', 'nobody'], user_id: 'ann', timeout: 60 });
        assert.deepEqual(v2.mutes?.map((m) => m.target?.id), ['cyd']);
        assert.deepEqual(v2.non_existing_users, ['nobody']);
        assert.ok(v2.mutes?.[0].expires instanceof Date, 'a timed mute expires');
        await ann.waitFor('notification.mutes_updated', 2);
        assert.deepEqual(ann.client.mutedUsers.map((m) => m.target.id), ['bob', 'cyd']);

        again = await connectClient(h.baseURL, 'ann');
        assert.deepEqual(again.client.mutedUsers.map((m) => m.target.id), ['bob', 'cyd'], 'a new connection learns its mutes from health.check');

        await ann.client.unmuteUser('bob');
        await ann.waitFor('notification.mutes_updated', 3);
        assert.deepEqual(ann.client.mutedUsers.map((m) => m.target.id), ['cyd']);
        await again.waitFor('notification.mutes_updated', 1);
        await h.node.moderation.unmute({ target_ids: ['cyd'], user_id: 'ann' });
        await ann.waitFor('notification.mutes_updated', 4);
        assert.deepEqual(ann.client.mutedUsers, []);
        await hooked('user.unmuted', (e) => e.user.id === 'ann');

        await assert.rejects(h.chat.muteUser('bob'), streamError(4, 400, /user_id/), 'server-side needs user_id');
        await assert.rejects(ann.client.muteUser('bob', 'cyd'), streamError(17, 403), 'a user mutes for itself only');
        await assert.rejects(ann.client.muteUser('ann'), streamError(4, 400, /itself/));
      } finally {
        await disconnectAll(again ? [ann, again] : [ann]);
      }
    });

    it('blocks and unblocks users; health.check carries blocked_user_ids (stream-chat, node-sdk)', async () => {
      const ann = await connectClient(h.baseURL, 'ann');
      let again: ChatClient | undefined;
      try {
        const blocked = await ann.client.blockUser('eve');
        assert.deepEqual([blocked.blocked_by_user_id, blocked.blocked_user_id], ['ann', 'eve']);
        await h.node.blockUsers({ blocked_user_id: 'fay', user_id: 'ann' });
        const { blocks } = await ann.client.getBlockedUsers();
        assert.deepEqual(blocks.map((b) => [b.user_id, b.blocked_user_id, b.blocked_user.id]), [['ann', 'eve', 'eve'], ['ann', 'fay', 'fay']]);
        const v2 = await h.node.getBlockedUsers({ user_id: 'ann' });
        assert.equal(v2.blocks.length, 2);
        assert.ok(v2.blocks[0].created_at instanceof Date);

        again = await connectClient(h.baseURL, 'ann');
        assert.deepEqual(again.client.blockedUsers.getLatestValue().userIds, ['eve', 'fay']);

        await ann.client.unBlockUser('eve');
        await h.node.unblockUsers({ blocked_user_id: 'fay', user_id: 'ann' });
        assert.deepEqual((await h.node.getBlockedUsers({ user_id: 'ann' })).blocks, []);
        await assert.rejects(h.chat.blockUser('eve'), streamError(4, 400, /user_id/));
        await assert.rejects(ann.client.blockUser('eve', 'bob'), streamError(17, 403));
      } finally {
        await disconnectAll(again ? [ann, again] : [ann]);
      }
    });

    it('sends custom events to a user, exports a user, and keeps the server-only routes server-only', async () => {
      const ann = await connectClient(h.baseURL, 'ann');
      try {
        await h.node.chat.sendUserCustomEvent({ user_id: 'ann', event: { type: 'friendship_request', custom: { from: 'bob' } } });
        const [request] = await ann.waitFor('friendship_request');
        assert.equal((request as { from?: string }).from, 'bob', 'custom data is flattened, as Stream sends it');
        await h.chat.sendUserCustomEvent('ann', { type: 'nudge', strength: 3 } as never);
        const [nudge] = await ann.waitFor('nudge');
        assert.equal((nudge as { strength?: number }).strength, 3);

        const exported = await h.chat.exportUser('ann');
        assert.equal(exported.user.id, 'ann');
        assert.deepEqual(exported.messages.map((m) => m.text).sort(), ['ann is back', 'from ann']);
        assert.deepEqual(exported.reactions, []);
        const v2 = await h.node.exportUser({ user_id: 'ann' });
        assert.equal(v2.messages?.length, 2);
        assert.ok(v2.messages?.[0].created_at instanceof Date);

        const client = ann.client;
        for (const [what, call] of [
          ['deactivateUser', () => client.deactivateUser('bob')],
          ['reactivateUser', () => client.reactivateUser('bob')],
          ['deactivateUsers', () => client.deactivateUsers(['bob'])],
          ['reactivateUsers', () => client.reactivateUsers(['bob'])],
          ['restoreUsers', () => client.restoreUsers(['bob'])],
          ['exportUser', () => client.exportUser('ann')],
          ['sendUserCustomEvent', () => client.sendUserCustomEvent('bob', { type: 'nudge' })],
        ] as const) {
          await assert.rejects(call(), streamError(17, 403), `${what} with a user token`);
        }
        assert.equal(receiver.events('friendship_request').length + receiver.events('nudge').length, 0, 'custom user events are not webhooks');
      } finally {
        await disconnectAll([ann]);
      }
    });
  });
}
