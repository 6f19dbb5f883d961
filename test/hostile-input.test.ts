import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { backends } from './support/backends.js';
import { startHerald, type RunningHerald } from './support/herald-server.js';
import { json, rawCall, type RawAnswer } from './support/raw-client.js';
import { tableSnapshot } from './support/table-snapshot.js';

/**
 * Issue 9, section 2: inputs that once answered 500 or a non-Stream body. Each must answer a
 * 4xx in Stream's error shape, on both databases and both route families, and store nothing.
 */
const families = [
  { name: 'legacy', root: '', chat: '' },
  { name: 'v2', root: '/api/v2', chat: '/api/v2/chat' },
] as const;

/** Stream's error object, every key of it (contract 1.6). */
function assertStreamError(answer: RawAnswer, status: number, code: number, pattern?: RegExp): void {
  assert.equal(answer.status, status, answer.text);
  assert.equal(answer.body.code, code, answer.text);
  assert.equal(answer.body.StatusCode, status, answer.text);
  assert.equal(answer.body.duration, '0');
  assert.equal(answer.body.more_info, 'https://getstream.io/chat/docs/api_errors_response');
  assert.equal(typeof answer.body.message, 'string');
  if (pattern) assert.match(answer.body.message, pattern);
}

const nest = (levels: number, inner = '1') => `${'['.repeat(levels)}${inner}${']'.repeat(levels)}`;

/** An HTTP/1.1 request written byte for byte, for what fetch refuses to send. */
function rawRequest(port: number, head: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(head));
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString('utf8')));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
    socket.setTimeout(5000, () => socket.destroy(new Error('no answer in 5 s')));
  });
}

