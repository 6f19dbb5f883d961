import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { upsertedUser } from '../src/domain/user.js';
import { createStorage } from '../src/storage/storage.js';
import { postgresBackend, postgresUnavailable, type CreatedDatabase } from './support/backends.js';

// Only PostgreSQL can deadlock: SQLite's transactions take the one write lock up front.
describe('storage transactions on postgres', { skip: (await postgresUnavailable()) ?? false }, () => {
  let created: CreatedDatabase;
  before(async () => {
    created = await postgresBackend.create();
  });
  after(async () => created?.dispose());

  it('runs a transaction again when PostgreSQL aborts it to break a deadlock', async () => {
    const storage = createStorage(created.database);
    const user = (id: string, name: string) => upsertedUser({ id, name, custom: {} }, undefined, Date.now() * 1000, true);
    await storage.users.batchUpsert([user('a', 'a0'), user('b', 'b0')]);

    // Another client locks a, the transaction locks b and waits for a, the client waits for b.
    const other = new pg.Client({ connectionString: created.url });
    await other.connect();
    await other.query('begin');
    await other.query(`update users set name = 'a-other' where id = 'a'`);
    let runs = 0;
    const crossing = storage.transaction(async (stores) => {
      runs++;
      await stores.users.batchUpsert([user('b', 'b-tx')]);
      await stores.users.batchUpsert([user('a', 'a-tx')]);
    });
    await sleep(300);
    // PostgreSQL aborts the side whose wait reaches deadlock_timeout (1 s) first: the
    // transaction's. The client then goes on, and the transaction's second run commits after it.
    await other.query(`update users set name = 'b-other' where id = 'b'`);
    await other.query('commit');
    await other.end();
    await crossing;

    assert.equal(runs, 2, 'one deadlock, one retry');
    const names = (await storage.users.batchGet(['a', 'b'])).map((u) => u.name).sort();
    assert.deepEqual(names, ['a-tx', 'b-tx']);
  });

  it('does not run a transaction again for any other error', async () => {
    const storage = createStorage(created.database);
    let runs = 0;
    await assert.rejects(
      storage.transaction(async () => {
        runs++;
        throw Object.assign(new Error('unique violation'), { code: '23505' });
      }),
      /unique violation/,
    );
    assert.equal(runs, 1);
  });
});
