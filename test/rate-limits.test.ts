import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { backends } from './support/backends.js';
import { startHerald, startHeraldOn, type RunningHerald } from './support/herald-server.js';
import { rawCall, type RawAnswer } from './support/raw-client.js';
import { assertRawError } from './support/stream-assertions.js';
import { signToken } from './support/tokens.js';

/**
 * Request budgets (src/http/plugins/rate-limits.ts): per user, per server, per route class,
 * with Stream's 429/9 and X-RateLimit-* headers; shared through Redis between processes.
 */
const LIMITS = { userPerWindow: 20, serverPerWindow: 60, windowMs: 60_000 };
const REDIS_URL = process.env.HERALD_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function redisUnavailable(): Promise<string | false> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 1_000, retryStrategy: () => null });
  redis.on('error', () => {});
  try {
    await redis.connect();
    await redis.ping();
    return false;
  } catch (error) {
    return `Redis is not reachable at ${REDIS_URL} (${error instanceof Error ? error.message : error}): the shared-budget test is skipped`;
  } finally {
    redis.disconnect();
  }
}

/** `n` calls at once; the answers in order. */
const flood = (n: number, call: () => Promise<RawAnswer>) => Promise.all(Array.from({ length: n }, call));

for (const { backend, skip } of await backends()) {
  describe(`rate limits on ${backend.name}`, { skip }, () => {
    let h: RunningHerald;
    before(async () => {
      h = await startHerald(backend, { rateLimits: LIMITS, loops: [] });
    });
    after(async () => h?.close());

    it('puts the budget on every authenticated response, Reset as a Unix time', async () => {
      const answer = await fetch(`${h.baseURL}/unread?api_key=herald-test-key`, { headers: { Authorization: signToken({ user_id: 'headers' }), 'stream-auth-type': 'jwt' } });
      assert.equal(answer.status, 200);
      assert.equal(answer.headers.get('x-ratelimit-limit'), '20');
      assert.equal(answer.headers.get('x-ratelimit-remaining'), '19');
      const reset = Number(answer.headers.get('x-ratelimit-reset'));
      const now = Date.now() / 1000;
      assert.ok(reset > now && reset <= now + 61, `reset ${reset} is within the window from ${now}`);

      const node = await h.node.queryUsers({ payload: { filter_conditions: {} } });
      assert.equal(node.metadata.rateLimit.rateLimit, 60, "the node-sdk reads the server's budget");
      assert.ok(node.metadata.rateLimit.rateLimitReset instanceof Date && node.metadata.rateLimit.rateLimitReset.getTime() > Date.now());
    });

    it("stops one user's flood with 429/9 and leaves other users, its other route class and the server alone", async () => {
      const as = (user: string) => () => rawCall(h.baseURL, 'GET', '/unread', { token: signToken({ user_id: user }) });
      const answers = await flood(45, as('flooder'));
      assert.equal(answers.filter((a) => a.status === 200).length, 20, 'the budget, and no more');
      const refused = answers.filter((a) => a.status !== 200);
      assert.equal(refused.length, 25);
      for (const answer of refused) assertRawError(answer, 429, 9, /Too many requests/);

      assert.equal((await as('calm')()).status, 200, 'another user has its own budget');
      assert.equal((await rawCall(h.baseURL, 'GET', '/unread?user_id=flooder')).status, 200, 'the server has its own');
      const write = await rawCall(h.baseURL, 'POST', '/unread_batch', { token: signToken({ user_id: 'flooder' }), body: JSON.stringify({ user_ids: ['x'] }) });
      assertRawError(write, 403, 17);
    });

    it('stops a flood of server calls too, at its own budget', async () => {
      const answers = await flood(80, () => rawCall(h.baseURL, 'POST', '/unread_batch', { body: JSON.stringify({ user_ids: ['x'] }) }));
      assert.equal(answers.filter((a) => a.status === 201).length, 60);
      for (const answer of answers.filter((a) => a.status !== 201)) assertRawError(answer, 429, 9);
    });
  });
}

const [postgres] = (await backends()).filter((b) => b.backend.name === 'postgres');
const redisSkip = await redisUnavailable();
describe('rate limits shared by two API processes through Redis', { skip: postgres.skip || redisSkip }, () => {
  let first: RunningHerald;
  let second: RunningHerald;
  const clients: Redis[] = [];
  before(async () => {
    const redis = () => {
      const client = new Redis(REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
      clients.push(client);
      return client;
    };
    first = await startHerald(postgres.backend, { rateLimits: { ...LIMITS, redis: redis() }, loops: [] });
    second = await startHeraldOn(first.created, { rateLimits: { ...LIMITS, redis: redis() }, loops: [] });
  });
  after(async () => {
    await second?.close(true);
    await first?.close();
    for (const client of clients) client.disconnect();
  });

  it('counts one user over both processes: the budget holds in total, not per process', async () => {
    // A fresh user each run: Redis keeps the counts of an earlier run for the window.
    const token = signToken({ user_id: `shared-${randomUUID().slice(0, 8)}` });
    let turn = 0;
    const answers = await flood(30, () => rawCall([first, second][turn++ % 2].baseURL, 'GET', '/unread', { token }));
    assert.equal(answers.filter((a) => a.status === 200).length, 20);
    assert.equal(answers.filter((a) => a.status === 429).length, 10);
  });
});
