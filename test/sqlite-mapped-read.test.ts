import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { sqliteBackend, type CreatedDatabase } from './support/backends.js';

/**
 * The preview's whole-audience statement runs with the SQLite file memory-mapped
 * (DialectCaps.mappedRead): only while it runs, so that the API connection's other reads, and
 * the process's RSS, are as before once it is done.
 */
describe('mapped reads on sqlite', () => {
  let created: CreatedDatabase;
  before(async () => {
    created = await sqliteBackend.create();
  });
  after(() => created.dispose());

  const mmapSize = async () => Number((await sql<{ mmap_size: number }>`pragma mmap_size`.execute(created.database.db)).rows[0].mmap_size);

  it('maps the file during the read and unmaps it after, also when the read fails', async () => {
    const { db, caps } = created.database;
    assert.equal(await mmapSize(), 0);
    assert.ok((await caps.mappedRead(db, mmapSize)) > 1 << 30, 'mapped inside');
    assert.equal(await mmapSize(), 0, 'unmapped after');
    await assert.rejects(caps.mappedRead(db, () => Promise.reject(new Error('boom'))), /boom/);
    assert.equal(await mmapSize(), 0, 'unmapped after a failed read');
  });

  it('keeps the mapping until the last of several concurrent reads ends', async () => {
    const { db, caps } = created.database;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const first = caps.mappedRead(db, async () => {
      await held;
      return mmapSize();
    });
    const second = await caps.mappedRead(db, mmapSize);
    assert.ok(second > 0, 'still mapped for the second read');
    release();
    assert.ok((await first) > 0, 'the first read was not unmapped by the second ending');
    assert.equal(await mmapSize(), 0);
  });
});
