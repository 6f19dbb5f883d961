import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Channel } from 'stream-chat';
import { backends } from './support/backends.js';
import { connectClient, disconnectAll, type ChatClient } from './support/chat-clients.js';
import { startHerald, type RunningHerald } from './support/herald-server.js';
import { json, rawCall } from './support/raw-client.js';
import { assertRawError, streamError } from './support/stream-assertions.js';
import { signToken } from './support/tokens.js';
import { waitFor } from './support/waiting.js';
import { WebhookReceiver } from './support/webhook-receiver.js';

/**
 * Issue 14: members and channel management through both SDKs: members as strings or objects,
 * add/remove/moderators/roles/invites, full and partial updates, query members, partial member
 * updates (archive, pin), truncation, hide/show, channel mutes, custom events, exports, and
 * what a user token may not do. Events are checked on a real webhook receiver and on
 * connected stream-chat clients.
 */
const USERS = ['owner', 'ann', 'bob', 'cat', 'dan', 'eve', 'fay', 'gus'];
const nameOf = (id: string) => id[0].toUpperCase() + id.slice(1);
const userToken = (id: string) => signToken({ user_id: id });

for (const { backend, skip } of await backends()) {
  describe(`channel management on ${backend.name}`, { skip }, () => {
    let h: RunningHerald;
    let hooks: WebhookReceiver;
    const clients: ChatClient[] = [];

    /** A connected stream-chat client of `userId`, disconnected after the suite. */
    const connect = async (userId: string) => {
      const c = await connectClient(h.baseURL, userId);
      clients.push(c);
      return c;
    };
    /** The channel, as the client's own object, watched by its connection. */
    const watch = async (c: ChatClient, id: string): Promise<Channel> => {
      const channel = c.client.channel('messaging', id);
      await channel.watch();
      return channel;
    };
    const hooked = (type: string, match: (e: Record<string, any>) => boolean = () => true, count = 1) =>
      waitFor(`${count} ${type} webhook(s)`, async () => {
        const found = hooks.events(type).filter(match);
        return found.length >= count && found;
      });
    const create = (id: string, members: unknown[], extra: Record<string, unknown> = {}) =>
      h.chat.channel('messaging', id, { created_by_id: 'owner', members: members as string[], ...extra }).create();
    const raw = (method: string, path: string, body: unknown, userId?: string) =>
      rawCall(h.baseURL, method, path, { body: json(body), ...(userId && { token: userToken(userId) }) });

    before(async () => {
      h = await startHerald(backend);
      hooks = await new WebhookReceiver().start();
      await h.chat.updateAppSettings({ webhook_url: hooks.url } as never);
      await h.chat.upsertUsers(USERS.map((id) => ({ id, name: nameOf(id) })));
    });
    after(async () => {
      await disconnectAll(clients);
      await hooks?.stop();
      await h?.close();
    });

    it('takes members as ids or member objects ({user_id, channel_role, custom…} or {user: {id}}), on both families', async () => {
      const legacy = await create('objects', ['owner', { user_id: 'ann', channel_role: 'channel_moderator', nickname: 'A' }, { user: { id: 'bob' } }]);
      const byId = new Map(legacy.members.map((m) => [m.user_id, m]));
      assert.deepEqual([...byId.keys()].sort(), ['ann', 'bob', 'owner']);
      assert.equal(byId.get('ann')?.channel_role, 'channel_moderator');
      assert.equal((byId.get('ann') as Record<string, unknown>).nickname, 'A', 'member custom data, flattened on the legacy wire');
      assert.equal(byId.get('bob')?.channel_role, 'channel_member');

      const v2 = await h.node.chat.getOrCreateChannel({
        type: 'messaging', id: 'objects-v2',
        data: {
          created_by: { id: 'owner' },
          members: [{ user_id: 'owner' }, { user_id: 'cat', custom: { seat: 3 } }, { user: { id: 'dan' } } as never],
        },
      });
      const cat = v2.members.find((m) => m.user_id === 'cat');
      assert.deepEqual(cat?.custom, { seat: 3 }, 'member custom data under custom on v2');
      assert.ok(v2.members.some((m) => m.user_id === 'dan'), '{user: {id}} without user_id');

      const added = await h.node.chat.updateChannel({
        type: 'messaging', id: 'objects-v2',
        add_members: [{ user_id: 'eve', channel_role: 'channel_moderator', custom: { seat: 5 } }, { user: { id: 'fay' } } as never],
      });
      const eve = added.members.find((m) => m.user_id === 'eve');
      assert.equal(eve?.channel_role, 'channel_moderator');
      assert.deepEqual(eve?.custom, { seat: 5 });
      assert.ok(added.members.some((m) => m.user_id === 'fay'));
      assert.equal(added.channel?.member_count, 5);

      // Invites at creation (ChannelInput.invites): pending members, never custom data.
      const withInvites = await h.node.chat.getOrCreateChannel({
        type: 'messaging', id: 'invites-v2',
        data: { created_by: { id: 'owner' }, members: [{ user_id: 'owner' }], invites: [{ user_id: 'gus' }], custom: { topic: 't' } },
      });
      assert.equal(withInvites.members.find((m) => m.user_id === 'gus')?.invited, true);
      assert.deepEqual(withInvites.channel?.custom, { topic: 't' });
      assert.equal(withInvites.channel?.member_count, 2);

      await assert.rejects(create('objects-bad', ['owner', { channel_role: 'channel_member' }]), streamError(4, 400, /user_id/));
      await assert.rejects(create('objects-ghost', ['owner', 'nobody']), streamError(4, 400, /nobody/));
    });

    it('adds, removes and promotes members with a message: webhooks, watchers and the users concerned hear it', async () => {
      await create('team', ['owner', 'bob']);
      const bob = await connect('bob');
      const cat = await connect('cat');
      const dan = await connect('dan');
      await watch(bob, 'team');
      const channel = h.chat.channel('messaging', 'team');

      const added = await channel.addMembers(['cat', { user_id: 'dan', channel_role: 'channel_member', nickname: 'D' } as never], {
        text: 'Welcome, Cat and Dan',
        user_id: 'owner',
      });
      assert.deepEqual(added.members.map((m) => m.user_id).sort(), ['bob', 'cat', 'dan', 'owner']);
      assert.equal(added.message?.text, 'Welcome, Cat and Dan');
      assert.equal(added.channel.member_count, 4);

      const [toCat] = await cat.waitFor('notification.added_to_channel');
      assert.equal(toCat.channel?.cid, 'messaging:team');
      assert.equal(toCat.member?.user_id, 'cat');
      await dan.waitFor('notification.added_to_channel');
      const watched = await bob.waitFor('member.added', 2);
      assert.deepEqual(watched.map((e) => e.member?.user_id).sort(), ['cat', 'dan']);
      const [welcome] = await bob.waitFor('message.new');
      assert.equal(welcome.message?.text, 'Welcome, Cat and Dan');
      const hookedAdds = await hooked('member.added', (e) => e.cid === 'messaging:team' && ['cat', 'dan'].includes(e.member.user_id), 2);
      assert.equal(hookedAdds.find((e) => e.member.user_id === 'dan')?.member.nickname, 'D');
      await hooked('message.new', (e) => e.message.text === 'Welcome, Cat and Dan');

      await channel.addModerators(['cat']);
      const [promoted] = await bob.waitFor('member.updated');
      assert.equal(promoted.member?.user_id, 'cat');
      assert.equal(promoted.member?.channel_role, 'channel_moderator');
      await hooked('member.updated', (e) => e.cid === 'messaging:team' && e.member.channel_role === 'channel_moderator');
      await channel.demoteModerators([{ user: { id: 'cat' } }] as never);
      await bob.waitFor('member.updated', 2);
      assert.equal(bob.of('member.updated')[1].member?.channel_role, 'channel_member');

      // node-sdk: removal and role assignment in one update.
      const updated = await h.node.chat.channel('messaging', 'team').update({
        remove_members: ['dan'],
        assign_roles: [{ user_id: 'cat', channel_role: 'channel_moderator' }],
      });
      assert.deepEqual(updated.members.map((m) => m.user_id).sort(), ['bob', 'cat', 'owner']);
      assert.equal(updated.members.find((m) => m.user_id === 'cat')?.channel_role, 'channel_moderator');
      const [removed] = await bob.waitFor('member.removed');
      assert.equal(removed.user?.id, 'dan', 'member.removed names the removed user, as stream-chat reads it');
      const [toDan] = await dan.waitFor('notification.removed_from_channel');
      assert.equal(toDan.channel?.cid, 'messaging:team');
      await hooked('member.removed', (e) => e.cid === 'messaging:team' && e.user.id === 'dan');
      assert.equal(hooks.events('notification.removed_from_channel').length, 0, 'notifications are for clients, not webhooks');

      await assert.rejects(channel.addModerators(['gus']), streamError(4, 400, /not a member/));
      await assert.rejects(
        h.node.chat.updateChannel({ type: 'messaging', id: 'team', add_members: [{ user_id: 'ann' }], hide_history: true }),
        streamError(4, 400, /hide_history/),
      );
    });

    it('invites: pending until accepted (stream-chat) or rejected (node-sdk), with notifications', async () => {
      await create('club', ['owner', 'ann']);
      const ann = await connect('ann');
      const eve = await connect('eve');
      await watch(ann, 'club');
      const server = h.chat.channel('messaging', 'club');
      await server.inviteMembers(['eve', { user_id: 'fay', note: 'hi' } as never]);

      const [invited] = await eve.waitFor('notification.invited');
      assert.equal(invited.channel?.cid, 'messaging:club');
      assert.equal(invited.member?.invited, true);
      await ann.waitFor('member.added', 2);
      const pending = await server.queryMembers({ invite: 'pending' });
      assert.deepEqual(pending.members.map((m) => m.user_id).sort(), ['eve', 'fay']);
      assert.equal((pending.members.find((m) => m.user_id === 'fay') as Record<string, unknown> | undefined)?.note, 'hi');

      // A pending invitee is not a member yet: it may only answer.
      assertRawError(await raw('POST', '/channels/messaging/club', { add_members: ['gus'] }, 'eve'), 403, 17);

      const eveChannel = eve.client.channel('messaging', 'club');
      const accepted = await eveChannel.acceptInvite({ message: { text: 'Eve is here' } } as never);
      assert.equal(accepted.members.find((m) => m.user_id === 'eve')?.invite_accepted_at !== undefined, true);
      assert.equal(accepted.message?.text, 'Eve is here');
      const [acceptedEvent] = await eve.waitFor('notification.invite_accepted');
      assert.equal(acceptedEvent.member?.user_id, 'eve');
      const [memberUpdated] = await ann.waitFor('member.updated');
      assert.ok(memberUpdated.member?.invite_accepted_at);
      await hooked('member.updated', (e) => e.cid === 'messaging:club' && e.member.user_id === 'eve');

      const rejected = await h.node.chat.updateChannel({ type: 'messaging', id: 'club', reject_invite: true, user_id: 'fay' });
      assert.ok(rejected.members.find((m) => m.user_id === 'fay')?.invite_rejected_at instanceof Date);
      const states = await server.queryMembers({ invite: { $in: ['accepted', 'rejected'] } } as never);
      assert.deepEqual(states.members.map((m) => [m.user_id, m.invite_accepted_at ? 'accepted' : 'rejected']).sort(), [['eve', 'accepted'], ['fay', 'rejected']]);
      await assert.rejects(
        h.node.chat.updateChannel({ type: 'messaging', id: 'club', accept_invite: true, user_id: 'fay' }),
        streamError(4, 400, /no pending invite/),
      );
    });

    it('full and partial updates: channel.updated with the channel, reserved fields and custom data limits kept', async () => {
      await create('news', ['owner', 'bob'], { color: 'red', topic: 'old' });
      const bob = await connect('bob');
      const watched = await watch(bob, 'news');
      const channel = h.chat.channel('messaging', 'news');

      const full = await channel.update({ name: 'News', motto: 'fresh' } as never, { text: 'Renamed', user_id: 'owner' } as never);
      assert.equal(full.channel.name, 'News');
      assert.equal((full.channel as Record<string, unknown>).color, undefined, 'a full update replaces the custom data');
      assert.equal(full.message?.text, 'Renamed');
      const [event] = await bob.waitFor('channel.updated');
      assert.equal(event.channel?.name, 'News');
      await waitFor('the watcher\'s channel data', async () => (watched.data as Record<string, unknown>)?.motto === 'fresh');
      await hooked('channel.updated', (e) => e.cid === 'messaging:news' && e.channel.name === 'News');

      const partial = await channel.updatePartial({ set: { topic: 'sports', frozen: true } as never, unset: ['motto'] as never });
      assert.equal(partial.channel.topic, 'sports');
      assert.equal(partial.channel.frozen, true);
      assert.equal((partial.channel as Record<string, unknown>).motto, undefined);
      assert.equal(partial.channel.name, 'News', 'a partial update keeps the rest');
      await bob.waitFor('channel.updated', 2);

      const v2 = await h.node.chat.updateChannelPartial({ type: 'messaging', id: 'news', set: { custom: { level: 2 } } as never, unset: ['topic'] });
      assert.deepEqual(v2.channel?.custom, { name: 'News', level: 2 }, 'custom data nests under custom on v2');
      const v2Full = await h.node.chat.channel('messaging', 'news').update({ data: { custom: { name: 'Fresh' }, frozen: false } });
      assert.deepEqual(v2Full.channel?.custom, { name: 'Fresh' });
      assert.equal(v2Full.channel?.frozen, false);

      await assert.rejects(channel.updatePartial({ set: { cid: 'messaging:other' } as never }), streamError(4, 400, /cid is a reserved field/));
      await assert.rejects(channel.updatePartial({ set: { member_count: 9 } as never }), streamError(4, 400, /reserved/));
      await assert.rejects(channel.updatePartial({ set: { blob: 'x'.repeat(6000) } as never }), streamError(4, 400, /custom data/));
      await assert.rejects(channel.update({ blob: 'x'.repeat(6000) } as never), streamError(4, 400, /custom data/));
      await assert.rejects(h.chat.channel('messaging', 'no-such').updatePartial({ set: { a: 1 } as never }), streamError(16, 404));
    });

    it('query members: filters, sort and paging through both SDKs', async () => {
      await create('crowd', ['owner', { user_id: 'ann', channel_role: 'channel_moderator', level: 3 }, { user_id: 'bob', level: 1 }, 'cat', 'dan', 'eve']);
      const channel = h.chat.channel('messaging', 'crowd');
      const ids = (r: { members: Array<{ user_id?: string }> }) => r.members.map((m) => m.user_id);

      // The oldest membership first; these joined together, so by user id.
      assert.deepEqual(ids(await channel.queryMembers({})), ['ann', 'bob', 'cat', 'dan', 'eve', 'owner']);
      assert.deepEqual(ids(await channel.queryMembers({ name: { $autocomplete: 'an' } })), ['ann']);
      assert.deepEqual(ids(await channel.queryMembers({ channel_role: 'channel_moderator' })), ['ann']);
      assert.deepEqual(ids(await channel.queryMembers({ is_moderator: true } as never)), ['ann']);
      assert.deepEqual(ids(await channel.queryMembers({ level: { $gte: 1 } } as never, { user_id: -1 } as never)), ['bob', 'ann']);
      assert.deepEqual(ids(await channel.queryMembers({ id: { $in: ['cat', 'dan', 'gus'] } })), ['cat', 'dan']);
      assert.deepEqual(ids(await channel.queryMembers({}, { name: -1 } as never, { limit: 2, offset: 1 })), ['eve', 'dan']);
      assert.deepEqual(ids(await channel.queryMembers({}, { user_id: 1 } as never, { user_id_gt: 'cat', limit: 2 })), ['dan', 'eve']);
      assert.deepEqual(ids(await channel.queryMembers({ joined: true } as never, { user_id: 1 } as never, { limit: 1 })), ['ann']);

      const v2 = await h.node.chat.channel('messaging', 'crowd').queryMembers({
        payload: { filter_conditions: { user_id: { $in: ['ann', 'bob'] } }, sort: [{ field: 'name', direction: -1 }] },
      });
      assert.deepEqual(v2.members.map((m) => m.user_id), ['bob', 'ann']);
      assert.deepEqual(v2.members[1].custom, { level: 3 });
      assert.ok(v2.members[0].created_at instanceof Date);

      // A distinct channel, named by its members (stream-chat sends them when it has no id).
      await h.chat.channel('messaging', { members: ['ann', 'bob'], created_by_id: 'ann' }).create();
      assert.deepEqual(ids(await h.chat.channel('messaging', { members: ['bob', 'ann'] }).queryMembers({})), ['ann', 'bob']);

      await assert.rejects(channel.queryMembers({ cid: 'messaging:crowd' } as never), streamError(4, 400, /cid/));
      await assert.rejects(channel.queryMembers({}, {}, { limit: 301 }), streamError(4, 400, /limit/));
      await assert.rejects(h.chat.channel('messaging', 'nowhere').queryMembers({}), streamError(16, 404));
      // A user token reads the members of its own channels only.
      assertRawError(await rawCall(h.baseURL, 'GET', `/members?payload=${encodeURIComponent(JSON.stringify({ type: 'messaging', id: 'crowd', filter_conditions: {} }))}`, { token: userToken('gus') }), 403, 17);
      const own = await rawCall(h.baseURL, 'GET', `/members?payload=${encodeURIComponent(JSON.stringify({ type: 'messaging', id: 'crowd', filter_conditions: { user_id: 'ann' } }))}`, { token: userToken('cat') });
      assert.equal(own.status, 200, own.text);
      assert.deepEqual(own.body.members.map((m: { user_id: string }) => m.user_id), ['ann']);
    });

    it('partial member updates: archive, pin and custom data by the member, channel_role by the server only', async () => {
      await create('desk', ['owner', 'ann', 'bob']);
      const ann = await connect('ann');
      const bob = await connect('bob');
      await watch(bob, 'desk');
      const annChannel = await watch(ann, 'desk');

      const archived = await annChannel.archive();
      assert.ok(archived.archived_at, 'stream-chat archive() uses PATCH …/member/{user_id}');
      const pinned = await annChannel.pin();
      assert.ok(pinned.pinned_at);
      const custom = await annChannel.updateMemberPartial({ set: { nickname: 'Annie' } as never });
      assert.equal((custom.channel_member as Record<string, unknown>).nickname, 'Annie');
      const updates = await bob.waitFor('member.updated', 3);
      assert.equal(updates[2].member?.user_id, 'ann');
      await waitFor('ann\'s own membership', async () => annChannel.state.membership?.pinned_at !== undefined);
      await hooked('member.updated', (e) => e.cid === 'messaging:desk' && e.member.nickname === 'Annie');
      assert.ok((await annChannel.unarchive()).archived_at == null);

      await assert.rejects(annChannel.updateMemberPartial({ set: { channel_role: 'channel_moderator' } as never }), streamError(17, 403));
      await assert.rejects(annChannel.updateMemberPartial({ set: { nickname: 'x' } as never }, { userId: 'bob' }), streamError(17, 403));
      await assert.rejects(annChannel.updateMemberPartial({ set: { archived: 'yes' } as never }), streamError(4, 400, /archived/));

      const v2 = await h.node.chat.channel('messaging', 'desk').updateMemberPartial({ user_id: 'bob', set: { channel_role: 'channel_moderator', seat: 1 }, unset: ['pinned'] });
      assert.equal(v2.channel_member?.channel_role, 'channel_moderator');
      assert.deepEqual(v2.channel_member?.custom, { seat: 1 });
      await assert.rejects(h.node.chat.channel('messaging', 'desk').updateMemberPartial({ set: { seat: 2 } }), streamError(4, 400, /user_id/));
      await assert.rejects(h.node.chat.channel('messaging', 'desk').updateMemberPartial({ user_id: 'gus', set: { seat: 2 } }), streamError(4, 400, /not a member/));
    });

    it('truncate: history, message_count and unread counts drop; channel.truncated with the channel and the message', async () => {
      await create('log', ['owner', 'bob', 'cat']);
      const channel = h.chat.channel('messaging', 'log');
      for (const text of ['one', 'two', 'three']) await channel.sendMessage({ text, user_id: 'owner' });
      const cat = await connect('cat');
      const catChannel = await watch(cat, 'log');
      assert.equal(catChannel.state.messages.length, 3);
      assert.equal(catChannel.countUnread(), 3);

      const truncated = await channel.truncate({ message: { text: 'History cleared', user_id: 'owner' } as never, user_id: 'owner' });
      assert.ok(truncated.channel.truncated_at);
      assert.equal(truncated.message?.text, 'History cleared');
      const [event] = await cat.waitFor('channel.truncated');
      assert.equal(event.channel?.cid, 'messaging:log');
      assert.ok(event.channel?.truncated_at);
      assert.equal(event.message?.text, 'History cleared');
      await waitFor('the client to drop the truncated messages', async () => catChannel.state.messages.map((m) => m.text).join() === 'History cleared');
      await hooked('channel.truncated', (e) => e.cid === 'messaging:log' && e.channel.truncated_at);

      const after = await h.chat.channel('messaging', 'log').query({ messages: { limit: 10 } });
      assert.deepEqual(after.messages.map((m) => m.text), ['History cleared']);
      assert.equal(after.channel.message_count, 1);
      const unread = after.read?.find((r) => r.user.id === 'bob');
      assert.equal(unread?.unread_messages, 1, 'only the message after the truncation is unread');

      // node-sdk: a hard truncation up to a time in the past keeps what came after.
      await channel.sendMessage({ text: 'later', user_id: 'owner' });
      const cut = new Date(Date.now() - 60_000);
      const hard = await h.node.chat.truncateChannel({ type: 'messaging', id: 'log', hard_delete: true, truncated_at: cut });
      assert.ok(hard.channel?.truncated_at instanceof Date);
      const kept = await h.chat.channel('messaging', 'log').query({ messages: { limit: 10 } });
      assert.deepEqual(kept.messages.map((m) => m.text), ['History cleared', 'later']);
      await assert.rejects(channel.truncate({ truncated_at: new Date(Date.now() + 3_600_000) }), streamError(4, 400, /future/));
      await assert.rejects(h.node.chat.truncateChannel({ type: 'messaging', id: 'log', member_ids: ['bob'] }), streamError(4, 400, /member_ids/));
    });

    it('hide and show tell the user\'s own connections (channel.hidden, channel.visible) and webhooks', async () => {
      await create('quiet', ['owner', 'dan']);
      const dan = await connect('dan');
      const danChannel = await watch(dan, 'quiet');
      await danChannel.hide(null, true);
      const [hidden] = await dan.waitFor('channel.hidden');
      assert.equal(hidden.cid, 'messaging:quiet');
      assert.equal(hidden.clear_history, true);
      await waitFor('the client to mark the channel hidden', async () => danChannel.data?.hidden === true);
      await danChannel.show();
      await dan.waitFor('channel.visible');
      assert.equal(danChannel.data?.hidden, false);
      await hooked('channel.hidden', (e) => e.cid === 'messaging:quiet' && e.user.id === 'dan');
      await hooked('channel.visible', (e) => e.cid === 'messaging:quiet');
    });

    it('channel mutes: mute and unmute through both SDKs, notification.channel_mutes_updated and health.check\'s me.channel_mutes', async () => {
      await create('loud', ['owner', 'eve']);
      await create('louder', ['owner', 'eve']);
      const eve = await connect('eve');
      const loud = eve.client.channel('messaging', 'loud');
      await loud.watch();
      const muted = await loud.mute();
      assert.equal(muted.channel_mute.channel?.cid, 'messaging:loud');
      assert.equal(muted.channel_mute.user.id, 'eve');
      assert.deepEqual(muted.own_user.channel_mutes.map((m) => m.channel?.cid), ['messaging:loud']);
      const [updated] = await eve.waitFor('notification.channel_mutes_updated');
      assert.deepEqual(updated.me?.channel_mutes.map((m) => m.channel?.cid), ['messaging:loud']);
      assert.equal(loud.muteStatus().muted, true, 'stream-chat took its muted channels from the event');
      await hooked('channel.muted', (e) => e.cid === 'messaging:loud' && e.user.id === 'eve');

      const v2 = await h.node.chat.muteChannel({ channel_cids: ['messaging:louder'], user_id: 'eve', expiration: 3_600_000 });
      assert.equal(v2.channel_mutes?.length, 1);
      assert.ok(v2.channel_mutes?.[0].expires instanceof Date);
      await eve.waitFor('notification.channel_mutes_updated', 2);

      // A fresh connection reads them in its first health check.
      const again = await connect('eve');
      assert.deepEqual(again.client.mutedChannels.map((m) => m.channel?.cid).sort(), ['messaging:loud', 'messaging:louder']);
      assert.ok(again.client.mutedChannels.find((m) => m.channel?.cid === 'messaging:louder')?.expires);

      await loud.unmute();
      await eve.waitFor('notification.channel_mutes_updated', 3);
      assert.equal(loud.muteStatus().muted, false);
      await h.node.chat.unmuteChannel({ channel_cids: ['messaging:louder'], user_id: 'eve' });
      await hooked('channel.unmuted', (e) => e.user.id === 'eve', 2);
      const fresh = await connect('eve');
      assert.deepEqual(fresh.client.mutedChannels, []);

      await assert.rejects(h.node.chat.muteChannel({ channel_cids: ['messaging:loud'] }), streamError(4, 400, /user_id/));
      await assert.rejects(h.node.chat.muteChannel({ channel_cids: ['messaging:missing'], user_id: 'eve' }), streamError(16, 404));
      assertRawError(await raw('POST', '/moderation/mute/channel', { channel_cid: 'messaging:loud' }, 'gus'), 403, 17, /not a member/);
      assertRawError(await raw('POST', '/moderation/mute/channel', { channel_cid: 'messaging:loud', user_id: 'owner' }, 'eve'), 403, 17);
    });

    it('custom events reach the watchers and webhooks with their fields; Stream\'s own types are refused', async () => {
      await create('party', ['owner', 'fay', 'gus']);
      const fay = await connect('fay');
      const gus = await connect('gus');
      const fayChannel = await watch(fay, 'party');
      await watch(gus, 'party');
      const sent = await fayChannel.sendEvent({ type: 'friendship_request', text: 'Be my friend?' } as never);
      assert.equal((sent.event as unknown as Record<string, unknown>).text, 'Be my friend?');
      const [heard] = await gus.waitFor('friendship_request');
      assert.equal((heard as unknown as Record<string, unknown>).text, 'Be my friend?');
      assert.equal(heard.user?.id, 'fay');
      assert.equal(heard.cid, 'messaging:party');
      await hooked('friendship_request', (e) => e.text === 'Be my friend?' && e.user.id === 'fay');

      const v2 = await h.node.chat.channel('messaging', 'party').sendEvent({ event: { type: 'cheer', user_id: 'gus', custom: { level: 3 } } });
      assert.deepEqual((v2.event as { custom?: unknown }).custom, { level: 3 });
      const [cheer] = await fay.waitFor('cheer');
      assert.equal((cheer as unknown as Record<string, unknown>).level, 3);

      await assert.rejects(fayChannel.sendEvent({ type: 'message.new' } as never), streamError(4, 400, /Stream's own/));
      await assert.rejects(fayChannel.sendEvent({ type: 'channel.updated' } as never), streamError(4, 400));
      assertRawError(await raw('POST', '/channels/messaging/party/event', { event: { type: 'cheer' } }, 'ann'), 403, 17);
    });

    it('exports channels as a task whose result.url serves the JSON, through both SDKs', async () => {
      await create('archive', ['owner', { user_id: 'ann', seat: 1 }], { topic: 'kept' });
      const channel = h.chat.channel('messaging', 'archive');
      await channel.sendMessage({ text: 'first', user_id: 'owner' });
      await channel.sendMessage({ text: 'second', user_id: 'ann' });

      const { task_id } = await h.chat.exportChannels([{ type: 'messaging', id: 'archive' }], { export_users: true });
      const status = await h.chat.getExportChannelStatus(task_id);
      assert.equal((status as { status?: string }).status, 'completed');
      const task = await h.chat.getTask(task_id);
      const url = String((task.result as { url: string }).url);
      assert.match(url, /\/export_channels\/.+\/download\?token=/);
      const file = (await (await fetch(url)).json()) as { channels: Array<Record<string, any>>; users: Array<Record<string, any>> };
      assert.equal(file.channels.length, 1);
      assert.equal(file.channels[0].channel.cid, 'messaging:archive');
      assert.equal(file.channels[0].channel.topic, 'kept');
      assert.deepEqual(file.channels[0].messages.map((m: { text: string }) => m.text), ['first', 'second']);
      assert.deepEqual(file.channels[0].members.map((m: { user_id: string }) => m.user_id).sort(), ['ann', 'owner']);
      assert.deepEqual(file.users.map((u) => u.id).sort(), ['ann', 'owner']);
      assert.equal((await fetch(url.replace(/token=\w+/, 'token=wrong'))).status, 404);

      const v2 = await h.node.chat.exportChannels({ channels: [{ cid: 'messaging:archive', messages_since: new Date(Date.now() - 3_600_000) }] });
      const v2Task = await h.node.getTask({ id: v2.task_id });
      assert.equal(v2Task.status, 'completed');
      assert.ok(v2Task.result?.url);

      await assert.rejects(h.chat.exportChannels([{ type: 'messaging', id: 'never' }]), streamError(16, 404));
      await assert.rejects(h.chat.exportChannels([]), streamError(4, 400));
      assertRawError(await raw('POST', '/export_channels', { channels: [{ cid: 'messaging:archive' }] }, 'owner'), 403, 17);
    });

    it('a user token does to a channel only what its role there allows (403, code 17, otherwise)', async () => {
      await create('rules', ['owner', 'ann', 'bob', { user_id: 'cat', channel_role: 'channel_moderator' }]);
      const path = '/channels/messaging/rules';
      // A plain member: not the channel, nor other members.
      for (const body of [
        { add_members: ['dan'] },
        { remove_members: ['bob'] },
        { add_moderators: ['ann'] },
        { invites: ['dan'] },
        { data: { name: 'Mine' } },
      ]) {
        assertRawError(await raw('POST', path, body, 'ann'), 403, 17, /UpdateChannel/);
      }
      assertRawError(await raw('PATCH', path, { set: { name: 'Mine' } }, 'ann'), 403, 17);
      assertRawError(await raw('POST', `${path}/truncate`, {}, 'ann'), 403, 17, /TruncateChannel/);
      assertRawError(await raw('POST', path, { add_members: ['dan'], user_id: 'owner' }, 'ann'), 403, 17, /for user "owner"/);
      // Outsiders: not even a message.
      assertRawError(await raw('POST', path, { message: { text: 'hi' } }, 'gus'), 403, 17);
      // The owner and a moderator may; the team is the server's.
      const byOwner = await raw('POST', path, { add_members: ['dan'] }, 'owner');
      assert.equal(byOwner.status, 201, byOwner.text);
      const byModerator = await raw('PATCH', path, { set: { name: 'Ours' } }, 'cat');
      assert.equal(byModerator.status, 200, byModerator.text);
      assert.equal(byModerator.body.channel.name, 'Ours');
      assertRawError(await raw('PATCH', path, { set: { team: 'blue' } }, 'cat'), 403, 17, /team/);
      // A member may leave, and may announce its own message.
      const left = await raw('POST', path, { remove_members: ['bob'] }, 'bob');
      assert.equal(left.status, 201, left.text);
      assert.ok(!left.body.members.some((m: { user_id: string }) => m.user_id === 'bob'));
      const said = await raw('POST', path, { message: { text: 'I am here' } }, 'ann');
      assert.equal(said.status, 201, said.text);
      assert.equal(said.body.message.user.id, 'ann');
      assertRawError(await raw('POST', path, { message: { text: 'as owner', user_id: 'owner' } }, 'ann'), 403, 17);
    });
  });
}
