import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statfsSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { StreamChat } from 'stream-chat';
import { spawnHerald, type HeraldProcess } from './support/herald-process.js';
import { TEST_API_KEY, TEST_API_SECRET } from './support/herald-server.js';
import { rawCall } from './support/raw-client.js';
import { waitFor } from './support/waiting.js';

/**
 * SQLite on a disk that fills up mid-send (issue 15, faults), on a tmpfs of 128 MiB mounted
 * for the test: the sender stops the campaign with the reason on it and in the log, the
 * database stays sound (integrity_check), and once space is freed a start completes the
 * campaign with every target sent exactly once.
 */
const USERS = 20_000;
const MOUNT_MIB = 128;
// Left free when the campaign starts: room for a few of its batches, not all of them.
const LEFT_FREE_BYTES = 6 * 1024 * 1024;

/** A size-limited tmpfs of our own, or why the machine cannot make one. */
function mountSmallDisk(): { dir: string } | { skip: string } {
  const dir = mkdtempSync(join(tmpdir(), 'herald-full-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${MOUNT_MIB}m`, 'tmpfs', dir], { stdio: 'pipe' });
    return { dir };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    return { skip: `cannot mount a small tmpfs here (${(error as Error).message.split('\n')[0]}): the full-disk test needs root and mount` };
  }
}

const disk = mountSmallDisk();

describe(`SQLite on a ${MOUNT_MIB} MiB disk that fills up mid-send`, { skip: 'skip' in disk && disk.skip }, () => {
  const dir = (disk as { dir: string }).dir;
  const output: string[] = [];
  let herald: HeraldProcess;
  let chat: StreamChat;
  before(async () => {
    herald = await spawnHerald({ role: 'all', dataDir: dir, output, env: { LOG_LEVEL: 'warn', HERALD_SEND_BATCH_SIZE: '1000' } });
    chat = new StreamChat(TEST_API_KEY, TEST_API_SECRET, { baseURL: herald.baseURL, timeout: 30_000 });
  });
  after(async () => {
    await herald?.stop();
    execFileSync('umount', [dir]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('stops the campaign with the reason, keeps the database sound, and completes exactly once after space is freed', async () => {
    await chat.upsertUsers([{ id: 'disk-sender', name: 'Sender' }]);
    const ids = Array.from({ length: USERS }, (_, i) => `d${String(i).padStart(6, '0')}`);
    for (let i = 0; i < USERS; i += 100) await chat.upsertUsers(ids.slice(i, i + 100).map((id) => ({ id, name: `Disk ${id}` })));
    await chat.createSegment('user', 'disk', { name: 'disk' });
    for (let i = 0; i < USERS; i += 10_000) await chat.addSegmentTargets('disk', ids.slice(i, i + 10_000));

    // Fill the disk but for a little: the send runs out of it part way.
    const { bavail, bsize } = statfsSync(dir);
    const filler = join(dir, 'filler');
    writeFileSync(filler, Buffer.alloc(Math.max(0, bavail * bsize - LEFT_FREE_BYTES)));

    const campaign = chat.campaign({
      sender_id: 'disk-sender', segment_ids: ['disk'], create_channels: true,
      channel_template: { type: 'messaging', id: 'disk-{{ receiver.id }}' }, message_template: { text: 'Hello {{ receiver.name }}, this fills the disk' },
    });
    await campaign.create();
    await campaign.start();
    const stopped = await waitFor('the sender to stop the campaign', async () => {
      const { campaign: c } = await campaign.get();
      return c.status === 'stopped' && (c as typeof c & { error?: string });
    }, 120_000);
    assert.match(String(stopped.error), /disk is full/, 'the reason is on the campaign');
    assert.ok(Number(stopped.stats.stats_messages_sent) < USERS, `part of it was sent (${stopped.stats.stats_messages_sent})`);
    await waitFor('the log to say why', async () => /disk is full/.test(output.join('')), 10_000);

    rmSync(filler);
    const file = join(dir, 'herald.db');
    const check = () => {
      const db = new Database(file, { readonly: true, fileMustExist: true });
      try {
        return db.pragma('integrity_check', { simple: true });
      } finally {
        db.close();
      }
    };
    assert.equal(check(), 'ok');
    // While the disk was full no checkpoint could copy the WAL back into the database, so the
    // WAL holds most of the disk; Herald's checkpointer drains it now that there is room. A
    // start before that would race it for the freed space (docs/limits.md).
    await waitFor('the WAL to be checkpointed', async () => {
      const db = new Database(file, { fileMustExist: true });
      try {
        const [{ log, checkpointed }] = db.pragma('wal_checkpoint(PASSIVE)') as Array<{ log: number; checkpointed: number }>;
        return log === checkpointed;
      } finally {
        db.close();
      }
    }, 30_000);

    await campaign.start();
    const done = await waitFor('the campaign to complete', async () => {
      const { campaign: c } = await campaign.get();
      return c.status === 'completed' && (c as typeof c & { error?: string });
    }, 120_000).catch((error: Error) => {
      const db = new Database(file, { readonly: true, fileMustExist: true });
      const state = {
        campaign: db.prepare('select status, error, audience_step, audience_cursor, audience_done, audience_locked_by, audience_locked_until, stats_targets_total, stats_targets_done from campaigns').all(),
        ledger: db.prepare('select status, count(*) n, count(locked_by) locked, max(locked_until) until from campaign_targets group by status').all(),
        free: statfsSync(dir).bavail * statfsSync(dir).bsize,
        files: readdirSync(dir).map((f) => [f, statSync(join(dir, f)).size]),
      };
      db.close();
      throw new Error(`${error.message}; state ${JSON.stringify(state)}; the process said: ${output.join('').slice(-1500)}`);
    });
    assert.equal(done.stats.stats_messages_sent, USERS);
    assert.equal(done.error, undefined, 'a start clears the reason');

    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      const count = (query: string) => (db.prepare(query).get(done.id) as { n: number }).n;
      assert.equal(count('select count(*) as n from messages where campaign_id = ?'), USERS, 'no gap');
      assert.equal(count(`select count(*) as n from (select channel_pk from messages where campaign_id = ? group by channel_pk having count(*) > 1)`), 0, 'no duplicate');
      assert.equal(count(`select count(*) as n from campaign_targets where campaign_id = ? and status = 'sent'`), USERS);
    } finally {
      db.close();
    }
    assert.equal(check(), 'ok');
    assert.equal((await rawCall(herald.baseURL, 'GET', '/healthz')).status, 200, 'the process lived through it');
  });
});
