import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { importUsers } from '../../src/app/user-import.js';
import { systemClock } from '../../src/domain/clock.js';
import type { TestBackend } from '../support/backends.js';
import { startHerald, TEST_API_KEY, TEST_API_SECRET, type RunningHerald } from '../support/herald-server.js';
import { waitFor } from '../support/waiting.js';

export interface SoakOptions {
  backend: TestBackend;
  /** Targets in the segment when the campaign starts. */
  targets: number;
  /** Targets added to the segment while the campaign runs. */
  added: number;
  workers: number;
  /** How long the chaos lasts before the campaign is left to finish. */
  chaosMs: number;
  log?: (line: string) => void;
}

export interface SoakReport {
  /** Targets that had to be sent: the initial ones plus those added before completion. */
  targets: number;
  messages: number;
  duplicates: number;
  ledger: Record<string, number>;
  stats: { stats_messages_sent: number; stats_users_sent: number; stats_channels_created: number; progress: number };
  channelsCreated: number;
  kills: number;
  stops: number;
  adds: number;
  /** The recall after completion, through kills of the workers running it. */
  recall: {
    kills: number;
    /** Campaign messages deleted (type `deleted`, deleted_at set). */
    deleted: number;
    /** Message ids in the chat feed's messages_changed rows: each deletion announced once. */
    announced: number;
    announcedDistinct: number;
    /** Ledger rows with recalled_at. */
    ledgerRecalled: number;
    stats_messages_recalled: number;
  };
}

const id = (i: number) => `soak${String(i).padStart(7, '0')}`;

async function* userLines(n: number) {
  for (let i = 0; i < n; i++) yield JSON.stringify({ id: id(i), name: `Soak ${i}` });
}

