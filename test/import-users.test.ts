import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Storage } from '../src/app/ports.js';
import { importUsers } from '../src/app/user-import.js';
import type { Clock } from '../src/domain/clock.js';
import { openDatabase, type Database } from '../src/storage/database.js';
import { createStorage } from '../src/storage/storage.js';
import { backends } from './support/backends.js';

const linesOf = async function* (lines: readonly string[]) {
  yield* lines;
};

/** A clock the test moves by hand, so that created_at and updated_at are exact. */
const manualClock = (start: number) => {
  const clock = { now: start, nowMicros: () => clock.now };
  return clock satisfies Clock;
};

const byId = async (storage: Storage, ids: string[]) =>
  new Map((await storage.users.batchGet(ids)).map((u) => [u.id, u]));

for (const { backend, skip } of await backends()) {
  describe(`importUsers on ${backend.name}`, { skip }, () => {
    let db: Awaited<ReturnType<typeof backend.create>>;
    let storage: Storage;
    before(async () => {
      db = await backend.create();
      storage = createStorage(db.database);
    });
    after(async () => db?.dispose());

    it('imports the legacy flat shape and the nested custom shape', async () => {
      const result = await importUsers(storage, manualClock(1_000), linesOf([
        '{"id":"ann","name":"Ann","role":"admin","teams":["red"],"country":"NL","age":31}',
        '',
        '{"id":"bob","custom":{"plan":"pro"},"language":"nl","invisible":true,"created_at":"2001-01-01T00:00:00Z"}',
      ]));
      assert.deepEqual(result, { imported: 2, skipped: 0, errors: [] });
      const users = await byId(storage, ['ann', 'bob']);
      const ann = users.get('ann')!;
      assert.equal(ann.name, 'Ann');
      assert.equal(ann.role, 'admin');
      assert.deepEqual(ann.teams, ['red']);
      assert.deepEqual(ann.custom, { country: 'NL', age: 31 });
      const bob = users.get('bob')!;
      assert.equal(bob.role, 'user', 'role defaults to user');
      assert.equal(bob.name, null);
      assert.equal(bob.language, 'nl');
      assert.equal(bob.invisible, true);
      assert.deepEqual(bob.custom, { plan: 'pro' }, 'server-owned fields such as created_at are not custom');
      assert.equal(bob.created_at, 1_000, 'created_at comes from the clock, not the file');
    });

    it('skips lines the databases cannot hold: NUL, lone surrogates, deep or over-large custom data', async () => {
      const result = await importUsers(storage, manualClock(3_000), linesOf([
        '{"id":"nul1","name":"a\\u0000b"}',
        '{"id":"sur1","bio":"\\ud800"}',
        `{"id":"deep1","deep":${'['.repeat(5000)}1${']'.repeat(5000)}}`,
        `{"id":"deep2","deep":${'['.repeat(32)}1${']'.repeat(32)}}`,
        `{"id":"big1","bio":"${'x'.repeat(6000)}"}`,
        '{"id":"fine1","bio":"Zoë"}',
      ]));
      assert.equal(result.imported, 1, JSON.stringify(result.errors));
      assert.deepEqual(result.errors.map((e) => e.line), [1, 2, 3, 4, 5]);
      assert.match(result.errors[0].message, /name holds a NUL character or a lone UTF-16 surrogate/);
      assert.match(result.errors[2].message, /nests deeper than 64 levels/);
      assert.match(result.errors[3].message, /deep2\.deep nests deeper than 32 levels of custom data/);
      assert.match(result.errors[4].message, /more than the 5120 allowed/);
      assert.deepEqual([...(await byId(storage, ['nul1', 'sur1', 'deep1', 'deep2', 'big1', 'fine1'])).keys()], ['fine1']);
    });

    it('reports bad lines by 1-based line number and imports the others', async () => {
      const result = await importUsers(storage, manualClock(2_000), linesOf([
        '{"id":"ok1"}',
        '{"id": "broken"',
        '',
        '{"name":"no id"}',
        '{"id":"has space"}',
        '{"id":"n1","name":42}',
        '{"id":"t1","teams":["a",1]}',
        '["not","an","object"]',
        '{"id":"i1","invisible":"yes"}',
        '{"id":"c1","custom":[1]}',
        '{"id":"ok2","role":""}',
        '{"id":"ok3"}',
      ]));
      assert.equal(result.imported, 2);
      assert.equal(result.skipped, 9);
      assert.deepEqual(result.errors.map((e) => e.line), [2, 4, 5, 6, 7, 8, 9, 10, 11]);
      const message = (line: number) => result.errors.find((e) => e.line === line)!.message;
      assert.match(message(2), /^invalid JSON/);
      assert.match(message(4), /^id is required/);
      assert.match(message(5), /^id is required/);
      assert.equal(message(6), 'name must be a string');
      assert.equal(message(7), 'teams must be a list of strings');
      assert.equal(message(8), 'a user must be a JSON object');
      assert.equal(message(9), 'invisible must be true or false');
      assert.equal(message(10), 'custom must be an object');
      assert.equal(message(11), 'role must be a non-empty string');
      const users = await byId(storage, ['ok1', 'ok3', 'n1', 't1']);
      assert.deepEqual([...users.keys()].sort(), ['ok1', 'ok3']);
    });

    it('re-import replaces fields but keeps created_at and an unspecified role', async () => {
      const clock = manualClock(10_000);
      await importUsers(storage, clock, linesOf(['{"id":"re1","name":"Old","role":"admin","teams":["x"],"a":1}']));
      clock.now = 20_000;
      const result = await importUsers(storage, clock, linesOf(['{"id":"re1","name":"New","b":2}']));
      assert.equal(result.imported, 1);
      const user = (await byId(storage, ['re1'])).get('re1')!;
      assert.equal(user.created_at, 10_000);
      assert.equal(user.updated_at, 20_000);
      assert.equal(user.name, 'New');
      assert.equal(user.role, 'admin', 'a line without role keeps the stored one, as the upsert does');
      assert.deepEqual(user.teams, []);
      assert.deepEqual(user.custom, { b: 2 }, 'custom data is replaced, not merged');
    });

    it('lets the last line win for a duplicate id, within and across batches', async () => {
      const result = await importUsers(storage, manualClock(3_000), linesOf([
        '{"id":"dup","name":"first"}',
        '{"id":"dup","name":"second"}',
        '{"id":"other"}',
        '{"id":"dup","name":"third"}',
      ]), { batchSize: 2 });
      assert.equal(result.imported, 4, 'every valid line counts; later ones overwrite earlier ones');
      assert.equal((await byId(storage, ['dup'])).get('dup')!.name, 'third');
    });

    it('writes each batch in one transaction: a failing batch leaves none of its users', async () => {
      let upserts = 0;
      // Fails the second batch after its rows were written, inside the transaction.
      const failing: Storage = {
        ...storage,
        transaction: (fn) =>
          storage.transaction((stores) =>
            fn({
              ...stores,
              users: {
                batchGet: (ids) => stores.users.batchGet(ids),
                query: (page) => stores.users.query(page),
                batchDelete: (ids, mode, now) => stores.users.batchDelete(ids, mode, now),
                batchUpsert: async (users) => {
                  await stores.users.batchUpsert(users);
                  upserts += 1;
                  if (upserts === 2) throw new Error('disk full');
                },
              },
            }),
          ),
      };
      const lines = ['tx1', 'tx2', 'tx3', 'tx4', 'tx5'].map((id) => JSON.stringify({ id }));
      await assert.rejects(importUsers(failing, manualClock(4_000), linesOf(lines), { batchSize: 2 }), /disk full/);
      const users = await byId(storage, ['tx1', 'tx2', 'tx3', 'tx4', 'tx5']);
      assert.deepEqual([...users.keys()].sort(), ['tx1', 'tx2']);
    });

    it('keeps the first maxErrors errors and counts the rest', async () => {
      const bad = Array.from({ length: 5 }, () => 'nope');
      const result = await importUsers(storage, manualClock(5_000), linesOf(bad), { maxErrors: 3 });
      assert.equal(result.skipped, 5);
      assert.deepEqual(result.errors.map((e) => e.line), [1, 2, 3]);
    });
  });
}

