import assert from 'node:assert/strict';
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { importUsers } from '../src/app/user-import.js';
import { systemClock } from '../src/domain/clock.js';
import { backends } from './support/backends.js';
import { startHerald, TEST_API_KEY, TEST_API_SECRET, type RunningHerald } from './support/herald-server.js';
import { rawCall } from './support/raw-client.js';
import { waitFor } from './support/waiting.js';

/**
 * A PostgreSQL restart in the middle of a send (issue 15, faults): a 100k-target campaign
 * sent by two worker processes while the server is restarted twice with pg_ctlcluster. The
 * workers reconnect on their own and keep running, the API answers 503 (never 500) while the
 * database is away, and the campaign completes with every target sent exactly once.
 */
const TARGETS = 100_000;
const run = promisify(execFile);
const id = (i: number) => `r${String(i).padStart(6, '0')}`;

/** The local cluster's `pg_ctlcluster <version> main restart`, or why it cannot be run here. */
function restartCommand(): { args: string[] } | { skip: string } {
  if (!existsSync('/etc/postgresql')) return { skip: 'no local PostgreSQL cluster (/etc/postgresql) to restart' };
  if (process.getuid?.() !== 0) return { skip: 'restarting PostgreSQL with pg_ctlcluster needs root' };
  const [version] = readdirSync('/etc/postgresql');
  return { args: ['--skip-systemctl-redirect', version, 'main', 'restart'] };
}

async function* userLines(n: number) {
  for (let i = 0; i < n; i++) yield JSON.stringify({ id: id(i), name: `R ${i}` });
}

interface Worker {
  child: ChildProcess;
  output: string[];
}

function spawnWorker(databaseUrl: string): Worker {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main/server.ts'], {
    env: { ...process.env, HERALD_ROLE: 'worker', DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn', HERALD_API_KEY: TEST_API_KEY,
      HERALD_API_SECRET: TEST_API_SECRET, HERALD_LEASE_MS: '3000', HERALD_SEND_BATCH_SIZE: '2000' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  return { child, output };
}

const [postgres] = (await backends()).filter((b) => b.backend.name === 'postgres');
const command = restartCommand();

describe('PostgreSQL restarted twice in the middle of a 100k-target send', { skip: postgres.skip || ('skip' in command && command.skip) }, () => {
  let h: RunningHerald;
  const workers: Worker[] = [];
  before(async () => {
    h = await startHerald(postgres.backend, { loops: [] });
  });
  after(async () => {
    for (const { child } of workers) {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
    }
    await h?.close();
  });

  it('reconnects without crashing, answers 503 meanwhile, and sends every target exactly once', async () => {
    const args = (command as { args: string[] }).args;
    await importUsers(h.herald.deps.storage, systemClock, userLines(TARGETS));
    await h.chat.upsertUsers([{ id: 'restart-sender' }]);
    await h.chat.createSegment('user', 'restart', { name: 'restart' });
    for (let i = 0; i < TARGETS; i += 10_000) await h.chat.addSegmentTargets('restart', Array.from({ length: 10_000 }, (_, k) => id(i + k)));
    const campaign = h.chat.campaign({
      sender_id: 'restart-sender', segment_ids: ['restart'], create_channels: true,
      channel_template: { type: 'messaging', id: 'restart-{{ receiver.id }}' }, message_template: { text: 'Hi {{ receiver.name }}' },
    });
    await campaign.create();
    workers.push(spawnWorker(h.databaseUrl!), spawnWorker(h.databaseUrl!));
    await campaign.start();

    const statuses = new Map<number, number>();
    const sentSoFar = async () => Number((await sql<{ n: number }>`select stats_messages_sent as n from campaigns where id = ${campaign.id}`.execute(h.database.db)).rows[0].n);
    for (const threshold of [TARGETS * 0.15, TARGETS * 0.5]) {
      await waitFor(`${threshold} messages sent`, async () => (await sentSoFar().catch(() => 0)) >= threshold, 120_000).catch((error: Error) => {
        throw new Error(`${error.message}; the workers said: ${workers.map((w) => w.output.join('').slice(-3000)).join('\n---\n')}`);
      });
      // The API is asked all through the restart: every answer is a success or a 503.
      let restarting = true;
      const probe = (async () => {
        while (restarting) {
          const answer = await rawCall(h.baseURL, 'GET', `/campaigns/${campaign.id}`).catch(() => null);
          if (answer) statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
          if (answer?.status === 503) assert.match(answer.body.message, /database is unavailable/);
          await sleep(10);
        }
      })();
      await run('pg_ctlcluster', args);
      await sleep(2_000);
      restarting = false;
      await probe;
    }

    const done = await waitFor('the campaign to complete', async () => {
      const answer = await rawCall(h.baseURL, 'GET', `/campaigns/${campaign.id}`);
      return answer.status === 200 && answer.body.campaign.status === 'completed' && answer.body.campaign;
    }, 5 * 60_000);

    assert.deepEqual([...statuses.keys()].filter((s) => s !== 200 && s !== 503), [], `only 200 and 503 while restarting: ${JSON.stringify([...statuses])}`);
    assert.ok((statuses.get(503) ?? 0) > 0, `the API saw the database go away: ${JSON.stringify([...statuses])}`);
    assert.equal(done.stats.stats_messages_sent, TARGETS);

    const one = async (query: ReturnType<typeof sql<{ n: number }>>) => Number((await query.execute(h.database.db)).rows[0].n);
    assert.equal(await one(sql`select count(*) as n from messages where campaign_id = ${campaign.id}`), TARGETS, 'no gap');
    assert.equal(await one(sql`select count(*) as n from (select channel_pk from messages where campaign_id = ${campaign.id}
      group by channel_pk having count(*) > 1) d`), 0, 'no duplicate');
    assert.equal(await one(sql`select count(*) as n from campaign_targets where campaign_id = ${campaign.id} and status = 'sent'`), TARGETS);

    for (const [i, { child, output }] of workers.entries()) {
      assert.equal(child.exitCode, null, `worker ${i} is still running: ${output.join('').slice(-2000)}`);
      const log = output.join('');
      assert.doesNotMatch(log, /unhandled|uncaught|"level":60/i, `worker ${i} had no unhandled error and no fatal log`);
    }
  });
});
