import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { StreamChat, type Event } from 'stream-chat';
import { backends } from './support/backends.js';
import { connectClient, disconnectAll, type ChatClient } from './support/chat-clients.js';
import { startHerald, TEST_API_KEY, type RunningHerald } from './support/herald-server.js';
import { streamError } from './support/stream-assertions.js';
import { waitFor } from './support/waiting.js';

/**
 * Issue 14's coverage, at a glance: every SDK method the issue names, called through the real
 * SDK (`stream-chat` as the server and as a connected user, `@stream-io/node-sdk` by its
 * generated names) against a real Herald, one row each. A row passes when the server saw the
 * route it names, no request of the call was answered 404 (a missing route: every object a
 * call needs is seeded), and the call succeeded, or, for what needs an outside service, was
 * refused with 501 and code 4 in Stream's error shape. The behaviour of each route is tested in
 * its own file (channel-management, messages-breadth, reactions, users-moderation,
 * moderation-and-refusals); the few rows with assertions check what has no other home:
 * POST /channels/read, and reactions on thread replies and search results.
 *
 * SDK_COVERAGE_TABLE=1 prints the table (sdk, method, route, status) after each backend.
 */
type Sdk = 'stream-chat' | 'stream-chat user' | 'node-sdk';

interface Row {
  sdk: Sdk;
  method: string;
  /** `METHOD /path/{param}`: a request of the call must match it. */
  route: string;
  call(): Promise<unknown>;
  /** What needs an outside service: refused with this status and code, never a 404. */
  refused?: { status: 501 | 400; code: number; pattern: RegExp };
}

interface Seen {
  method: string;
  path: string;
  status?: number;
}

const ok = (sdk: Sdk, method: string, route: string, call: () => Promise<unknown>): Row => ({ sdk, method, route, call });
const NOT_SUPPORTED = { status: 501, code: 4 } as const;
const refused = (sdk: Sdk, method: string, route: string, pattern: RegExp, call: () => Promise<unknown>): Row => ({
  sdk, method, route, call, refused: { ...NOT_SUPPORTED, pattern },
});

const routePattern = (route: string) => {
  const [method, path] = route.split(' ');
  return { method, path: new RegExp(`^${path.replace(/\{\w+\}/g, '[^/]+')}$`) };
};

const reactionTypes = (reactions: Array<{ type: string }> | null | undefined) => (reactions ?? []).map((r) => r.type).sort();

