import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { StreamChat } from 'stream-chat';
import { backends, type CreatedDatabase } from './support/backends.js';
import { spawnHerald, type HeraldProcess } from './support/herald-process.js';
import { TEST_API_KEY, TEST_API_SECRET } from './support/herald-server.js';
import { json, rawCall, type RawAnswer } from './support/raw-client.js';

/**
 * Overload (issue 15, faults): 2,000 requests at once against one Herald process. It queues
 * them or sheds some with 429/503, in Stream's shape; the slowest answers stay bounded, its
 * memory stays bounded, and every message it accepted is stored (and none it refused).
 */
const REQUESTS = 2_000;
// Bounds a healthy process keeps by far on this 2-core machine (measured: docs/limits.md);
// the test fails on a regression by an order of magnitude, not on noise.
const P99_BOUND_MS = 15_000;
const PEAK_RSS_BOUND_BYTES = 1024 ** 3;

/** The process's peak resident set (VmHWM), in bytes. */
function peakRss(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmHWM:'));
  return Number(line?.match(/(\d+)/)?.[1] ?? 0) * 1024;
}

for (const { backend, skip } of await backends()) {
  describe(`2,000 requests at once against one process on ${backend.name}`, { skip }, () => {
    let created: CreatedDatabase;
    let herald: HeraldProcess;
    before(async () => {
      created = await backend.create();
      herald = await spawnHerald(created.url ? { role: 'all', databaseUrl: created.url } : { role: 'all', dataDir: dirname(created.sqliteFile!) });
    });
    after(async () => {
      await herald?.stop();
      await created?.dispose();
    });

    it('queues or sheds, keeps p99 and memory bounded, and loses nothing it accepted', async () => {
      const chat = new StreamChat(TEST_API_KEY, TEST_API_SECRET, { baseURL: herald.baseURL, timeout: 60_000 });
      const users = Array.from({ length: 100 }, (_, i) => ({ id: `load${i}` }));
      await chat.upsertUsers(users);
      await chat.channel('messaging', 'load', { created_by_id: 'load0', members: users.map((u) => u.id) }).create();

      const started = Date.now();
      const answers: Array<RawAnswer & { ms: number; id: string }> = await Promise.all(
        Array.from({ length: REQUESTS }, async (_, i) => {
          const id = `load-${i}`;
          const t0 = Date.now();
          const answer = await rawCall(herald.baseURL, 'POST', '/channels/messaging/load/message', {
            body: json({ message: { id, text: `load ${i}`, user_id: `load${i % 100}` } }),
          });
          return { ...answer, ms: Date.now() - t0, id };
        }),
      );
      const wall = Date.now() - started;

      const byStatus = new Map<number, number>();
      for (const a of answers) byStatus.set(a.status, (byStatus.get(a.status) ?? 0) + 1);
      assert.deepEqual([...byStatus.keys()].filter((s) => ![201, 429, 503].includes(s)), [], `statuses: ${JSON.stringify([...byStatus])}`);
      for (const a of answers.filter((x) => x.status !== 201)) {
        assert.equal(a.body.StatusCode, a.status, 'a refusal is in Stream\'s shape');
        assert.equal(typeof a.body.code, 'number');
      }
      const latencies = answers.map((a) => a.ms).sort((x, y) => x - y);
      const p99 = latencies[Math.floor(latencies.length * 0.99)];
      assert.ok(p99 < P99_BOUND_MS, `p99 ${p99} ms (wall ${wall} ms, statuses ${JSON.stringify([...byStatus])})`);
      const rss = peakRss(herald.child.pid!);
      assert.ok(rss < PEAK_RSS_BOUND_BYTES, `peak RSS ${(rss / 1024 ** 2).toFixed(0)} MiB`);

      // Every accepted message is there, and no refused one.
      const accepted = new Set(answers.filter((a) => a.status === 201).map((a) => a.id));
      assert.ok(accepted.size > 0);
      const ids = answers.map((a) => a.id);
      const stored = new Set<string>();
      for (let i = 0; i < ids.length; i += 100) {
        const page = await rawCall(herald.baseURL, 'GET', `/channels/messaging/load/messages?ids=${ids.slice(i, i + 100).join(',')}`);
        assert.equal(page.status, 200, page.text);
        for (const m of page.body.messages as Array<{ id: string }>) stored.add(m.id);
      }
      assert.deepEqual([...stored].sort(), [...accepted].sort());
      console.log(`overload on ${backend.name}: ${REQUESTS} requests in ${wall} ms, p50 ${latencies[REQUESTS / 2]} ms, p99 ${p99} ms, ` +
        `statuses ${JSON.stringify([...byStatus])}, peak RSS ${(rss / 1024 ** 2).toFixed(0)} MiB`);
    });
  });
}
