import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { backends } from './support/backends.js';
import { startHerald, type RunningHerald } from './support/herald-server.js';
import { json, rawCall, type RawAnswer } from './support/raw-client.js';
import { assertRawError } from './support/stream-assertions.js';
import { waitFor } from './support/waiting.js';

/** Herald's POST /segments/count: a filter's matches now, as the segment sizer would count them. */
for (const { backend, skip } of await backends()) {
  describe(`segment filter counts on ${backend.name}`, { skip }, () => {
    let h: RunningHerald;
    const tag = randomUUID().slice(0, 8);
    const raw = (path: string, body: unknown): Promise<RawAnswer> => rawCall(h.baseURL, 'POST', path, { body: json(body) });

    before(async () => {
      h = await startHerald(backend);
      await h.chat.upsertUsers(Array.from({ length: 30 }, (_, i) => ({ id: `c-${tag}-${i}`, name: `C ${i}`, tier: i < 12 ? 'gold' : 'basic', batch: tag })));
    });
    after(async () => h?.close());

    it('counts the users a filter matches, on both families and through the SDK, equal to the saved segment\'s size', async () => {
      const filter = { batch: tag, tier: 'gold' };
      const legacy = await raw('/segments/count', { type: 'user', filter });
      assert.equal(legacy.status, 201, legacy.text);
      assert.equal(legacy.body.count, 12);
      assert.equal((await raw('/api/v2/chat/segments/count', { type: 'user', filter: { batch: tag } })).body.count, 30);
      const viaSdk = await h.chat.post<{ count: number }>(`${h.chat.baseURL}/segments/count`, { type: 'user', filter: { batch: tag, tier: { $ne: 'gold' } } });
      assert.equal(viaSdk.count, 18);
      const all = await raw('/segments/count', { type: 'user', all_users: true });
      assert.ok(all.body.count >= 30, `all users: ${all.body.count}`);

      const saved = await raw('/segments', { type: 'user', name: 'gold', filter });
      const size = await waitFor('the segment size', async () => {
        const { body } = await rawCall(h.baseURL, 'GET', `/segments/${saved.body.segment.id}`);
        return body.segment.size_computed_at !== null && body.segment.size;
      });
      assert.equal(size, legacy.body.count);
    });

    it('counts channels too', async () => {
      await h.chat.channel('messaging', `count-${tag}`, { created_by_id: `c-${tag}-0`, color: tag } as any).create();
      const answer = await raw('/segments/count', { type: 'channel', filter: { color: tag } });
      assert.equal(answer.status, 201, answer.text);
      assert.equal(answer.body.count, 1);
    });

    it('refuses what a segment would refuse, in Stream\'s error shape, and writes nothing', async () => {
      assertRawError(await raw('/segments/count', { filter: { batch: tag } }), 400, 4, /type must be one of user, channel/);
      assertRawError(await raw('/segments/count', { type: 'user' }), 400, 4, /filter or all_users is required/);
      assertRawError(await raw('/segments/count', { type: 'user', filter: { tier: { $regex: 'x' } } }), 400, 4);
      assertRawError(await raw('/segments/count', { type: 'channel', all_users: true }), 400, 4, /all_users applies only/);
      assertRawError(await raw('/segments/count', { type: 'user', filter: 'gold' }), 400, 4);
      const user = await rawCall(h.baseURL, 'POST', '/segments/count', { body: json({ type: 'user', all_users: true }), token: null });
      assert.ok(user.status === 401 || user.status === 403, `no token: ${user.status}`);
    });
  });
}