/** A worker process (HERALD_ROLE=worker) on the same database, with short leases and small batches. */
function spawnWorker(env: Record<string, string | undefined>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'src/main/server.ts'], {
    env: { ...process.env, ...env, HERALD_ROLE: 'worker', LOG_LEVEL: 'error', HERALD_API_KEY: TEST_API_KEY, HERALD_API_SECRET: TEST_API_SECRET,
      HERALD_SEND_BATCH_SIZE: '100', HERALD_LEASE_MS: '1500' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGKILL');
  await once(child, 'exit');
}

/**
 * The exactly-once soak (docs/style.md habit 7): a campaign over a segment, sent by worker
 * processes that are killed with SIGKILL and restarted mid-batch, while the campaign is stopped
 * and started again and targets are added to its segment. At the end every target must have
 * exactly one message and one terminal ledger row, and the stats must equal those counts. Then
 * the campaign is recalled while workers are killed again: every message must be deleted, and
 * announced, exactly once.
 */
export async function runSoak(o: SoakOptions): Promise<SoakReport> {
  const log = o.log ?? (() => {});
  // The API runs in this process without background loops; all sending is in the workers.
  const h: RunningHerald = await startHerald(o.backend, { loops: [] });
  const workers: ChildProcess[] = [];
  const report = { kills: 0, stops: 0, adds: 0 };
  try {
    await importUsers(h.herald.deps.storage, systemClock, userLines(o.targets + o.added));
    await h.chat.upsertUsers([{ id: 'soak-sender', name: 'Sender' }]);
    await h.chat.createSegment('user', 'soak', { name: 'soak' });
    for (let i = 0; i < o.targets; i += 10_000) {
      await h.chat.addSegmentTargets('soak', Array.from({ length: Math.min(10_000, o.targets - i) }, (_, k) => id(i + k)));
    }
    const campaign = h.chat.campaign({
      sender_id: 'soak-sender', segment_ids: ['soak'], create_channels: true,
      channel_template: { type: 'messaging', id: 'soak-{{ receiver.id }}' },
      message_template: { text: 'Hi {{ receiver.name }}' },
    });
    await campaign.create();
    const workerEnv = h.databaseUrl ? { DATABASE_URL: h.databaseUrl } : { DATABASE_URL: '', HERALD_DATA_DIR: dirname(h.database.location) };
    for (let i = 0; i < o.workers; i++) workers.push(spawnWorker(workerEnv));
    await campaign.start();
    log(`started ${campaign.id} over ${o.targets} targets with ${o.workers} workers`);

    let added = 0;
    // Targets added while the campaign had not completed must all be sent; an add that lands
    // after completion is not (a campaign is sent once), so those are not expected.
    let expected = o.targets;
    const chaosEnd = Date.now() + o.chaosMs;
    while (Date.now() < chaosEnd) {
      await sleep(150 + Math.random() * 400);
      const { campaign: now } = await campaign.get();
      if (now.status === 'completed') break;
      // Each kind of move once, first (an add, a kill, a stop), so that a send that completes in
      // two seconds still meets all three; then adds and kills alternate with random moves.
      const firstOfEach = report.adds === 0 && added < o.added ? 1 : report.kills === 0 ? 0 : report.stops === 0 ? 0.5 : null;
      const move = firstOfEach ?? (added < o.added && report.adds <= report.kills ? 1 : Math.random() * 0.7);
      if (move < 0.4) {
        const w = Math.floor(Math.random() * workers.length);
        await kill(workers[w]);
        workers[w] = spawnWorker(workerEnv);
        report.kills++;
      } else if (move < 0.7) {
        await campaign.stop();
        await sleep(100 + Math.random() * 300);
        const { campaign: later } = await campaign.get();
        if (later.status === 'stopped') await campaign.start();
        report.stops++;
      } else {
        const n = Math.min(500, o.added - added);
        await h.chat.addSegmentTargets('soak', Array.from({ length: n }, (_, k) => id(o.targets + added + k)));
        added += n;
        const { campaign: after } = await campaign.get();
        if (after.status !== 'completed') {
          expected += n;
          report.adds++;
        }
      }
    }
    const { campaign: current } = await campaign.get();
    if (current.status === 'stopped') await campaign.start();
    log(`chaos over (${JSON.stringify(report)}); waiting for completion`);
    const done = await waitFor('the soak campaign to complete', async () => {
      const { campaign: c } = await campaign.get();
      return c.status === 'completed' && c;
    }, 10 * 60_000);

    const db = h.database.db;
    const count = async (query: ReturnType<typeof sql<{ n: number }>>) => Number((await query.execute(db)).rows[0].n);
    const feedBefore = await count(sql<{ n: number }>`select coalesce(max(seq), 0) as n from chat_feed`);

    // The recall, with a worker killed (SIGKILL) mid-page a few times while it runs: each
    // restart costs a process start and the dead worker's 1.5 s lease, so a kill every second
    // would leave the recall no time to move.
    await h.chat.post(`${h.chat.baseURL}/campaigns/${campaign.id}/recall`, {});
    let recallKills = 0;
    const recalled = await waitFor('the recall to complete', async () => {
      const { campaign: c } = await campaign.get();
      if ((c as unknown as { recall_status: string }).recall_status === 'completed') return c;
      if (recallKills < 4) {
        const w = Math.floor(Math.random() * workers.length);
        await kill(workers[w]);
        workers[w] = spawnWorker(workerEnv);
        recallKills++;
        await sleep(1000 + Math.random() * 1000);
      }
      return undefined;
    }, 5 * 60_000);
    log(`recalled after ${recallKills} kills`);
    const changed = await sql<{ body: unknown }>`select body from chat_feed where seq > ${feedBefore} and kind = 'messages_changed'`.execute(db);
    const entryOf = (body: unknown) => (typeof body === 'string' ? JSON.parse(body) : body) as { message_ids: string[] };
    const announcedIds = changed.rows.flatMap((r) => entryOf(r.body).message_ids);
    const messages = await count(sql<{ n: number }>`select count(*) as n from messages where campaign_id = ${campaign.id}`);
    const duplicates = await count(sql<{ n: number }>`select count(*) as n from (select channel_pk from messages
      where campaign_id = ${campaign.id} group by channel_pk having count(*) > 1) d`);
    const ledgerRows = await sql<{ status: string; n: number }>`select status, count(*) as n from campaign_targets
      where campaign_id = ${campaign.id} group by status`.execute(db);
    const channelsCreated = await count(sql<{ n: number }>`select count(*) as n from channels where cid like 'messaging:soak-%'`);
    return {
      targets: expected,
      messages,
      duplicates,
      ledger: Object.fromEntries(ledgerRows.rows.map((r) => [r.status, Number(r.n)])),
      stats: done.stats as SoakReport['stats'],
      channelsCreated,
      ...report,
      recall: {
        kills: recallKills,
        deleted: await count(sql<{ n: number }>`select count(*) as n from messages where campaign_id = ${campaign.id} and type = 'deleted' and deleted_at is not null`),
        announced: announcedIds.length,
        announcedDistinct: new Set(announcedIds).size,
        ledgerRecalled: await count(sql<{ n: number }>`select count(*) as n from campaign_targets where campaign_id = ${campaign.id} and recalled_at is not null`),
        stats_messages_recalled: (recalled.stats as unknown as { stats_messages_recalled: number }).stats_messages_recalled,
      },
    };
  } finally {
    await Promise.all(workers.map(kill));
    await h.close();
  }
}
