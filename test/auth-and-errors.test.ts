import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sqliteBackend } from './support/backends.js';
import { startHerald, type RunningHerald } from './support/herald-server.js';
import { rawCall, type RawAnswer, type RawOptions } from './support/raw-client.js';
import { serverToken, signToken } from './support/tokens.js';

type Answer = RawAnswer;

describe('auth, errors and request quirks (HTTP edge)', () => {
  let h: RunningHerald;
  const call = (method: string, path: string, options: RawOptions = {}): Promise<Answer> => rawCall(h.baseURL, method, path, options);
  const expectError = (answer: Answer, status: number, code: number, message?: RegExp) => {
    assert.equal(answer.status, status, JSON.stringify(answer.body));
    assert.equal(answer.body.code, code);
    assert.equal(answer.body.StatusCode, status);
    assert.equal(answer.body.duration, '0');
    assert.equal(answer.body.more_info, 'https://getstream.io/chat/docs/api_errors_response');
    assert.deepEqual(answer.body.details, []);
    if (message) assert.match(answer.body.message, message);
  };
  const now = () => Math.floor(Date.now() / 1000);
  const usersPath = `/users?payload=${encodeURIComponent(JSON.stringify({ filter_conditions: {} }))}`;

  before(async () => {
    h = await startHerald(sqliteBackend);
    await h.chat.upsertUsers([{ id: 'ann' }, { id: 'bob' }]);
    await h.chat.channel('messaging', 'ab', { created_by_id: 'ann', members: ['ann', 'bob'] }).create();
    await h.chat.channel('messaging', 'bob-only', { created_by_id: 'bob', members: ['bob'] }).create();
  });
  after(async () => h?.close());

  it('answers /healthz without auth', async () => {
    const response = await fetch(`${h.baseURL}/healthz`);
    assert.equal(response.status, 200);
  });

  it('adds duration to every success body', async () => {
    const answer = await call('GET', usersPath);
    assert.equal(answer.status, 200);
    assert.match(answer.body.duration, /^\d+\.\d{2}ms$/);
  });

  it('rejects a missing or wrong api_key with 401/2', async () => {
    expectError(await call('GET', usersPath, { apiKey: null }), 401, 2, /QueryUsers failed with error: "api_key or app_id not provided"/);
    expectError(await call('GET', usersPath, { apiKey: 'nope' }), 401, 2, /api_key not valid/);
  });

  it('rejects missing, malformed, unsigned and claimless tokens with 401/5', async () => {
    expectError(await call('GET', usersPath, { token: null }), 401, 5, /Authorization/);
    expectError(await call('GET', usersPath, { token: 'not-a-jwt' }), 401, 5);
    expectError(await call('GET', usersPath, { token: signToken({ hello: 'world' }) }), 401, 5, /server: true or a user_id/);
    expectError(await call('GET', usersPath, { headers: { 'stream-auth-type': 'anonymous' } }), 401, 5);
    assert.equal((await call('GET', usersPath, { headers: {} })).status, 200, 'stream-auth-type may be absent');
  });

  it('accepts only HS256: none, RS256, HS512 and a missing alg are 401/43', async () => {
    for (const header of [{ alg: 'none', typ: 'JWT' }, { alg: 'RS256', typ: 'JWT' }, { alg: 'HS512', typ: 'JWT' }, { typ: 'JWT' }]) {
      expectError(await call('GET', usersPath, { token: signToken({ server: true }, undefined, header) }), 401, 43, /HS256/);
      expectError(await call('GET', usersPath, { token: signToken({ user_id: 'u' }, undefined, header) }), 401, 43, /HS256/);
    }
    // alg none with an empty signature, as an attacker would send it.
    const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"server":true}').toString('base64url')}.`;
    expectError(await call('GET', usersPath, { token: unsigned }), 401, 43);
  });

  it('maps signature, expiry, not-before and issued-at failures to 43, 40, 41 and 42', async () => {
    expectError(await call('GET', usersPath, { token: signToken({ server: true }, 'wrong-secret') }), 401, 43);
    expectError(await call('GET', usersPath, { token: signToken({ server: true, exp: now() - 60 }) }), 401, 40);
    expectError(await call('GET', usersPath, { token: signToken({ server: true, nbf: now() + 3600 }) }), 401, 41);
    expectError(await call('GET', usersPath, { token: signToken({ server: true, iat: now() + 3600 }) }), 401, 42);
  });

  it('accepts server tokens with extra claims (Java SDK) and a Bearer prefix', async () => {
    const java = signToken({ server: true, iat: now() - 5, iss: 'Stream Chat Java SDK', sub: 'Stream Chat Java SDK', scope: 'admins' });
    assert.equal((await call('GET', usersPath, { token: java })).status, 200);
    assert.equal((await call('GET', usersPath, { token: `Bearer ${serverToken()}` })).status, 200);
    assert.equal((await call('GET', usersPath, { headers: { 'Stream-Auth-Type': 'JWT' } })).status, 200);
  });

  it('restricts user tokens to their own data with 403/17', async () => {
    const ann = signToken({ user_id: 'ann' });
    expectError(await call('POST', '/users/delete', { token: ann, body: JSON.stringify({ user_ids: ['bob'] }) }), 403, 17);
    expectError(await call('DELETE', '/channels/messaging/ab', { token: ann }), 403, 17);
    expectError(await call('POST', '/users', { token: ann, body: JSON.stringify({ users: { bob: { id: 'bob', name: 'x' } } }) }), 403, 17);
    expectError(await call('POST', '/channels/messaging/bob-only/query', { token: ann, body: '{}' }), 403, 17);
    expectError(
      await call('POST', '/channels/messaging/ab/message', { token: ann, body: JSON.stringify({ message: { text: 'x', user_id: 'bob' } }) }),
      403,
      17,
    );
    const self = await call('GET', usersPath, { token: ann });
    assert.deepEqual(self.body.users.map((u: { id: string }) => u.id), ['ann'], 'a user token sees only its own user');
    const mine = await call('POST', '/channels', { token: ann, body: JSON.stringify({ filter_conditions: {} }) });
    assert.deepEqual(mine.body.channels.map((c: { channel: { cid: string } }) => c.channel.cid), ['messaging:ab']);
    const sent = await call('POST', '/channels/messaging/ab/message', { token: ann, body: JSON.stringify({ message: { text: 'mine' } }) });
    assert.equal(sent.status, 201);
    assert.equal(sent.body.message.user.id, 'ann');
  });

  it('answers unknown routes and wrong methods with 404/16', async () => {
    expectError(await call('GET', '/no/such/route'), 404, 16, /^Request failed with error: "Not Found"$/);
    expectError(await call('PUT', '/users'), 404, 16);
    expectError(await call('GET', '/no/such/route', { apiKey: null, token: null }), 404, 16);
  });

  it('answers an oversized body with 413/22 and malformed JSON with 400/4', async () => {
    const huge = JSON.stringify({ users: { a: { id: 'a', blob: 'x'.repeat(2 * 1024 * 1024) } } });
    expectError(await call('POST', '/users', { body: huge }), 413, 22);
    expectError(await call('POST', '/users', { body: '{"users": ' }), 400, 4, /UpdateUsers failed with error/);
    expectError(await call('POST', '/users', { body: '[1,2]' }), 400, 4);
    expectError(await call('POST', '/users', { body: '{"users": {"x": {"name": 1}}}' }), 400, 4, /users\.x\.id is a required field|id/);
  });

  it('treats empty, null and form-encoded bodies as no fields, and null as absent', async () => {
    for (const [body, type] of [['', 'application/json'], ['null', 'application/json'], ['', 'application/x-www-form-urlencoded'], [undefined, 'text/plain']] as const) {
      const answer = await call('POST', '/channels', { body, headers: { 'content-type': type, 'stream-auth-type': 'jwt' } });
      assert.equal(answer.status, 201, `${JSON.stringify(body)} as ${type}: ${JSON.stringify(answer.body)}`);
      assert.ok(Array.isArray(answer.body.channels));
    }
    const withNulls = await call('POST', '/channels', { body: JSON.stringify({ filter_conditions: null, limit: null, sort: null, unknown_field: 1 }) });
    assert.equal(withNulls.status, 201);
  });

  it('never answers a malformed request with a 5xx', async () => {
    const bodies = ['{"users": 5}', '{"users": {"a": {"id": 5}}}', '{"filter_conditions": "x"}', '{"filter_conditions": {"$and": 3}}', '{"sort": 7}', '{"limit": -1}', '{"limit": "abc"}'];
    for (const path of ['/users', '/channels', '/channels/messaging/ab/query', '/channels/messaging/ab/message', '/users/delete']) {
      for (const body of bodies) {
        const answer = await call('POST', path, { body });
        // Unknown fields are ignored, so some of these are fine for some routes; none may be a 5xx.
        assert.ok(answer.status < 500, `${path} ${body} → ${answer.status} ${JSON.stringify(answer.body)}`);
        if (answer.status >= 400) assert.equal(answer.body.code, 4, `${path} ${body}`);
      }
    }
    for (const [path, body] of [['/users', '{"users": 5}'], ['/users', '{"users": {"a": {"id": 5}}}'], ['/channels', '{"filter_conditions": "x"}'],
      ['/channels', '{"filter_conditions": {"$and": 3}}'], ['/channels', '{"sort": 7}'], ['/channels', '{"limit": -1}'], ['/channels', '{"limit": "abc"}']]) {
      expectError(await call('POST', path, { body }), 400, 4);
    }
    const badPayload = await call('GET', '/users?payload=%7Bnot-json');
    expectError(badPayload, 400, 4, /payload/);
  });
});
