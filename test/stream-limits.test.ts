import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../src/config/config.js';
import { backends } from './support/backends.js';
import { startHerald, type RunningHerald } from './support/herald-server.js';
import { json, rawCall } from './support/raw-client.js';
import { assertRawError } from './support/stream-assertions.js';

/**
 * Stream's limits that the rest of the suite does not cover: a message's max_message_length
 * (400, code 20) on every path that writes message text, and the request body cap that
 * follows from the largest requests the limits allow.
 */
describe('the body cap follows from the limits', () => {
  it('holds 10,000 user ids of 255 characters and 100 users of 5 KB, and is no larger than needed', () => {
    const cap = loadConfig({}).bodyLimitBytes;
    const ids = Array.from({ length: 10_000 }, (_, i) => String(i).padStart(255, 'u'));
    const campaign = JSON.stringify({ sender_id: 'x', user_ids: ids, message_template: { text: 'Hi {{ receiver.name }}' } });
    const users = JSON.stringify({ users: Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`u${i}`, { id: `u${i}`, name: 'n', blob: 'x'.repeat(5 * 1024 - 20) }])) });
    assert.ok(Buffer.byteLength(campaign) < cap, `${Buffer.byteLength(campaign)} bytes of user ids fit in ${cap}`);
    assert.ok(Buffer.byteLength(users) < cap);
    assert.ok(cap <= 4 * 1024 * 1024, 'the cap is not the old 6 MiB');
  });
});

for (const { backend, skip } of await backends()) {
  describe(`max_message_length on ${backend.name}`, { skip }, () => {
    let h: RunningHerald;
    before(async () => {
      h = await startHerald(backend, { loops: [] });
      await h.chat.upsertUsers([{ id: 'ann' }]);
      await h.chat.channel('messaging', 'limits', { created_by_id: 'ann', members: ['ann'] }).create();
    });
    after(async () => h?.close());

    const LONG = 'x'.repeat(5001);

    it('refuses text over 5,000 characters with 400/20 on send, update and a channel change, and takes 5,000', async () => {
      const channel = h.chat.channel('messaging', 'limits');
      const ok = await channel.sendMessage({ text: 'y'.repeat(5000), user_id: 'ann' });
      assert.equal(ok.message.text?.length, 5000);
      for (const prefix of ['', '/api/v2/chat']) {
        assertRawError(
          await rawCall(h.baseURL, 'POST', `${prefix}/channels/messaging/limits/message`, { body: json({ message: { text: LONG, user_id: 'ann' } }) }),
          400, 20, /max_message_length/,
        );
        assertRawError(await rawCall(h.baseURL, 'PUT', `${prefix}/messages/${ok.message.id}`, { body: json({ set: { text: LONG }, user_id: 'ann' }) }), 400, 20);
        assertRawError(
          await rawCall(h.baseURL, 'POST', `${prefix}/channels/messaging/limits/truncate`, { body: json({ message: { text: LONG, user_id: 'ann' }, user_id: 'ann' }) }),
          400, 20,
        );
      }
      await assert.rejects(h.node.chat.sendMessage({ type: 'messaging', id: 'limits', message: { text: LONG, user_id: 'ann' } }), (error: { code?: number }) => error.code === 20);
      const history = await channel.query({ messages: { limit: 10 } });
      assert.deepEqual(history.messages.map((m) => m.text?.length), [5000], 'nothing refused was written');
    });
  });
}
