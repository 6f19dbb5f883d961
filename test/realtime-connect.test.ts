import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { StreamChat } from 'stream-chat';
import { WebSocket } from 'ws';
import { backends, sqliteBackend } from './support/backends.js';
import { startHerald, TEST_API_KEY, type RunningHerald } from './support/herald-server.js';
import { signToken } from './support/tokens.js';

/**
 * Issue 10, the connection: the unmodified stream-chat client connects with `connectUser`,
 * gets its first health check with `me`, and stops (no retry loop) on bad auth.
 */
const clientFor = (h: RunningHerald, key = TEST_API_KEY) =>
  new StreamChat(key, { baseURL: h.baseURL, allowServerSideConnect: true, logger: () => {} });

/** Counts WebSocket upgrades, to see that a refused client does not come back. */
function countUpgrades(h: RunningHerald): () => number {
  let n = 0;
  h.app.server.on('upgrade', () => (n += 1));
  return () => n;
}

/** A raw client that speaks the protocol by hand; resolves with its first frame. */
async function rawConnect(h: RunningHerald, userId: string, token = signToken({ user_id: userId })): Promise<{ socket: WebSocket; first: Record<string, any> }> {
  const params = new URLSearchParams({
    json: JSON.stringify({ user_id: userId, user_details: { id: userId }, client_request_id: 'x' }),
    api_key: TEST_API_KEY,
    authorization: token,
    'stream-auth-type': 'jwt',
  });
  const socket = new WebSocket(`${h.baseURL.replace('http', 'ws')}/connect?${params}`);
  const [data] = (await once(socket, 'message')) as [Buffer];
  return { socket, first: JSON.parse(String(data)) as Record<string, any> };
}