for (const { backend, skip } of await backends()) {
  describe(`SDK coverage of issue 14 on ${backend.name}`, { skip }, () => {
    let h: RunningHerald;
    let bob: ChatClient;
    let uma: ChatClient;
    let val: ChatClient;
    let guest: StreamChat;
    const seen: Seen[] = [];
    const table: Array<{ sdk: Sdk; method: string; route: string; status: string }> = [];
    let exportTask = '';
    let v2ExportTask = '';

    before(async () => {
      // Rate limits are tested in rate-limits.test.ts; here they would only slow the rows down.
      h = await startHerald(backend, { rateLimits: null });
      // What the server saw of each request: its method, path and status, whichever SDK sent it.
      h.app.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
        const entry: Seen = { method: req.method ?? '', path: (req.url ?? '').split('?')[0] };
        seen.push(entry);
        res.on('finish', () => {
          entry.status = res.statusCode;
        });
      });
      const s = h.chat;
      await s.updateAppSettings({ guest_users_enabled: true } as never);
      await s.upsertUsers(
        ['ann', 'bob', 'cy', 'dan', 'eve', 'fay', 'gus', 'uma', 'val', 's-hal', 's-ivy', 's-jo', 's-kim', 's-gone', 'n-hal', 'n-ivy', 'n-jo', 'n-kim', 'n-gone']
          .map((id) => ({ id }))
          .concat([{ id: 'mod', role: 'moderator' } as never]),
      );
      await s.deleteUsers(['s-gone', 'n-gone'], { user: 'soft' });

      // stream-chat's channels and messages; fixed ids, so that each row names what it uses.
      const main = s.channel('messaging', 'sc-main', { created_by_id: 'ann', members: ['ann', 'bob', 'cy', 'mod', 's-kim'] });
      await main.create();
      for (const [id, text, user_id] of [
        ['sc-edit', 'to edit', 'ann'], ['sc-soft', 'to soft-delete', 'ann'], ['sc-hard', 'to hard-delete', 'ann'],
        ['sc-parent', 'a thread', 'ann'], ['sc-react', 'a needle to find', 'ann'], ['sc-pin', 'to pin', 'ann'],
        ['sc-unread', 'read up to here', 'ann'], ['sc-bob', 'bob writes', 'bob'], ['sc-bob-gone', 'bob deletes', 'bob'],
      ]) {
        await main.sendMessage({ id, text, user_id });
      }
      await main.sendMessage({ id: 'sc-reply', text: 'a reply with reactions', parent_id: 'sc-parent', user_id: 'ann' });
      for (const [message, type, user_id] of [['sc-react', 'wow', 'cy'], ['sc-react', 'yes', 'bob'], ['sc-reply', 'wow', 'cy'], ['sc-reply', 'yes', 'bob']]) {
        await main.sendReaction(message, { type, user_id } as never);
      }
      const trunc = s.channel('messaging', 'sc-trunc', { created_by_id: 'ann', members: ['ann'] });
      await trunc.create();
      await trunc.sendMessage({ text: 'to truncate', user_id: 'ann' });
      const other = s.channel('messaging', 'sc-other', { created_by_id: 'ann', members: ['ann', 'bob'] });
      await other.create();
      await other.sendMessage({ text: 'unread by bob', user_id: 'ann' });
      await s.channel('messaging', 'sc-invites', { created_by_id: 'ann', members: ['ann'], invites: ['uma', 'val'] } as never).create();

      // node-sdk's.
      await h.node.chat.getOrCreateChannel({
        type: 'messaging', id: 'v2-main',
        data: { created_by_id: 'ann', members: ['ann', 'bob', 'cy', 'dan', 'mod', 'n-kim'].map((user_id) => ({ user_id })) },
      });
      for (const [id, text] of [
        ['v2-edit', 'to edit'], ['v2-soft', 'to soft-delete'], ['v2-hard', 'to hard-delete'], ['v2-parent', 'a thread'],
        ['v2-react', 'a needle in v2'], ['v2-pin', 'to pin'], ['v2-unread', 'read up to here'],
      ]) {
        await h.node.chat.sendMessage({ type: 'messaging', id: 'v2-main', message: { id, text, user_id: 'ann' } });
      }
      await h.node.chat.getOrCreateChannel({ type: 'messaging', id: 'v2-trunc', data: { created_by_id: 'ann', members: [{ user_id: 'ann' }] } });
      await h.node.chat.sendMessage({ type: 'messaging', id: 'v2-trunc', message: { text: 'to truncate', user_id: 'ann' } });

      bob = await connectClient(h.baseURL, 'bob');
      uma = await connectClient(h.baseURL, 'uma');
      val = await connectClient(h.baseURL, 'val');
      await bob.client.channel('messaging', 'sc-main').watch();
      await bob.client.channel('messaging', 'sc-other').watch();
      await uma.client.channel('messaging', 'sc-invites').watch();
      await val.client.channel('messaging', 'sc-invites').watch();
      guest = new StreamChat(TEST_API_KEY, { baseURL: h.baseURL, allowServerSideConnect: true, logger: () => {} });
    });

    after(async () => {
      if (process.env.SDK_COVERAGE_TABLE) {
        console.log(`\n${backend.name}\n| sdk | method | route | outcome |\n|---|---|---|---|`);
        for (const r of table) console.log(`| ${r.sdk} | ${r.method} | \`${r.route}\` | ${r.status} |`);
      }
      await disconnectAll([bob, uma, val].filter(Boolean));
      await guest?.disconnectUser();
      await h?.close();
    });

    const sc = () => h.chat.channel('messaging', 'sc-main');
    const bobs = () => bob.client.channel('messaging', 'sc-main');
    const v2 = { type: 'messaging', id: 'v2-main' } as const;
    const PUSH = /push notifications/;
    const FILES = /does not store files/;

    const rows: Row[] = [
      // ── members ──────────────────────────────────────────────────────────────────────────
      ok('stream-chat', 'channel.create (members as strings)', 'POST /channels/{type}/{id}/query', () =>
        h.chat.channel('messaging', 'sc-strings', { created_by_id: 'ann', members: ['ann', 'bob'] }).create()),
      ok('stream-chat', 'channel.create (members as objects)', 'POST /channels/{type}/{id}/query', () =>
        h.chat.channel('messaging', 'sc-objects', {
          created_by_id: 'ann',
          members: [{ user_id: 'ann', channel_role: 'channel_moderator' }, { user_id: 'bob', seat: 2 }],
        } as never).create()),
      ok('stream-chat', 'channel.addMembers (strings)', 'POST /channels/{type}/{id}', () => sc().addMembers(['dan'])),
      ok('stream-chat', 'channel.addMembers (objects)', 'POST /channels/{type}/{id}', () => sc().addMembers([{ user_id: 'gus', channel_role: 'channel_member' }])),
      ok('stream-chat', 'channel.addModerators', 'POST /channels/{type}/{id}', () => sc().addModerators(['dan'])),
      ok('stream-chat', 'channel.demoteModerators', 'POST /channels/{type}/{id}', () => sc().demoteModerators(['dan'])),
      ok('stream-chat', 'channel.removeMembers', 'POST /channels/{type}/{id}', () => sc().removeMembers(['gus'])),
      ok('stream-chat', 'channel.inviteMembers', 'POST /channels/{type}/{id}', () => sc().inviteMembers(['eve', 'fay'])),
      ok('stream-chat', 'channel.acceptInvite', 'POST /channels/{type}/{id}', () => sc().acceptInvite({ user_id: 'eve' } as never)),
      ok('stream-chat', 'channel.rejectInvite', 'POST /channels/{type}/{id}', () => sc().rejectInvite({ user_id: 'fay' } as never)),
      ok('stream-chat user', 'channel.acceptInvite', 'POST /channels/{type}/{id}', () => uma.client.channel('messaging', 'sc-invites').acceptInvite()),
      ok('stream-chat user', 'channel.rejectInvite', 'POST /channels/{type}/{id}', () => val.client.channel('messaging', 'sc-invites').rejectInvite()),
      ok('stream-chat', 'channel.queryMembers', 'GET /members', () => sc().queryMembers({ name: { $autocomplete: 'a' } } as never)),
      ok('stream-chat user', 'channel.queryMembers', 'GET /members', () => bobs().queryMembers({})),
      ok('stream-chat', 'channel.updateMemberPartial', 'PATCH /channels/{type}/{id}/member', () => sc().updateMemberPartial({ set: { seat: 7 } as never }, { userId: 'bob' })),
      ok('stream-chat user', 'channel.updateMemberPartial', 'PATCH /channels/{type}/{id}/member', () => bobs().updateMemberPartial({ set: { seat: 8 } as never })),
      ok('stream-chat', 'channel.archive', 'PATCH /channels/{type}/{id}/member/{user_id}', () => sc().archive({ user_id: 'cy' })),
      ok('stream-chat', 'channel.pin', 'PATCH /channels/{type}/{id}/member/{user_id}', () => sc().pin({ user_id: 'cy' })),
      ok('stream-chat user', 'channel.archive', 'PATCH /channels/{type}/{id}/member/{user_id}', () => bobs().archive()),
      ok('stream-chat user', 'channel.unarchive', 'PATCH /channels/{type}/{id}/member/{user_id}', () => bobs().unarchive()),
      ok('stream-chat user', 'channel.pin', 'PATCH /channels/{type}/{id}/member/{user_id}', () => bobs().pin()),
      ok('stream-chat user', 'channel.unpin', 'PATCH /channels/{type}/{id}/member/{user_id}', () => bobs().unpin()),

      ok('node-sdk', 'chat.getOrCreateChannel (members as objects)', 'POST /api/v2/chat/channels/{type}/{id}/query', () =>
        h.node.chat.getOrCreateChannel({ type: 'messaging', id: 'v2-objects', data: { created_by_id: 'ann', members: [{ user_id: 'ann' }, { user_id: 'bob', channel_role: 'channel_moderator', custom: { seat: 2 } }] } })),
      ok('node-sdk', 'chat.updateChannel add_members', 'POST /api/v2/chat/channels/{type}/{id}', () => h.node.chat.updateChannel({ ...v2, add_members: [{ user_id: 'gus' }] })),
      ok('node-sdk', 'chat.updateChannel add_moderators', 'POST /api/v2/chat/channels/{type}/{id}', () => h.node.chat.updateChannel({ ...v2, add_moderators: ['gus'] })),
      ok('node-sdk', 'chat.updateChannel demote_moderators', 'POST /api/v2/chat/channels/{type}/{id}', () => h.node.chat.updateChannel({ ...v2, demote_moderators: ['gus'] })),
      ok('node-sdk', 'chat.updateChannel remove_members', 'POST /api/v2/chat/channels/{type}/{id}', () => h.node.chat.updateChannel({ ...v2, remove_members: ['gus'] })),
      ok('node-sdk', 'chat.updateChannel invites', 'POST /api/v2/chat/channels/{type}/{id}', () => h.node.chat.updateChannel({ ...v2, invites: [{ user_id: 'eve' }, { user_id: 'fay' }] })),
      ok('node-sdk', 'chat.updateChannel accept_invite', 'POST /api/v2/chat/channels/{type}/{id}', () => h.node.chat.updateChannel({ ...v2, accept_invite: true, user_id: 'eve' })),
      ok('node-sdk', 'chat.updateChannel reject_invite', 'POST /api/v2/chat/channels/{type}/{id}', () => h.node.chat.updateChannel({ ...v2, reject_invite: true, user_id: 'fay' })),
      ok('node-sdk', 'chat.queryMembers', 'GET /api/v2/chat/members', () => h.node.chat.queryMembers({ payload: { ...v2, filter_conditions: {} } })),
      ok('node-sdk', 'chat.updateMemberPartial', 'PATCH /api/v2/chat/channels/{type}/{id}/member', () => h.node.chat.updateMemberPartial({ ...v2, user_id: 'bob', set: { seat: 3 } })),
      ok('node-sdk', 'chat.updateMemberPartial (archive)', 'PATCH /api/v2/chat/channels/{type}/{id}/member', () => h.node.chat.updateMemberPartial({ ...v2, user_id: 'cy', set: { archived: true } })),
      ok('node-sdk', 'chat.updateMemberPartial (pin)', 'PATCH /api/v2/chat/channels/{type}/{id}/member', () => h.node.chat.updateMemberPartial({ ...v2, user_id: 'cy', set: { pinned: true } })),

      // ── channels ─────────────────────────────────────────────────────────────────────────
      ok('stream-chat', 'channel.update', 'POST /channels/{type}/{id}', () => sc().update({ name: 'Main', topic: 'coverage' } as never)),
      ok('stream-chat', 'channel.updatePartial', 'PATCH /channels/{type}/{id}', () => sc().updatePartial({ set: { topic: 'partial' } as never, unset: ['name'] })),
      ok('stream-chat', 'channel.truncate', 'POST /channels/{type}/{id}/truncate', () => h.chat.channel('messaging', 'sc-trunc').truncate()),
      ok('stream-chat', 'channel.hide', 'POST /channels/{type}/{id}/hide', () => sc().hide('cy')),
      ok('stream-chat', 'channel.show', 'POST /channels/{type}/{id}/show', () => sc().show('cy')),
      ok('stream-chat user', 'channel.hide', 'POST /channels/{type}/{id}/hide', () => bobs().hide()),
      ok('stream-chat user', 'channel.show', 'POST /channels/{type}/{id}/show', () => bobs().show()),
      ok('stream-chat', 'channel.mute', 'POST /moderation/mute/channel', () => sc().mute({ user_id: 'cy' })),
      ok('stream-chat', 'channel.unmute', 'POST /moderation/unmute/channel', () => sc().unmute({ user_id: 'cy' })),
      ok('stream-chat user', 'channel.mute', 'POST /moderation/mute/channel', () => bobs().mute()),
      ok('stream-chat user', 'channel.unmute', 'POST /moderation/unmute/channel', () => bobs().unmute()),
      ok('stream-chat', 'channel.sendEvent (custom type)', 'POST /channels/{type}/{id}/event', () => sc().sendEvent({ type: 'cheer', user_id: 'ann', level: 3 } as never)),
      ok('stream-chat user', 'channel.sendEvent (custom type)', 'POST /channels/{type}/{id}/event', () => bobs().sendEvent({ type: 'cheer', level: 4 } as never)),
      ok('stream-chat', 'exportChannels', 'POST /export_channels', async () => {
        exportTask = (await h.chat.exportChannels([{ type: 'messaging', id: 'sc-main' }])).task_id;
      }),
      ok('stream-chat', 'getExportChannelStatus', 'GET /export_channels/{id}', () => h.chat.getExportChannelStatus(exportTask)),
      ok('stream-chat', 'markChannelsRead (read_by_channel)', 'POST /channels/read', async () => {
        assert.ok(((await h.chat.getUnreadCount('cy')).channels ?? []).some((c) => c.channel_id === 'messaging:sc-main'), 'cy had unread messages');
        await h.chat.markChannelsRead({ user_id: 'cy', read_by_channel: { 'messaging:sc-main': '' } });
        const after = (await h.chat.getUnreadCount('cy')).channels ?? [];
        assert.deepEqual(after.map((c) => c.channel_id), ['messaging:v2-main'], 'only the channel named is read');
        await assert.rejects(
          h.chat.markChannelsRead({ user_id: 'cy', read_by_channel: { 'messaging:sc-other': '', 'messaging:nowhere': '' } }),
          streamError(4, 400, /not a member of these channels: messaging:sc-other, messaging:nowhere/),
        );
      }),
      ok('stream-chat user', 'markAllRead', 'POST /channels/read', async () => {
        assert.ok((await bob.client.getUnreadCount()).total_unread_count > 0, 'bob had unread messages');
        const from = bob.events.length;
        await bob.client.markAllRead();
        // One notification.mark_read per channel read; the last one's counts are zero.
        const reads = await waitFor('notification.mark_read with nothing unread', async () => {
          const heard = bob.events.slice(from).filter((e: Event) => e.type === 'notification.mark_read');
          return heard.some((e) => e.unread_channels === 0) && heard;
        });
        // v2-main too, which bob's client does not watch: each reaches the reader's own connections.
        assert.deepEqual(reads.map((e) => e.cid).sort(), ['messaging:sc-main', 'messaging:sc-other', 'messaging:v2-main']);
        assert.equal(bob.client.activeChannels['messaging:sc-other'].countUnread(), 0);
        assert.equal((await bob.client.getUnreadCount()).total_unread_count, 0);
      }),

      ok('node-sdk', 'chat.updateChannel (data)', 'POST /api/v2/chat/channels/{type}/{id}', () => h.node.chat.updateChannel({ ...v2, data: { custom: { topic: 'v2' } } })),
      ok('node-sdk', 'chat.updateChannelPartial', 'PATCH /api/v2/chat/channels/{type}/{id}', () => h.node.chat.updateChannelPartial({ ...v2, set: { topic: 'partial' }, unset: ['name'] })),
      ok('node-sdk', 'chat.truncateChannel', 'POST /api/v2/chat/channels/{type}/{id}/truncate', () => h.node.chat.truncateChannel({ type: 'messaging', id: 'v2-trunc' })),
      ok('node-sdk', 'chat.hideChannel', 'POST /api/v2/chat/channels/{type}/{id}/hide', () => h.node.chat.hideChannel({ ...v2, user_id: 'cy' })),
      ok('node-sdk', 'chat.showChannel', 'POST /api/v2/chat/channels/{type}/{id}/show', () => h.node.chat.showChannel({ ...v2, user_id: 'cy' })),
      ok('node-sdk', 'chat.muteChannel', 'POST /api/v2/chat/moderation/mute/channel', () => h.node.chat.muteChannel({ channel_cids: ['messaging:v2-main'], user_id: 'cy' })),
      ok('node-sdk', 'chat.unmuteChannel', 'POST /api/v2/chat/moderation/unmute/channel', () => h.node.chat.unmuteChannel({ channel_cids: ['messaging:v2-main'], user_id: 'cy' })),
      ok('node-sdk', 'chat.sendEvent (custom type)', 'POST /api/v2/chat/channels/{type}/{id}/event', () => h.node.chat.sendEvent({ ...v2, event: { type: 'cheer', user_id: 'ann', custom: { level: 3 } } })),
      ok('node-sdk', 'chat.exportChannels', 'POST /api/v2/chat/export_channels', async () => {
        v2ExportTask = (await h.node.chat.exportChannels({ channels: [{ cid: 'messaging:v2-main' }] })).task_id;
      }),
      ok('node-sdk', 'getTask (export status)', 'GET /api/v2/tasks/{id}', () => h.node.getTask({ id: v2ExportTask })),
      ok('node-sdk', 'chat.markChannelsRead', 'POST /api/v2/chat/channels/read', async () => {
        assert.ok((await h.node.chat.unreadCounts({ user_id: 'dan' })).total_unread_count > 0, 'dan had unread messages');
        await h.node.chat.markChannelsRead({ user_id: 'dan' });
        assert.equal((await h.node.chat.unreadCounts({ user_id: 'dan' })).total_unread_count, 0);
      }),

      // ── messages ─────────────────────────────────────────────────────────────────────────
      ok('stream-chat', 'updateMessage', 'POST /messages/{id}', () => h.chat.updateMessage({ id: 'sc-edit', text: 'edited' }, 'ann')),
      ok('stream-chat', 'partialUpdateMessage', 'PUT /messages/{id}', () => h.chat.partialUpdateMessage('sc-edit', { set: { color: 'red' } as never }, 'ann')),
      ok('stream-chat', 'deleteMessage (soft)', 'DELETE /messages/{id}', () => h.chat.deleteMessage('sc-soft')),
      ok('stream-chat', 'deleteMessage (hard)', 'DELETE /messages/{id}', () => h.chat.deleteMessage('sc-hard', true)),
      ok('stream-chat user', 'updateMessage', 'POST /messages/{id}', () => bob.client.updateMessage({ id: 'sc-bob', text: 'bob edited' })),
      ok('stream-chat user', 'partialUpdateMessage', 'PUT /messages/{id}', () => bob.client.partialUpdateMessage('sc-bob', { set: { mood: 'fine' } as never })),
      ok('stream-chat user', 'deleteMessage', 'DELETE /messages/{id}', () => bob.client.deleteMessage('sc-bob-gone')),
      ok('stream-chat', 'channel.sendMessage (parent_id)', 'POST /channels/{type}/{id}/message', () => sc().sendMessage({ text: 'a server reply', parent_id: 'sc-parent', user_id: 'cy' })),
      ok('stream-chat user', 'channel.sendMessage (parent_id)', 'POST /channels/{type}/{id}/message', () => bobs().sendMessage({ text: 'a reply by bob', parent_id: 'sc-parent' })),
      ok('stream-chat', 'channel.getReplies (latest_reactions)', 'GET /messages/{id}/replies', async () => {
        const { messages } = await sc().getReplies('sc-parent', {});
        const reply = messages.find((m) => m.id === 'sc-reply');
        assert.deepEqual(reactionTypes(reply?.latest_reactions), ['wow', 'yes']);
        assert.deepEqual(reply?.own_reactions, [], 'a server token reads as no one');
      }),
      ok('stream-chat user', 'channel.getReplies (own_reactions)', 'GET /messages/{id}/replies', async () => {
        const { messages } = await bobs().getReplies('sc-parent', {});
        const reply = messages.find((m) => m.id === 'sc-reply');
        assert.deepEqual(reactionTypes(reply?.latest_reactions), ['wow', 'yes']);
        assert.deepEqual(reactionTypes(reply?.own_reactions), ['yes']);
        assert.equal(reply?.latest_reactions?.find((r) => r.type === 'wow')?.user?.id, 'cy', 'with their authors');
      }),
      ok('stream-chat', 'channel.sendReaction', 'POST /messages/{id}/reaction', () => sc().sendReaction('sc-react', { type: 'love', user_id: 'cy' } as never)),
      ok('stream-chat', 'channel.deleteReaction', 'DELETE /messages/{id}/reaction/{type}', () => sc().deleteReaction('sc-react', 'love', 'cy')),
      ok('stream-chat user', 'channel.sendReaction', 'POST /messages/{id}/reaction', () => bobs().sendReaction('sc-react', { type: 'love' })),
      ok('stream-chat user', 'channel.deleteReaction', 'DELETE /messages/{id}/reaction/{type}', () => bobs().deleteReaction('sc-react', 'love')),
      ok('stream-chat', 'channel.getReactions', 'GET /messages/{id}/reactions', () => sc().getReactions('sc-react', { limit: 10 })),
      ok('stream-chat', 'queryReactions', 'POST /messages/{id}/reactions', () => h.chat.queryReactions('sc-react', { type: 'wow' } as never)),
      ok('stream-chat user', 'queryReactions', 'POST /messages/{id}/reactions', () => bob.client.queryReactions('sc-react', {})),
      ok('stream-chat', 'pinMessage', 'PUT /messages/{id}', () => h.chat.pinMessage('sc-pin', null, 'ann')),
      ok('stream-chat', 'unpinMessage', 'PUT /messages/{id}', () => h.chat.unpinMessage('sc-pin', 'ann')),
      // A member pins its own messages (Herald's members have no pin-message capability for others').
      ok('stream-chat user', 'pinMessage', 'PUT /messages/{id}', () => bob.client.pinMessage('sc-bob')),
      ok('stream-chat user', 'unpinMessage', 'PUT /messages/{id}', () => bob.client.unpinMessage('sc-bob')),
      ok('stream-chat', 'channel.markUnread', 'POST /channels/{type}/{id}/unread', () => sc().markUnread({ message_id: 'sc-unread', user_id: 'cy' })),
      ok('stream-chat user', 'channel.markUnread', 'POST /channels/{type}/{id}/unread', () => bobs().markUnread({ message_id: 'sc-unread' })),
      ok('stream-chat', 'search (latest_reactions)', 'GET /search', async () => {
        const { results } = await h.chat.search({ cid: 'messaging:sc-main' }, 'needle');
        assert.deepEqual(results.map((r) => r.message.id), ['sc-react']);
        assert.deepEqual(reactionTypes(results[0].message.latest_reactions), ['wow', 'yes']);
      }),
      ok('stream-chat user', 'search (own_reactions)', 'GET /search', async () => {
        const { results } = await bob.client.search({ members: { $in: ['bob'] } }, 'needle');
        assert.deepEqual(reactionTypes(results[0].message.own_reactions), ['yes']);
      }),
      ok('stream-chat', 'flagMessage', 'POST /moderation/flag', () => h.chat.flagMessage('sc-react', { user_id: 'cy', reason: 'spam' })),
      ok('stream-chat', 'flagUser', 'POST /moderation/flag', () => h.chat.flagUser('gus', { user_id: 'cy' })),
      ok('stream-chat', 'unflagMessage', 'POST /moderation/unflag', () => h.chat.unflagMessage('sc-react', { user_id: 'cy' })),
      ok('stream-chat user', 'flagMessage', 'POST /moderation/flag', () => bob.client.flagMessage('sc-react')),
      ok('stream-chat user', 'flagUser', 'POST /moderation/flag', () => bob.client.flagUser('gus')),
      ok('stream-chat user', 'unflagMessage', 'POST /moderation/unflag', () => bob.client.unflagMessage('sc-react')),
      ok('stream-chat', 'queryMessageFlags', 'GET /moderation/flags/message', () => h.chat.queryMessageFlags({ channel_cid: 'messaging:sc-main' })),

      ok('node-sdk', 'chat.updateMessage', 'POST /api/v2/chat/messages/{id}', () => h.node.chat.updateMessage({ id: 'v2-edit', message: { text: 'edited', user_id: 'ann' } })),
      ok('node-sdk', 'chat.updateMessagePartial', 'PUT /api/v2/chat/messages/{id}', () => h.node.chat.updateMessagePartial({ id: 'v2-edit', user_id: 'ann', set: { color: 'red' } })),
      ok('node-sdk', 'chat.deleteMessage (soft)', 'DELETE /api/v2/chat/messages/{id}', () => h.node.chat.deleteMessage({ id: 'v2-soft' })),
      ok('node-sdk', 'chat.deleteMessage (hard)', 'DELETE /api/v2/chat/messages/{id}', () => h.node.chat.deleteMessage({ id: 'v2-hard', hard: true })),
      ok('node-sdk', 'chat.sendMessage (parent_id)', 'POST /api/v2/chat/channels/{type}/{id}/message', () => h.node.chat.sendMessage({ ...v2, message: { id: 'v2-reply', text: 'a reply', parent_id: 'v2-parent', user_id: 'bob' } })),
      ok('node-sdk', 'chat.sendReaction', 'POST /api/v2/chat/messages/{id}/reaction', () => h.node.chat.sendReaction({ id: 'v2-reply', reaction: { type: 'wow', user_id: 'cy' } })),
      ok('node-sdk', 'chat.getReplies (latest_reactions)', 'GET /api/v2/chat/messages/{parent_id}/replies', async () => {
        const { messages } = await h.node.chat.getReplies({ parent_id: 'v2-parent' });
        assert.deepEqual(reactionTypes(messages.find((m) => m.id === 'v2-reply')?.latest_reactions), ['wow']);
      }),
      ok('node-sdk', 'chat.sendReaction', 'POST /api/v2/chat/messages/{id}/reaction', () => h.node.chat.sendReaction({ id: 'v2-react', reaction: { type: 'love', user_id: 'cy' } })),
      ok('node-sdk', 'chat.getReactions', 'GET /api/v2/chat/messages/{id}/reactions', () => h.node.chat.getReactions({ id: 'v2-react' })),
      ok('node-sdk', 'chat.queryReactions', 'POST /api/v2/chat/messages/{id}/reactions', () => h.node.chat.queryReactions({ id: 'v2-react', filter: { type: { $eq: 'love' } } })),
      ok('node-sdk', 'chat.search (latest_reactions)', 'GET /api/v2/chat/search', async () => {
        const { results } = await h.node.chat.search({ payload: { filter_conditions: { cid: 'messaging:v2-main' }, query: 'needle' } });
        assert.deepEqual(reactionTypes(results[0]?.message?.latest_reactions), ['love']);
      }),
      ok('node-sdk', 'chat.deleteReaction', 'DELETE /api/v2/chat/messages/{id}/reaction/{type}', () => h.node.chat.deleteReaction({ id: 'v2-react', type: 'love', user_id: 'cy' })),
      ok('node-sdk', 'chat.updateMessagePartial (pin)', 'PUT /api/v2/chat/messages/{id}', () => h.node.chat.updateMessagePartial({ id: 'v2-pin', user_id: 'ann', set: { pinned: true } })),
      ok('node-sdk', 'chat.updateMessagePartial (unpin)', 'PUT /api/v2/chat/messages/{id}', () => h.node.chat.updateMessagePartial({ id: 'v2-pin', user_id: 'ann', set: { pinned: false } })),
      ok('node-sdk', 'chat.markUnread', 'POST /api/v2/chat/channels/{type}/{id}/unread', () => h.node.chat.markUnread({ ...v2, message_id: 'v2-unread', user_id: 'bob' })),
      ok('node-sdk', 'moderation.flag (message)', 'POST /api/v2/moderation/flag', () => h.node.moderation.flag({ entity_type: 'stream:chat:v1:message', entity_id: 'v2-react', user_id: 'cy' })),
      ok('node-sdk', 'moderation.flag (user)', 'POST /api/v2/moderation/flag', () => h.node.moderation.flag({ entity_type: 'stream:user', entity_id: 'gus', user_id: 'dan' })),
      ok('node-sdk', 'chat.queryMessageFlags', 'GET /api/v2/chat/moderation/flags/message', () => h.node.chat.queryMessageFlags({ payload: { filter_conditions: { channel_cid: 'messaging:v2-main' } } })),

      // ── users ────────────────────────────────────────────────────────────────────────────
      ok('stream-chat', 'deactivateUser', 'POST /users/{id}/deactivate', () => h.chat.deactivateUser('s-hal')),
      ok('stream-chat', 'reactivateUser', 'POST /users/{id}/reactivate', () => h.chat.reactivateUser('s-hal')),
      ok('stream-chat', 'deactivateUsers', 'POST /users/deactivate', () => h.chat.deactivateUsers(['s-ivy', 's-jo'])),
      ok('stream-chat', 'reactivateUsers', 'POST /users/reactivate', () => h.chat.reactivateUsers(['s-ivy', 's-jo'])),
      ok('stream-chat', 'restoreUsers', 'POST /users/restore', () => h.chat.restoreUsers(['s-gone'])),
      ok('stream-chat user', 'setGuestUser', 'POST /guest', () => guest.setGuestUser({ id: 's-guest', name: 'Guest' } as never)),
      ok('stream-chat', 'banUser', 'POST /moderation/ban', () => h.chat.banUser('s-kim', { banned_by_id: 'mod', reason: 'coverage' })),
      ok('stream-chat', 'unbanUser', 'DELETE /moderation/ban', () => h.chat.unbanUser('s-kim')),
      ok('stream-chat', 'shadowBan', 'POST /moderation/ban', () => h.chat.shadowBan('s-kim', { banned_by_id: 'mod' })),
      ok('stream-chat', 'removeShadowBan', 'DELETE /moderation/ban', () => h.chat.removeShadowBan('s-kim')),
      ok('stream-chat', 'channel.banUser', 'POST /moderation/ban', () => sc().banUser('s-kim', { banned_by_id: 'mod' })),
      ok('stream-chat', 'queryBannedUsers', 'GET /query_banned_users', () => h.chat.queryBannedUsers({ channel_cid: 'messaging:sc-main' })),
      ok('stream-chat', 'channel.unbanUser', 'DELETE /moderation/ban', () => sc().unbanUser('s-kim')),
      ok('stream-chat', 'muteUser', 'POST /moderation/mute', () => h.chat.muteUser('gus', 'cy')),
      ok('stream-chat', 'unmuteUser', 'POST /moderation/unmute', () => h.chat.unmuteUser('gus', 'cy')),
      ok('stream-chat user', 'muteUser', 'POST /moderation/mute', () => bob.client.muteUser('gus')),
      ok('stream-chat user', 'unmuteUser', 'POST /moderation/unmute', () => bob.client.unmuteUser('gus')),
      ok('stream-chat', 'blockUser', 'POST /users/block', () => h.chat.blockUser('gus', 'cy')),
      ok('stream-chat', 'getBlockedUsers', 'GET /users/block', () => h.chat.getBlockedUsers('cy')),
      ok('stream-chat', 'unBlockUser', 'POST /users/unblock', () => h.chat.unBlockUser('gus', 'cy')),
      ok('stream-chat user', 'blockUser', 'POST /users/block', () => bob.client.blockUser('gus')),
      ok('stream-chat user', 'getBlockedUsers', 'GET /users/block', () => bob.client.getBlockedUsers()),
      ok('stream-chat user', 'unBlockUser', 'POST /users/unblock', () => bob.client.unBlockUser('gus')),
      ok('stream-chat', 'sendUserCustomEvent', 'POST /users/{id}/event', () => h.chat.sendUserCustomEvent('bob', { type: 'friendship_request', from: 'ann' } as never)),
      ok('stream-chat', 'exportUser', 'GET /users/{id}/export', () => h.chat.exportUser('ann')),

      ok('node-sdk', 'deactivateUser', 'POST /api/v2/users/{user_id}/deactivate', () => h.node.deactivateUser({ user_id: 'n-hal' })),
      ok('node-sdk', 'reactivateUser', 'POST /api/v2/users/{user_id}/reactivate', () => h.node.reactivateUser({ user_id: 'n-hal' })),
      ok('node-sdk', 'deactivateUsers', 'POST /api/v2/users/deactivate', () => h.node.deactivateUsers({ user_ids: ['n-ivy', 'n-jo'] })),
      ok('node-sdk', 'reactivateUsers', 'POST /api/v2/users/reactivate', () => h.node.reactivateUsers({ user_ids: ['n-ivy', 'n-jo'] })),
      ok('node-sdk', 'restoreUsers', 'POST /api/v2/users/restore', () => h.node.restoreUsers({ user_ids: ['n-gone'] })),
      ok('node-sdk', 'createGuest', 'POST /api/v2/guest', () => h.node.createGuest({ user: { id: 'n-guest', name: 'Guest' } })),
      ok('node-sdk', 'moderation.ban', 'POST /api/v2/moderation/ban', () => h.node.moderation.ban({ target_user_id: 'n-kim', banned_by_id: 'mod' })),
      ok('node-sdk', 'moderation.unban', 'POST /api/v2/moderation/unban', () => h.node.moderation.unban({ target_user_id: 'n-kim' })),
      ok('node-sdk', 'moderation.ban (shadow)', 'POST /api/v2/moderation/ban', () => h.node.moderation.ban({ target_user_id: 'n-kim', banned_by_id: 'mod', shadow: true })),
      ok('node-sdk', 'moderation.unban (shadow)', 'POST /api/v2/moderation/unban', () => h.node.moderation.unban({ target_user_id: 'n-kim' })),
      ok('node-sdk', 'moderation.ban (channel_cid)', 'POST /api/v2/moderation/ban', () => h.node.moderation.ban({ target_user_id: 'n-kim', banned_by_id: 'mod', channel_cid: 'messaging:v2-main' })),
      ok('node-sdk', 'chat.queryBannedUsers', 'GET /api/v2/chat/query_banned_users', () => h.node.chat.queryBannedUsers({ payload: { filter_conditions: { channel_cid: 'messaging:v2-main' } } })),
      ok('node-sdk', 'moderation.mute', 'POST /api/v2/moderation/mute', () => h.node.moderation.mute({ target_ids: ['gus'], user_id: 'dan' })),
      ok('node-sdk', 'moderation.unmute', 'POST /api/v2/moderation/unmute', () => h.node.moderation.unmute({ target_ids: ['gus'], user_id: 'dan' })),
      ok('node-sdk', 'blockUsers', 'POST /api/v2/users/block', () => h.node.blockUsers({ blocked_user_id: 'gus', user_id: 'dan' })),
      ok('node-sdk', 'getBlockedUsers', 'GET /api/v2/users/block', () => h.node.getBlockedUsers({ user_id: 'dan' })),
      ok('node-sdk', 'unblockUsers', 'POST /api/v2/users/unblock', () => h.node.unblockUsers({ blocked_user_id: 'gus', user_id: 'dan' })),
      ok('node-sdk', 'chat.sendUserCustomEvent', 'POST /api/v2/chat/users/{user_id}/event', () => h.node.chat.sendUserCustomEvent({ user_id: 'bob', event: { type: 'friendship_request', custom: { from: 'ann' } } })),
      ok('node-sdk', 'exportUser', 'GET /api/v2/users/{user_id}/export', () => h.node.exportUser({ user_id: 'ann' })),

      // ── what needs an outside service: 501, code 4 ──────────────────────────────────────
      refused('stream-chat', 'translateMessage', 'POST /messages/{id}/translate', /does not translate/, () => h.chat.translateMessage('sc-react', 'fr')),
      refused('stream-chat', 'addDevice', 'POST /devices', PUSH, () => h.chat.addDevice('device-1', 'firebase', 'ann')),
      refused('stream-chat', 'getDevices', 'GET /devices', PUSH, () => h.chat.getDevices('ann')),
      refused('stream-chat', 'removeDevice', 'DELETE /devices', PUSH, () => h.chat.removeDevice('device-1', 'ann')),
      refused('stream-chat', 'testPushSettings', 'POST /check_push', /no push provider/, () => h.chat.testPushSettings('ann')),
      refused('stream-chat', 'channel.sendFile', 'POST /channels/{type}/{id}/file', FILES, () => sc().sendFile(Buffer.from('hello'), 'hello.txt', 'text/plain', { id: 'ann' })),
      refused('stream-chat', 'channel.sendImage', 'POST /channels/{type}/{id}/image', FILES, () => sc().sendImage(Readable.from([Buffer.from('png')]), 'a.png', 'image/png', { id: 'ann' })),
      refused('stream-chat', 'enrichURL', 'GET /og', /link previews/, () => h.chat.enrichURL('https://example.com')),
      refused('stream-chat', 'channel.sendAction', 'POST /messages/{id}/action', /message actions/, () => sc().sendAction('sc-react', { image_action: 'send' })),
      refused('stream-chat user', 'channel.sendAction', 'POST /messages/{id}/action', /message actions/, () => bobs().sendAction('sc-react', { image_action: 'shuffle' })),
      refused('stream-chat user', 'translateMessage', 'POST /messages/{id}/translate', /does not translate/, () => bob.client.translateMessage('sc-react', 'fr')),
      refused('stream-chat user', 'addDevice', 'POST /devices', PUSH, () => bob.client.addDevice('device-2', 'apn')),
      refused('stream-chat user', 'getDevices', 'GET /devices', PUSH, () => bob.client.getDevices()),
      refused('stream-chat user', 'removeDevice', 'DELETE /devices', PUSH, () => bob.client.removeDevice('device-2')),
      refused('stream-chat user', 'channel.sendFile', 'POST /channels/{type}/{id}/file', FILES, () => bobs().sendFile(Buffer.from('hello'), 'hello.txt', 'text/plain')),
      refused('stream-chat user', 'channel.sendImage', 'POST /channels/{type}/{id}/image', FILES, () => bobs().sendImage(Readable.from([Buffer.from('png')]), 'a.png', 'image/png')),
      refused('stream-chat user', 'enrichURL', 'GET /og', /link previews/, () => bob.client.enrichURL('https://example.com')),

      refused('node-sdk', 'chat.translateMessage', 'POST /api/v2/chat/messages/{id}/translate', /does not translate/, () => h.node.chat.translateMessage({ id: 'v2-react', language: 'fr' })),
      refused('node-sdk', 'createDevice', 'POST /api/v2/devices', PUSH, () => h.node.createDevice({ id: 'device-1', push_provider: 'apn', user_id: 'ann' })),
      refused('node-sdk', 'listDevices', 'GET /api/v2/devices', PUSH, () => h.node.listDevices({ user_id: 'ann' })),
      refused('node-sdk', 'deleteDevice', 'DELETE /api/v2/devices', PUSH, () => h.node.deleteDevice({ id: 'device-1', user_id: 'ann' })),
      refused('node-sdk', 'checkPush', 'POST /api/v2/check_push', PUSH, () => h.node.checkPush({ user_id: 'ann' })),
      refused('node-sdk', 'chat.uploadChannelFile', 'POST /api/v2/chat/channels/{type}/{id}/file', FILES, () => h.node.chat.uploadChannelFile({ ...v2, file: 'hello' })),
      refused('node-sdk', 'chat.uploadChannelImage', 'POST /api/v2/chat/channels/{type}/{id}/image', FILES, () => h.node.chat.uploadChannelImage({ ...v2, file: 'png' })),
      refused('node-sdk', 'getOG', 'GET /api/v2/og', /link previews/, () => h.node.getOG({ url: 'https://example.com' })),
      refused('node-sdk', 'chat.runMessageAction', 'POST /api/v2/chat/messages/{id}/action', /message actions/, () => h.node.chat.runMessageAction({ id: 'v2-react', form_data: { image_action: 'send' }, user_id: 'ann' })),
    ];

    for (const row of rows) {
      it(`${row.sdk} ${row.method} → ${row.route}`, async () => {
        const from = seen.length;
        let error: unknown;
        try {
          await row.call();
        } catch (caught) {
          if (caught instanceof assert.AssertionError) throw caught;
          error = caught;
        }
        const requests = seen.slice(from);
        // The SDK may hear the answer a moment before the server's 'finish' event runs.
        await waitFor('every answer of the call', async () => requests.every((r) => r.status !== undefined), 2000);
        const said = requests.map((r) => `${r.method} ${r.path} ${r.status}`).join(', ');
        const route = routePattern(row.route);
        const hit = requests.find((r) => r.method === route.method && route.path.test(r.path));
        assert.ok(hit, `${row.method} should call ${row.route}; it called: ${said || 'nothing'}`);
        assert.ok(requests.every((r) => r.status !== 404), `no 404 (a missing route or seed): ${said}`);
        if (row.refused) {
          assert.ok(error, `${row.method} should be refused, and succeeded`);
          streamError(row.refused.code, row.refused.status, row.refused.pattern)(error);
        } else if (error) {
          assert.fail(`${row.method} failed: ${(error as Error).message} (${said})`);
        }
        table.push({ sdk: row.sdk, method: row.method, route: row.route, status: `${hit.status}${row.refused ? ' (refused, code 4)' : ''}` });
      });
    }
  });
}
