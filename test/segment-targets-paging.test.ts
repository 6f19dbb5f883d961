import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { backends } from './support/backends.js';
import { startHerald, type RunningHerald } from './support/herald-server.js';

/**
 * A segment of 100,000 explicit targets, paged forward with `next` and back with `prev`: every
 * target exactly once, in strict target-id order, on both route families and both backends.
 */
const TOTAL = 100_000;
const BATCH = 10_000;
// Mixed case and punctuation, so that the order under test is code point order, not a locale's.
const prefixes = ['A', 'B_', 'Z.', 'a', 'b-', 'z'];
// 7919 is prime and coprime to 100,000, so i*7919 mod 100,000 visits every number once, and
// the ids arrive in an order unrelated to their sort order.
const targetIds = Array.from({ length: TOTAL }, (_, i) => {
  const n = (i * 7919) % TOTAL;
  return `${prefixes[n % prefixes.length]}${String(n).padStart(6, '0')}`;
});
const ascending = [...targetIds].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));

interface Page {
  ids: string[];
  next?: string;
  prev?: string;
}

/** Asserts that `ids` is exactly `want`, saying where it first differs (a diff of 100k lines helps nobody). */
function assertSameSequence(ids: readonly string[], want: readonly string[], what: string): void {
  assert.equal(new Set(ids).size, ids.length, `${what}: duplicates`);
  const at = want.findIndex((id, i) => ids[i] !== id);
  assert.ok(at === -1 && ids.length === want.length, `${what}: first difference at ${at}: got ${ids[at]}, want ${want[at]} (${ids.length} of ${want.length})`);
}

/** Reads forward from the first page with `next`, then back from the last page with `prev`. */
async function walk(read: (cursor: { next?: string; prev?: string }) => Promise<Page>, limit: number) {
  const forward: Page[] = [await read({})];
  assert.equal(forward[0].prev, undefined, 'the first page has no prev');
  while (forward[forward.length - 1].next) forward.push(await read({ next: forward[forward.length - 1].next }));
  const backward: Page[] = [];
  let prev = forward[forward.length - 1].prev;
  while (prev) {
    const page = await read({ prev });
    backward.unshift(page);
    prev = page.prev;
  }
  for (const page of forward.slice(0, -1)) assert.equal(page.ids.length, limit, 'every page but the last is full');
  return { forward: forward.flatMap((p) => p.ids), backward: [...backward.flatMap((p) => p.ids), ...forward[forward.length - 1].ids], pages: forward.length };
}

for (const { backend, skip } of await backends()) {
  describe(`paging 100,000 segment targets on ${backend.name}`, { skip }, () => {
    let h: RunningHerald;
    before(async () => {
      h = await startHerald(backend);
      await h.chat.createUserSegment('big');
      const started = Date.now();
      for (let i = 0; i < TOTAL; i += BATCH) await h.chat.addSegmentTargets('big', targetIds.slice(i, i + BATCH));
      console.log(`# ${backend.name}: added ${TOTAL} targets in ${Date.now() - started} ms`);
    });
    after(async () => h?.close());

    it('counts all of them', async () => {
      assert.equal((await h.chat.getSegment('big')).segment.size, TOTAL);
    });

    it('stream-chat, limit 10,000: forward and back, no duplicates, no gaps, ascending', async () => {
      const started = Date.now();
      const read = async (cursor: { next?: string; prev?: string }): Promise<Page> => {
        const r = await h.chat.querySegmentTargets('big', {}, [], { limit: 10_000, ...cursor });
        return { ids: r.targets.map((t) => t.target_id), next: r.next, prev: (r as { prev?: string }).prev };
      };
      const { forward, backward, pages } = await walk(read, 10_000);
      assert.equal(pages, 10);
      assertSameSequence(forward, ascending, 'forward');
      assertSameSequence(backward, ascending, 'backward');
      console.log(`# ${backend.name}: 2 x ${pages} pages of 10,000 in ${Date.now() - started} ms`);
    });

    it('node-sdk, limit 7,777, descending: forward and back, no duplicates, no gaps', async () => {
      const started = Date.now();
      const read = async (cursor: { next?: string; prev?: string }): Promise<Page> => {
        const r = await h.node.chat.querySegmentTargets({ id: 'big', limit: 7_777, sort: [{ field: 'target_id', direction: -1 }], ...cursor });
        return { ids: r.targets.map((t) => t.target_id), next: r.next, prev: r.prev };
      };
      const { forward, backward, pages } = await walk(read, 7_777);
      assert.equal(pages, Math.ceil(TOTAL / 7_777));
      const descending = [...ascending].reverse();
      assertSameSequence(forward, descending, 'forward');
      assertSameSequence(backward, descending, 'backward');
      console.log(`# ${backend.name}: 2 x ${pages} pages of 7,777 in ${Date.now() - started} ms`);
    });

    it('pages a filtered range the same way', async () => {
      // $gte/$lt on target_id combined with the keyset bounds of the cursor.
      const low = 'B_';
      const high = 'a';
      const want = ascending.filter((id) => id >= low && id < high);
      const read = async (cursor: { next?: string; prev?: string }): Promise<Page> => {
        const r = await h.node.chat.querySegmentTargets({ id: 'big', limit: 5_000, filter: { target_id: { $gte: low, $lt: high } }, ...cursor });
        return { ids: r.targets.map((t) => t.target_id), next: r.next, prev: r.prev };
      };
      const { forward, backward } = await walk(read, 5_000);
      assertSameSequence(forward, want, 'forward');
      assertSameSequence(backward, want, 'backward');
    });
  });
}
