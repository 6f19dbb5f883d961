import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CompiledQuery } from 'kysely';
import { ThreadLongReads } from '../src/main/long-reads.js';
import { sqliteBackend, type CreatedDatabase } from './support/backends.js';

/**
 * SQLite's long reads (main/long-reads.ts): a statement of seconds runs on a connection and a
 * thread of its own, so that the API's event loop goes on serving meanwhile.
 */
describe('long reads on a thread of their own (sqlite)', () => {
  let created: CreatedDatabase;
  let reads: ThreadLongReads;
  before(async () => {
    created = await sqliteBackend.create();
    reads = new ThreadLongReads(created.database.location);
  });
  after(async () => {
    await reads.stop();
    await created.dispose();
  });

  // A statement that keeps SQLite busy for a while: a few million rows of a recursive CTE.
  const slow = CompiledQuery.raw('with recursive c(x) as (select 1 union all select x + 1 from c where x < ?) select count(*) as n, sum(x) as total from c', [3_000_000]);

  it('answers the first row while the event loop keeps running', async () => {
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 1);
    const started = performance.now();
    const row = await reads.first(slow);
    const ms = performance.now() - started;
    clearInterval(ticker);
    assert.deepEqual(row, { n: 3_000_000, total: 4_500_001_500_000 });
    // On the caller's thread the timer could not fire until the statement ended: here it
    // fires all along (a 1 ms interval ticks at most once a millisecond, less on a busy machine).
    assert.ok(ticks >= Math.min(20, ms / 10), `${ticks} ticks in ${Math.round(ms)} ms`);
  });

  it('reads what the API connection committed, with the same SQL functions', async () => {
    await created.database.db.executeQuery(CompiledQuery.raw(`insert into users (id, role, custom, created_at, updated_at) values ('lr-a', 'user', '{}', 1, 1)`));
    const row = await reads.first(CompiledQuery.raw(`select count(*) as n, herald_distinct_channel_id('lr-a', 'lr-b') as cid from users where id = ?`, ['lr-a']));
    assert.equal(row?.n, 1);
    assert.match(String(row?.cid), /^!members-[\w-]{43}$/);
  });

  it('fails a bad statement with its message and code, and goes on with the next', async () => {
    await assert.rejects(reads.first(CompiledQuery.raw('select * from no_such_table')), (error: Error & { code?: string }) => {
      assert.match(error.message, /no such table: no_such_table/);
      assert.equal(error.code, 'SQLITE_ERROR');
      return true;
    });
    assert.deepEqual(await reads.first(CompiledQuery.raw('select 1 as one')), { one: 1 });
  });

  it('runs reads side by side and starts again after a stop', async () => {
    const rows = await Promise.all([1, 2, 3].map((k) => reads.first(CompiledQuery.raw('select ? as k', [k]))));
    assert.deepEqual(rows, [{ k: 1 }, { k: 2 }, { k: 3 }]);
    await reads.stop();
    assert.deepEqual(await reads.first(CompiledQuery.raw('select 2 as two')), { two: 2 });
  });
});
