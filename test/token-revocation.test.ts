import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { backends } from './support/backends.js';
import { connectClient, disconnectAll, type ChatClient } from './support/chat-clients.js';
import { startHerald, type RunningHerald } from './support/herald-server.js';
import { rawCall } from './support/raw-client.js';
import { assertRawError } from './support/stream-assertions.js';
import { signToken } from './support/tokens.js';

/**
 * Token revocation as Stream has it: the app's revoke_tokens_issued_before (revokeTokens) and
 * each user's (revokeUserToken, revokeUsersToken). Older user tokens are refused on REST and
 * on the WebSocket; newer ones work; clearing the date lets old ones in again.
 */
const seconds = () => Math.floor(Date.now() / 1000);

for (const { backend, skip } of await backends()) {
  describe(`token revocation on ${backend.name}`, { skip }, () => {
    let h: RunningHerald;
    const clients: ChatClient[] = [];
    before(async () => {
      h = await startHerald(backend, { loops: [] });
      await h.chat.upsertUsers([{ id: 'ann' }, { id: 'bob' }, { id: 'cyd' }]);
    });
    after(async () => {
      await disconnectAll(clients);
      await h?.close();
    });

    const rest = (token: string) => rawCall(h.baseURL, 'GET', '/unread', { token });
    const connects = async (userId: string, token: string) => {
      try {
        clients.push(await connectClient(h.baseURL, userId, { token }));
        return true;
      } catch {
        return false;
      }
    };

    it("stream-chat revokeUserToken: the user's older tokens stop working, newer ones and other users' do not", async () => {
      const old = signToken({ user_id: 'ann', iat: seconds() - 120 });
      assert.equal((await rest(old)).status, 200);
      await h.chat.revokeUserToken('ann', new Date(Date.now() - 60_000));
      assertRawError(await rest(old), 401, 5, /revoked/);
      assert.equal(await connects('ann', old), false, 'the WebSocket refuses it too');
      // A token without iat cannot prove it is newer.
      assertRawError(await rest(signToken({ user_id: 'ann' })), 401, 5, /revoked/);

      const fresh = signToken({ user_id: 'ann', iat: seconds() });
      assert.equal((await rest(fresh)).status, 200);
      assert.equal(await connects('ann', fresh), true);
      assert.equal((await rest(signToken({ user_id: 'bob', iat: seconds() - 120 }))).status, 200, "another user's token is untouched");

      const { users } = await h.chat.queryUsers({ id: 'ann' });
      assert.ok(users[0].revoke_tokens_issued_before, 'the user shows its revocation time');
      assertRawError(
        await rawCall(h.baseURL, 'PATCH', '/users', { token: fresh, body: JSON.stringify({ users: [{ id: 'ann', set: { revoke_tokens_issued_before: '2020-01-01T00:00:00Z' } }] }) }),
        400, 4, /cannot revoke/,
      );
      await h.chat.revokeUserToken('ann', null);
      assert.equal((await rest(old)).status, 200, 'cleared: the old token works again');
    });

    it('stream-chat revokeTokens: every user token issued before the app-wide date, on REST and the WebSocket', async () => {
      const old = signToken({ user_id: 'cyd', iat: seconds() - 120 });
      await h.chat.revokeTokens(new Date(Date.now() - 60_000));
      assertRawError(await rest(old), 401, 5, /revoked/);
      assert.equal(await connects('cyd', old), false);
      const fresh = signToken({ user_id: 'cyd', iat: seconds() });
      assert.equal(await connects('cyd', fresh), true);
      assert.equal((await rawCall(h.baseURL, 'GET', '/unread?user_id=cyd')).status, 200, 'server tokens are not user tokens');
      const { app } = await h.chat.getAppSettings();
      assert.match(String((app as { revoke_tokens_issued_before?: string }).revoke_tokens_issued_before), /^\d{4}-/);
      await h.chat.revokeTokens(null);
      assert.equal((await rest(old)).status, 200);
    });

    it('node-sdk: updateApp and updateUsersPartial on /api/v2, with Dates', async () => {
      const old = signToken({ user_id: 'bob', iat: seconds() - 120 });
      await h.node.updateUsersPartial({ users: [{ id: 'bob', set: { revoke_tokens_issued_before: new Date(Date.now() - 60_000) } }] });
      assertRawError(await rest(old), 401, 5);
      await h.node.updateUsersPartial({ users: [{ id: 'bob', set: { revoke_tokens_issued_before: null } }] });
      assert.equal((await rest(old)).status, 200);

      await h.node.updateApp({ revoke_tokens_issued_before: new Date(Date.now() - 60_000) });
      assertRawError(await rest(old), 401, 5);
      const app = await h.node.getApp();
      assert.ok(app.app.revoke_tokens_issued_before instanceof Date);
      await h.node.updateApp({ revoke_tokens_issued_before: null as unknown as Date });
      assert.equal((await rest(old)).status, 200);
    });
  });
}