for (const { backend, skip } of await backends()) {
  describe(`chat connections on ${backend.name}`, { skip }, () => {
    let h: RunningHerald;
    before(async () => {
      h = await startHerald(backend, { loops: [] });
      await h.chat.upsertUsers([{ id: 'ann', name: 'Ann', teams: ['red'] }, { id: 'bob', name: 'Bob' }]);
      const channel = h.chat.channel('messaging', 'ann-bob', { created_by_id: 'bob', members: ['ann', 'bob'] });
      await channel.create();
      await channel.sendMessage({ text: 'hello Ann', user_id: 'bob' });
      await channel.sendMessage({ text: 'again', user_id: 'bob' });
    });
    after(async () => h?.close());

    it('connects with connectUser and a createToken token: the first health check carries me', async () => {
      const client = clientFor(h);
      const answer = await client.connectUser({ id: 'ann', name: 'Ann B.', role: 'admin', teams: ['blue'], country: 'NL' } as never, h.chat.createToken('ann'));
      try {
        assert.ok(answer, 'connectUser resolves with the health check');
        assert.equal(answer.type, 'health.check');
        assert.equal(answer.cid, '*');
        assert.match(String(answer.connection_id), /^[0-9a-f-]{36}$/);
        assert.equal(client.wsConnection?.connectionID, answer.connection_id);
        const me = answer.me!;
        assert.equal(me.id, 'ann');
        assert.equal(me.name, 'Ann B.', 'details update the user');
        assert.equal(me.role, 'user', 'a user cannot raise its own role');
        assert.deepEqual(me.teams, ['red'], 'nor change its teams');
        assert.equal((me as Record<string, unknown>).country, 'NL');
        for (const key of ['devices', 'mutes', 'channel_mutes', 'blocked_user_ids'] as const) assert.ok(Array.isArray(me[key]), `${key} is an array`);
        assert.equal(me.total_unread_count, 2);
        assert.equal(me.unread_channels, 1);
        assert.equal(client.user?.total_unread_count, 2, 'the client took me as its own user');
        const [stored] = (await h.chat.queryUsers({ id: 'ann' })).users;
        assert.equal(stored.role, 'user');
        assert.equal(stored.country, 'NL');
      } finally {
        await client.disconnectUser();
      }
    });

    for (const [name, code, makeToken, key] of [
      ['a wrong api key', 2, () => signToken({ user_id: 'ann' }), 'not-the-key'],
      ['a bad signature', 43, () => signToken({ user_id: 'ann' }, 'another-secret'), TEST_API_KEY],
      ['an expired token', 40, () => signToken({ user_id: 'ann', exp: Math.floor(Date.now() / 1000) - 60 }), TEST_API_KEY],
    ] as const) {
      it(`refuses ${name} with code ${code}, and the client does not retry`, async () => {
        const upgrades = countUpgrades(h);
        const client = clientFor(h, key);
        // connectUser rejects with an Error whose message is the JSON of the WS error.
        await assert.rejects(client.connectUser({ id: 'ann' }, makeToken()), (error: Error) => {
          const details = JSON.parse(error.message) as { code: number; isWSFailure: boolean };
          assert.equal(details.code, code, error.message);
          assert.equal(details.isWSFailure, false, 'not a failure the client retries');
          return true;
        });
        await sleep(1500);
        assert.equal(upgrades(), 1, 'one upgrade, no retry loop');
        await client.disconnectUser();
      });
    }

    it('refuses, with one error frame and a final 1000 close, a token of another user or a server token', async () => {
      // stream-chat checks the first case itself before connecting; a hand-written client may not.
      for (const [token, pattern] of [[signToken({ user_id: 'bob' }), /token is for user "bob", not "ann"/], [signToken({ server: true }), /needs a user token/]] as const) {
        const { socket, first } = await rawConnect(h, 'ann', token);
        const [closeCode] = (await once(socket, 'close')) as [number];
        assert.equal(first.error.code, 5);
        assert.equal(first.error.StatusCode, 401);
        assert.match(first.error.message, pattern);
        assert.equal(closeCode, 1000);
      }
    });

    it('answers the client\'s ping with a health check on the same connection', async () => {
      const { socket, first } = await rawConnect(h, 'bob');
      assert.equal(first.type, 'health.check');
      socket.send(JSON.stringify([{ type: 'health.check', client_id: 'c1' }]));
      const [data] = (await once(socket, 'message')) as [Buffer];
      const pong = JSON.parse(String(data)) as Record<string, unknown>;
      assert.equal(pong.type, 'health.check');
      assert.equal(pong.connection_id, first.connection_id);
      socket.close();
    });
  });
}

describe('chat connections at shutdown', () => {
  it('are closed with 1001, so that clients reconnect', async () => {
    const h = await startHerald(sqliteBackend, { loops: [] });
    await h.chat.upsertUsers([{ id: 'ann' }]);
    const { socket } = await rawConnect(h, 'ann');
    const closed = once(socket, 'close') as Promise<[number, Buffer]>;
    await h.close();
    const [code] = await closed;
    assert.equal(code, 1001);
  });
});

describe('dev tokens', () => {
  for (const allowDevTokens of [false, true]) {
    it(allowDevTokens ? 'connect and call REST with HERALD_ALLOW_DEV_TOKENS' : 'are refused by default with code 43', async () => {
      const h = await startHerald(sqliteBackend, { loops: [], allowDevTokens });
      try {
        await h.chat.upsertUsers([{ id: 'ann' }]);
        const client = clientFor(h);
        const token = client.devToken('ann');
        if (!allowDevTokens) {
          await assert.rejects(client.connectUser({ id: 'ann' }, token), (error: Error) => JSON.parse(error.message).code === 43);
          return;
        }
        const health = await client.connectUser({ id: 'ann' }, token);
        assert.equal(health?.me?.id, 'ann');
        const channels = await client.queryChannels({ members: { $in: ['ann'] } });
        assert.deepEqual(channels, []);
        await client.disconnectUser();
      } finally {
        await h.close();
      }
    });
  }
});