describe('herald import users (the CLI as a child process)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'herald-cli-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  const run = (args: string[], stdin?: string) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const env: NodeJS.ProcessEnv = { ...process.env, HERALD_DATA_DIR: join(dir, 'data') };
      delete env.DATABASE_URL;
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/herald.ts', ...args], { env });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk) => (stdout += chunk));
      child.stderr.on('data', (chunk) => (stderr += chunk));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
      child.stdin.end(stdin ?? '');
    });

  it('imports a file, prints bad lines and a summary, and exits 3 when lines were skipped', async () => {
    const file = join(dir, 'users.ndjson');
    writeFileSync(file, [
      '{"id":"cli1","name":"Ann","teams":["a"],"country":"NL"}',
      '{not json}',
      '{"id":"cli2","custom":{"plan":"pro"}}',
      '',
    ].join('\n'));
    const { code, stdout, stderr } = await run(['import', 'users', file]);
    assert.equal(code, 3, stderr);
    assert.match(stdout, /^imported 2 users, skipped 1 lines in \d+\.\ds\n$/);
    assert.match(stderr, /^line 2: invalid JSON/m);

    let database: Database | undefined;
    try {
      database = openDatabase({ dataDir: join(dir, 'data') });
      const users = await byId(createStorage(database), ['cli1', 'cli2']);
      assert.deepEqual(users.get('cli1')!.custom, { country: 'NL' });
      assert.deepEqual(users.get('cli1')!.teams, ['a']);
      assert.deepEqual(users.get('cli2')!.custom, { plan: 'pro' });
    } finally {
      await database?.close();
    }
  });

  it('reads stdin with -, exits 0 when every line is good, and 2 on a usage error', async () => {
    const ok = await run(['import', 'users', '-'], '{"id":"cli3"}\n');
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /^imported 1 users, skipped 0 lines/);
    const usage = await run(['import', 'channels']);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /Usage: herald/);
  });
});
