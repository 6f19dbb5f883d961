import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { unsupportedOperations } from '../src/http/routes/unsupported.js';
import { backends } from './support/backends.js';
import { connectClients, disconnectAll } from './support/chat-clients.js';
import { startHerald, type RunningHerald } from './support/herald-server.js';
import { json, rawCall } from './support/raw-client.js';
import { assertRawError, streamError } from './support/stream-assertions.js';
import { signToken } from './support/tokens.js';
import { waitFor } from './support/waiting.js';
import { WebhookReceiver } from './support/webhook-receiver.js';

/**
 * Issue 14, moderation and refusals: flags of messages and users through both SDKs (legacy
 * flag/unflag and the v2 moderation API), the three flag queries, message.flagged and
 * user.flagged on a webhook receiver (and on no chat connection), and the features Herald has
 * no outside service for, each refused with 501 and code 4 by the SDK method that calls it.
 */
const NOT_SUPPORTED = (pattern: RegExp) => streamError(4, 501, pattern);

for (const { backend, skip } of await backends()) {
  describe(`flags and refusals on ${backend.name}`, { skip }, () => {
    let h: RunningHerald;
    let receiver: WebhookReceiver;
    let spam: string;
    let other: string;

    before(async () => {
      receiver = await new WebhookReceiver().start();
      h = await startHerald(backend);
      await h.chat.updateAppSettings({ webhook_url: receiver.url });
      await h.chat.upsertUsers([
        { id: 'ann', name: 'Ann' },
        { id: 'bob', name: 'Bob' },
        { id: 'cy', name: 'Cy' },
        { id: 'mod', name: 'Mod', role: 'moderator' },
      ]);
      const channel = h.chat.channel('messaging', 'flagged', { created_by_id: 'ann', members: ['ann', 'bob'] });
      await channel.create();
      spam = (await channel.sendMessage({ text: 'buy now', user_id: 'ann' })).message.id;
      other = (await channel.sendMessage({ text: 'hello', user_id: 'bob' })).message.id;
    });
    after(async () => {
      await h?.close();
      await receiver?.stop();
    });

    it('stream-chat: flags messages and users, refuses a second flag, queries and unflags them', async () => {
      const flagged = await h.chat.flagMessage(spam, { user_id: 'bob', reason: 'spam' });
      assert.equal(flagged.flag.target_message_id, spam);
      assert.equal(flagged.flag.user.id, 'bob');
      assert.equal(flagged.flag.created_by_automod, false);
      assert.ok(flagged.review_queue_item_id);
      await assert.rejects(h.chat.flagMessage(spam, { user_id: 'bob' }), streamError(4, 400, /already flagged by user "bob"/));
      await h.chat.flagMessage(spam, { user_id: 'cy' });
      const user = await h.chat.flagUser('ann', { user_id: 'bob', reason: 'rude' });
      assert.equal(user.flag.target_user.id, 'ann');
      assert.equal(user.flag.target_user.name, 'Ann');
      await h.chat.flagMessage(other, { user_id: 'ann' });

      const hooked = await waitFor('message.flagged twice and user.flagged', async () => {
        const messages = receiver.events('message.flagged').filter((e) => e.message.id === spam);
        const users = receiver.events('user.flagged');
        return messages.length === 2 && users.length === 1 && { messages, users };
      });
      const [first, second] = hooked.messages;
      assert.equal(first.user.id, 'bob');
      assert.equal(first.reason, 'spam');
      assert.equal(first.total_flags, 1);
      assert.equal(first.cid, 'messaging:flagged');
      assert.equal(first.message.text, 'buy now');
      assert.equal(second.total_flags, 2, 'total_flags counts every flagger');
      assert.equal(hooked.users[0].target_user.id, 'ann');
      assert.equal(hooked.users[0].user.id, 'bob');
      assert.equal(hooked.users[0].reason, 'rude');
      assert.ok(receiver.accepted.every((d) => d.verified));

      const inChannel = await h.chat.queryMessageFlags({ channel_cid: 'messaging:flagged' });
      assert.equal(inChannel.flags?.length, 3, 'message flags only');
      const ofAnn = await h.chat.queryMessageFlags({ user_id: { $in: ['ann'] } });
      assert.deepEqual(ofAnn.flags?.map((f) => `${f.message.id === spam}:${f.user.id}`).sort(), ['true:bob', 'true:cy'], 'user_id is the author');
      const byBob = await h.chat.queryMessageFlags({ reporter_id: 'bob' } as never, { limit: 5 });
      assert.deepEqual(byBob.flags?.map((f) => f.message.text), ['buy now']);
      const paged = await h.chat.queryMessageFlags({}, { limit: 2, offset: 2 });
      assert.equal(paged.flags?.length, 1);
      const all = await h.chat._queryFlags({ user_id: 'ann' });
      assert.equal(all.flags?.length, 3, 'two of her message and one of her');
      assert.ok(all.flags?.some((f) => f.target_user?.id === 'ann'));
      await assert.rejects(h.chat.queryMessageFlags({ team: 'red' }), streamError(4, 400, /team/));

      await h.chat.unflagMessage(spam, { user_id: 'cy' });
      assert.equal((await h.chat.queryMessageFlags({ message_id: spam } as never)).flags?.length, 1);
      await assert.rejects(h.chat.unflagMessage(spam, { user_id: 'cy' }), streamError(16, 404, /has not flagged/));
      await h.chat.unflagUser('ann', { user_id: 'bob' });
      assert.equal((await h.chat._queryFlags({ user_id: 'ann' })).flags?.length, 1);
      await assert.rejects(h.chat.flagMessage('no-such-message', { user_id: 'bob' }), streamError(16, 404));
      await assert.rejects(h.chat.flagUser('ghost', { user_id: 'bob' }), streamError(16, 404));
      await assert.rejects(h.chat.flagMessage(spam), streamError(4, 400, /user_id is required/));
    });

    it('user tokens: a member flags as itself only; flags reach no chat connection; only moderators query', async () => {
      const [bob, cy, mod] = await connectClients(h.baseURL, ['bob', 'cy', 'mod']);
      try {
        await bob.client.channel('messaging', 'flagged').watch();
        const mine = await bob.client.flagMessage(other);
        assert.equal(mine.flag.user.id, 'bob');
        await assert.rejects(bob.client.flagMessage(other, { user_id: 'ann' }), streamError(17, 403, /not allowed to flag for user "ann"/));
        await assert.rejects(cy.client.flagMessage(spam), streamError(17, 403, /not a member/));
        await cy.client.flagUser('bob');
        await waitFor('the flags on the webhook', async () => receiver.events('message.flagged').some((e) => e.message.id === other && e.user.id === 'bob'));
        await sleep(200);
        assert.deepEqual(bob.of('message.flagged', 'user.flagged'), [], 'flags go to moderators\' backends only');
        await assert.rejects(bob.client.queryMessageFlags({}), streamError(17, 403, /admin or moderator/));
        const seen = await mod.client.queryMessageFlags({ message_id: other } as never);
        assert.deepEqual(seen.flags?.map((f) => f.user.id).sort(), ['ann', 'bob']);
      } finally {
        await disconnectAll([bob, cy, mod]);
      }
    });

    it('node-sdk and the v2 moderation API: flag by entity, query moderation and message flags', async () => {
      const item = await h.node.moderation.flag({ entity_type: 'stream:chat:v1:message', entity_id: other, entity_creator_id: 'bob', user_id: 'cy', reason: 'off-topic', custom: { severity: 3 } });
      assert.ok(item.item_id);
      await h.node.moderation.flag({ entity_type: 'stream:user', entity_id: 'cy', user_id: 'ann' });
      // stream-chat's own moderation v2 client posts to the same path.
      const viaChat = await h.chat.moderation.flagMessage(spam, 'again', { user_id: 'mod' });
      assert.ok(viaChat.item_id);
      await assert.rejects(
        h.node.moderation.flag({ entity_type: 'stream:v1:user_profile', entity_id: 'cy', user_id: 'ann' }),
        streamError(4, 400, /cannot be flagged: Herald flags messages/),
      );

      const users = await h.node.moderation.queryModerationFlags({ filter: { entity_type: 'stream:user' }, limit: 10 });
      assert.ok(users.flags.length >= 1);
      assert.ok(users.flags.every((f) => f.entity_type === 'stream:user'));
      const onOther = await h.node.moderation.queryModerationFlags({ filter: { entity_id: other }, sort: [{ field: 'created_at', direction: 1 }], limit: 1 });
      assert.equal(onOther.flags.length, 1);
      assert.ok(onOther.next, 'v2 pages by cursor');
      const rest = await h.node.moderation.queryModerationFlags({ filter: { entity_id: other }, sort: [{ field: 'created_at', direction: 1 }], limit: 10, next: onOther.next });
      const cy = [...onOther.flags, ...rest.flags].find((f) => f.user_id === 'cy')!;
      assert.equal(cy.entity_creator_id, 'bob');
      assert.deepEqual(cy.custom, { severity: 3 });
      assert.equal(cy.reason, 'off-topic');
      assert.ok(cy.created_at instanceof Date);

      // Flags of bob's content: his message `other` (ann, bob, cy) and bob himself (cy).
      assert.equal((await h.node.moderation.getFlagCount({ entity_creator_id: 'bob' })).count, 4);
      assert.equal((await h.node.moderation.getFlagCount({ entity_creator_id: 'bob', entity_type: 'stream:user' })).count, 1);

      const messages = await h.node.chat.queryMessageFlags({ payload: { filter_conditions: { message_id: spam }, limit: 10 } });
      assert.deepEqual(messages.flags.map((f) => f.user?.id).sort(), ['bob', 'mod']);
      const raw = await rawCall(h.baseURL, 'GET', `/api/v2/chat/moderation/flags/message?payload=${encodeURIComponent(json({ filter_conditions: { message_id: spam } }))}`);
      assert.match(raw.text, /"created_at":\d{19}/, 'v2 times are int64 nanoseconds');
    });

    it('refuses what needs an outside service with 501 and code 4, through the SDK methods that call it', async () => {
      const channel = h.chat.channel('messaging', 'flagged');
      const push = /push notifications/;
      const files = /does not store files/;
      // stream-chat, legacy paths.
      await assert.rejects(h.chat.addDevice('device-1', 'firebase', 'ann'), NOT_SUPPORTED(push));
      await assert.rejects(h.chat.getDevices('ann'), NOT_SUPPORTED(push));
      await assert.rejects(h.chat.removeDevice('device-1', 'ann'), NOT_SUPPORTED(push));
      await assert.rejects(h.chat.testPushSettings('ann'), NOT_SUPPORTED(/no push provider/));
      await assert.rejects(h.chat.upsertPushProvider({ type: 'firebase', name: 'fcm', created_at: '', updated_at: '' }), NOT_SUPPORTED(push));
      await assert.rejects(h.chat.listPushProviders(), NOT_SUPPORTED(push));
      await assert.rejects(h.chat.deletePushProvider({ type: 'firebase', name: 'fcm' }), NOT_SUPPORTED(push));
      await assert.rejects(h.chat.setPushPreferences([{ user_id: 'ann', chat_level: 'all' }]), NOT_SUPPORTED(push));
      await assert.rejects(h.chat.testSQSSettings({}), NOT_SUPPORTED(/SQS or SNS/));
      await assert.rejects(h.chat.testSNSSettings({}), NOT_SUPPORTED(/SQS or SNS/));
      await assert.rejects(h.chat.translateMessage(spam, 'fr'), NOT_SUPPORTED(/does not translate/));
      await assert.rejects(h.chat.translate('hello', 'fr', 'en'), NOT_SUPPORTED(/does not translate/));
      await assert.rejects(channel.sendFile(Buffer.from('hello'), 'hello.txt', 'text/plain', { id: 'ann' }), NOT_SUPPORTED(files));
      await assert.rejects(channel.sendImage(Readable.from([Buffer.alloc(2 * 1024 * 1024)]), 'big.png', 'image/png'), NOT_SUPPORTED(files));
      await assert.rejects(channel.deleteFile('https://cdn.example/hello.txt'), NOT_SUPPORTED(files));
      await assert.rejects(channel.deleteImage('https://cdn.example/big.png'), NOT_SUPPORTED(files));
      await assert.rejects(h.chat.uploadFile(Buffer.from('x'), 'x.txt'), NOT_SUPPORTED(files));
      await assert.rejects(h.chat.deleteFile('https://cdn.example/x.txt'), NOT_SUPPORTED(files));
      await assert.rejects(h.chat.deleteImage('https://cdn.example/x.png'), NOT_SUPPORTED(files));
      await assert.rejects(h.chat.enrichURL('https://example.com'), NOT_SUPPORTED(/link previews/));
      await assert.rejects(h.chat.moderation.check('stream:chat:v1:message', spam, 'ann', { texts: ['buy now'] }, 'chat'), NOT_SUPPORTED(/AI moderation/));

      // node-sdk, v2 paths.
      await assert.rejects(h.node.createDevice({ id: 'device-1', push_provider: 'apn', user_id: 'ann' }), NOT_SUPPORTED(push));
      await assert.rejects(h.node.listDevices({ user_id: 'ann' }), NOT_SUPPORTED(push));
      await assert.rejects(h.node.deleteDevice({ id: 'device-1', user_id: 'ann' }), NOT_SUPPORTED(push));
      await assert.rejects(h.node.checkPush({ user_id: 'ann' }), NOT_SUPPORTED(push));
      await assert.rejects(h.node.getPushTemplates({ push_provider_type: 'firebase' }), NOT_SUPPORTED(push));
      await assert.rejects(h.node.checkSQS({}), NOT_SUPPORTED(/SQS or SNS/));
      await assert.rejects(h.node.getOG({ url: 'https://example.com' }), NOT_SUPPORTED(/link previews/));
      await assert.rejects(h.node.chat.translateMessage({ id: spam, language: 'fr' }), NOT_SUPPORTED(/does not translate/));
      await assert.rejects(h.node.chat.uploadChannelFile({ type: 'messaging', id: 'flagged', file: 'hello' }), NOT_SUPPORTED(files));
      await assert.rejects(h.node.uploadFile({ file: new File(['hello'], 'hello.txt') }), NOT_SUPPORTED(files));
      await assert.rejects(h.node.moderation.check({ entity_type: 'stream:chat:v1:message', entity_id: spam, entity_creator_id: 'ann' }), NOT_SUPPORTED(/AI moderation/));
      await assert.rejects(h.node.listExternalStorage(), NOT_SUPPORTED(/external storage/));
      await assert.rejects(h.node.createImportURL({ filename: 'users.json' }), NOT_SUPPORTED(/herald import-users/));

      // Every refused route on both families, by hand: 501 in Stream's shape, never 404; auth still first.
      const filled = (path: string) => path.replace(/:(\w+)/g, 'x');
      for (const op of unsupportedOperations) {
        for (const path of [op.path, op.v2Path]) {
          const answer = await rawCall(h.baseURL, op.method, filled(path), { body: op.method === 'GET' ? undefined : '{}' });
          assertRawError(answer, 501, 4);
          assert.match(answer.body.message, new RegExp(`^${op.operationId} failed with error: "Herald`), `${op.method} ${path}`);
        }
      }
      const asUser = await rawCall(h.baseURL, 'POST', '/devices', { token: signToken({ user_id: 'ann' }), body: json({ id: 'd', push_provider: 'apn' }) });
      assertRawError(asUser, 501, 4, /push notifications/);
      assertRawError(await rawCall(h.baseURL, 'POST', '/devices', { token: null, body: '{}' }), 401, 5);
    });
  });
}
