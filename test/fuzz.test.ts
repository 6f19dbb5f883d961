import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backends } from './support/backends.js';
import { changedTables, checksumQuery } from './support/fuzz/db-checksum.js';
import { formatReport } from './support/fuzz/fuzz-report.js';
import { runFuzz } from './support/fuzz/fuzz-run.js';
import { startHerald } from './support/herald-server.js';

/**
 * Issue 15's fuzzer, short form: fast-check requests over every route of Herald's OpenAPI
 * document, both route families, server and user tokens (and broken ones), bodies from each
 * route's schema bent with wrong types, nulls, missing and extra fields, deep nesting, huge
 * arrays, hostile strings, duplicate and `__proto__` keys, generated filters, broken query
 * strings and hostile Liquid templates (test/support/fuzz/). Every answer: no 5xx, errors in
 * Stream's shape with a code of the contract, within 2 s; a refused request changes no table;
 * RSS stays bounded. Seeded: HERALD_FUZZ_SEED and HERALD_FUZZ_RUNS change the seed and the
 * count; `npm run fuzz` is the long form, and prints how to replay each failure.
 */
const SEED = Number(process.env.HERALD_FUZZ_SEED ?? 15);
const RUNS = Number(process.env.HERALD_FUZZ_RUNS ?? 5000);
// ~30 s a database on 2 cores; the cap turns a machine too slow for the count into a clear failure.
const SECONDS = Number(process.env.HERALD_FUZZ_SECONDS ?? 80);

for (const { backend, skip } of await backends()) {
  describe(`HTTP fuzzing on ${backend.name}`, { skip }, () => {
    // "A refused request changes nothing" is only as good as the checksum: it must cover every
    // table (found in the catalog, not listed) and see a change that keeps the row count.
    it('the one-query checksum of every table sees a changed row', async () => {
      const h = await startHerald(backend, { loops: [] });
      try {
        const checksum = await checksumQuery(h.database);
        await h.chat.upsertUsers([{ id: 'ann', name: 'Ann' }]);
        const before = await checksum();
        assert.ok(Object.keys(before).length >= 20 && 'users' in before && !('kysely_migration' in before), Object.keys(before).join());
        assert.deepEqual(await checksum(), before, 'stable while nothing changes');
        await h.chat.partialUpdateUser({ id: 'ann', set: { name: 'Anne' } });
        assert.deepEqual(changedTables(before, await checksum()).map((t) => t.split(':')[0]), ['users']);
      } finally {
        await h.close();
      }
    });

    it(`answers ${RUNS} generated requests over every route: no 5xx, Stream's errors, within 2 s, refusals change nothing`, { timeout: 170_000 }, async () => {
      const report = await runFuzz({ backend, seed: SEED, runs: RUNS, seconds: SECONDS });
      const summary = formatReport(report);
      console.log(summary.split('\n')[0]);
      assert.deepEqual(report.failures.map((f) => `#${f.index} ${f.operationId}: ${f.problems.join('; ')}`), [], summary);
      assert.equal(report.requests, RUNS, `only ${report.requests} requests in ${SECONDS} s: the machine is too busy`);
      // The sweep must reach the routes and both sides of them, or it tests little.
      const requested = Object.keys(report.byOperation).length;
      assert.ok(requested >= report.operations * 0.95, `${requested} of ${report.operations} operations requested`);
      assert.ok(report.operationsAnswered2xx >= report.operations / 3, `${report.operationsAnswered2xx} operations answered 2xx`);
      const count = (prefix: string) => Object.entries(report.statuses).filter(([s]) => s.startsWith(prefix)).reduce((n, [, c]) => n + c, 0);
      assert.ok(count('2') > RUNS / 20 && count('4') > RUNS / 4, JSON.stringify(report.statuses));
      assert.ok((report.statuses['413'] ?? 0) > 0, 'a body over the limit was sent and refused with 413');
    });
  });
}