for (const { backend, skip } of await backends()) {
  describe(`hostile input on ${backend.name}`, { skip }, () => {
    let h: RunningHerald;
    const call = (method: string, path: string, body?: string) => rawCall(h.baseURL, method, path, { body });

    /** The request is refused as expected, and no table changed. */
    async function refused(method: string, path: string, body: string | undefined, status: number, code: number, pattern?: RegExp) {
      const before = await tableSnapshot(h.database);
      assertStreamError(await call(method, path, body), status, code, pattern);
      assert.deepEqual(await tableSnapshot(h.database), before, `${method} ${path} changed nothing`);
    }

    before(async () => {
      h = await startHerald(backend, { loops: [] });
      await h.chat.upsertUsers([{ id: 'ann', name: 'Ann' }]);
      await h.chat.channel('messaging', 'general', { created_by_id: 'ann', members: ['ann'] }).create();
    });
    after(async () => h?.close());

    for (const f of families) {
      /** Every route that takes custom data, with `custom` (raw JSON text) placed in it. */
      const customRoutes = (custom: string) => [
        { name: 'upsert users', method: 'POST', path: `${f.root}/users`, body: `{"users":{"eve":{"id":"eve","deep":${custom}}}}` },
        { name: 'upsert users (nested custom)', method: 'POST', path: `${f.root}/users`, body: `{"users":{"eve":{"id":"eve","custom":{"deep":${custom}}}}}` },
        { name: 'partial update', method: 'PATCH', path: `${f.root}/users`, body: `{"users":[{"id":"ann","set":{"deep":${custom}}}]}` },
        { name: 'create channel', method: 'POST', path: `${f.chat}/channels/messaging/fresh/query`, body: `{"data":{"created_by_id":"ann","deep":${custom}}}` },
        { name: 'send message', method: 'POST', path: `${f.chat}/channels/messaging/general/message`, body: `{"message":{"text":"hi","user_id":"ann","deep":${custom}}}` },
        { name: 'create campaign', method: 'POST', path: `${f.chat}/campaigns`, body: `{"sender_id":"ann","user_ids":["ann"],"message_template":{"text":"hi","custom":{"deep":${custom}}}}` },
      ];

      describe(`${f.name} routes`, () => {
        it('refuses custom data nested 5,000 deep with 400/4 naming the field (was 500/-1)', async () => {
          for (const route of customRoutes(nest(5000))) {
            await refused(route.method, route.path, route.body, 400, 4, /deep.* nests deeper than (32|64) levels/);
          }
        });

        it('holds custom data at 32 levels: 31 nested arrays pass the check, 32 do not', async () => {
          const [upsert] = customRoutes(nest(31));
          assert.equal((await call(upsert.method, upsert.path, upsert.body)).status, 201);
          for (const route of customRoutes(nest(32))) {
            await refused(route.method, route.path, route.body, 400, 4, /deep nests deeper than 32 levels of custom data/);
          }
        });

        it('refuses over-large custom data before writing (5 KB by default)', async () => {
          const big = JSON.stringify('x'.repeat(6000));
          for (const route of customRoutes(big)) {
            await refused(route.method, route.path, route.body, 400, 4, /is \d+ bytes, more than the 5120 allowed/);
          }
          const answer = await call('POST', `${f.root}/users`, json({ users: { eve: { id: 'eve', big: 'x'.repeat(900_000) } } }));
          assertStreamError(answer, 400, 4, /custom data of users\.eve is 9000\d\d bytes/);
          assert.deepEqual(answer.body.exception_fields, { 'users.eve': 'too large' });
        });

        it('refuses NUL bytes and lone surrogates in values, keys, filters and ids with 400/4', async () => {
          const bad = ['"a\\u0000b"', '"\\ud800"', '"x\\udfffy"'];
          for (const text of bad) {
            for (const route of customRoutes(text)) await refused(route.method, route.path, route.body, 400, 4, /NUL character or a lone UTF-16 surrogate/);
            await refused('POST', `${f.root}/users`, `{"users":{"eve":{"id":"eve","name":${text}}}}`, 400, 4, /users\.eve\.name holds/);
            await refused('POST', `${f.root}/users`, `{"users":{"eve":{"id":"eve",${text}:1}}}`, 400, 4, /holds a NUL/);
            await refused('POST', `${f.chat}/channels`, `{"filter_conditions":{"id":{"$eq":${text}}}}`, 400, 4, /filter_conditions\.id\.\$eq holds/);
            await refused('POST', `${f.chat}/channels/messaging/general/message`, `{"message":{"text":${text},"user_id":"ann"}}`, 400, 4, /message\.text holds/);
            const payload = encodeURIComponent(`{"filter_conditions":{"id":{"$in":[${text}]}}}`);
            await refused('GET', `${f.root}/users?payload=${payload}`, undefined, 400, 4, /payload\.filter_conditions/);
          }
          await refused('GET', `${f.chat}/channels/messaging/general/messages?ids=${encodeURIComponent('["a\\u0000"]')}`, undefined, 400, 4, /ids\.0 holds/);
        });

        it('refuses __proto__ as a field name', async () => {
          await refused('POST', `${f.root}/users`, '{"users":{"eve":{"id":"eve","__proto__":{"role":"admin"}}}}', 400, 4, /__proto__ is not allowed/);
        });

        it('answers malformed URLs in Stream\'s shape (was Fastify\'s FST_ERR_BAD_URL and 414)', async () => {
          await refused('GET', `${f.root}/tasks/%ZZ`, undefined, 400, 4, /not valid percent-encoded/);
          await refused('GET', `${f.root}/tasks/%ED%A0%80`, undefined, 400, 4);
          await refused('GET', `${f.root}/tasks/${'a'.repeat(600)}`, undefined, 400, 4, /longer than the longest id/);
          await refused('GET', `${f.root}/tasks/${'a'.repeat(300)}`, undefined, 400, 4);
        });

        it('answers %00 in a path with 400/4 on every route that takes a path parameter', async () => {
          const routes = [
            ['GET', `${f.root}/tasks/%00`], ['POST', `${f.chat}/channels/messaging/%00/query`], ['POST', `${f.chat}/channels/%00/query`],
            ['DELETE', `${f.chat}/channels/messaging/%00`], ['POST', `${f.chat}/channels/messaging/%00/message`],
            ['GET', `${f.chat}/messages/%00`], ['GET', `${f.chat}/segments/%00`], ['GET', `${f.chat}/campaigns/%00`],
            ['POST', `${f.chat}/campaigns/%00/start`], ['GET', `${f.chat}/campaigns/%00/targets/a%00b`],
            ['GET', `${f.chat}/segments/s/target/%00`], ['POST', `${f.chat}/channels/messaging/general%00/read`],
          ] as const;
          for (const [method, path] of routes) {
            await refused(method, path, method === 'GET' || method === 'DELETE' ? undefined : '{}', 400, 4, /path parameter .* holds a NUL/);
          }
        });
      });
    }

    it('answers raw 0xFF bytes in the request line in Stream\'s shape', async () => {
      const port = Number(new URL(h.baseURL).port);
      const answer = await rawRequest(port, Buffer.concat([Buffer.from('GET /tasks/'), Buffer.from([0xff, 0xfe, 0x00]), Buffer.from(' HTTP/1.1\r\nHost: x\r\n\r\n')]));
      assert.match(answer, /^HTTP\/1\.1 400 Bad Request\r\n/);
      const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as Record<string, unknown>;
      assert.equal(body.code, 4);
      assert.equal(body.StatusCode, 400);
      assert.equal(body.more_info, 'https://getstream.io/chat/docs/api_errors_response');
    });

    it('answers a %00 request written by hand (no client escaping) with a body', async () => {
      const port = Number(new URL(h.baseURL).port);
      const answer = await rawRequest(port, Buffer.from(`GET /tasks/%00?api_key=herald-test-key HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`));
      assert.match(answer, /^HTTP\/1\.1 (400|401) /);
      assert.match(answer, /"StatusCode":(400|401)/);
    });

    it('keeps webhook URLs to http(s) elsewhere: no other scheme, no credentials, not Herald itself', async () => {
      const port = new URL(h.baseURL).port;
      const bad = ['file:///etc/passwd', 'javascript:alert(1)', 'ftp://example.com/x', 'gopher://127.0.0.1:6379/_INFO',
        'http://user:secret@example.com/hook', `${h.baseURL}/users`, `http://localhost:${port}/app`, `http://127.0.0.2:${port}/`,
        'not a url'];
      for (const url of bad) {
        await refused('PATCH', '/api/v2/app', json({ webhook_url: url }), 400, 4, /webhook_url must/);
        await refused('PATCH', '/api/v2/app', json({ event_hooks: [{ hook_type: 'webhook', webhook_url: url }] }), 400, 4, /webhook_url must/);
      }
      const ok = await call('PATCH', '/api/v2/app', json({ webhook_url: `http://127.0.0.1:${Number(port) + 1}/hook` }));
      assert.equal(ok.status, 200, ok.text);
      assert.equal((await call('PATCH', '/api/v2/app', json({ webhook_url: '' }))).status, 200);
    });

    it('still stores what is within every limit', async () => {
      const answer = await call('POST', '/users', json({ users: { zoe: { id: 'zoe', name: 'Zoë 🚀', bio: 'é'.repeat(2000), nested: { a: [1, { b: 'c' }] } } } }));
      assert.equal(answer.status, 201, answer.text);
      const [zoe] = (await h.chat.queryUsers({ id: 'zoe' })).users;
      assert.equal(zoe.name, 'Zoë 🚀');
      assert.deepEqual(zoe.nested, { a: [1, { b: 'c' }] });
    });
  });
}

describe('HERALD_MAX_CUSTOM_BYTES', () => {
  let h: RunningHerald;
  before(async () => {
    const { sqliteBackend } = await import('./support/backends.js');
    h = await startHerald(sqliteBackend, { loops: [], customData: { maxBytes: 10_000 } });
  });
  after(async () => h?.close());

  it('moves the cap on custom data', async () => {
    const under = await rawCall(h.baseURL, 'POST', '/users', { body: json({ users: { eve: { id: 'eve', big: 'x'.repeat(9000) } } }) });
    assert.equal(under.status, 201, under.text);
    const over = await rawCall(h.baseURL, 'POST', '/users', { body: json({ users: { eve: { id: 'eve', big: 'x'.repeat(10_000) } } }) });
    assertStreamError(over, 400, 4, /more than the 10000 allowed/);
  });
});
