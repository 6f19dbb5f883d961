import type { ChildProcess } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { api, benchDatabase, dataRoot, herald, importUsers, root, waitHealthy } from './bench-servers.js';
import { generateUsers } from './generate-users.js';

/**
 * Throttle accuracy (issue 12): campaigns held to 500 and 5,000 messages a second, on SQLite
 * (one `all` process) and on PostgreSQL with 2 worker processes sharing the limit. Reports,
 * from the messages' own created_at times, the busiest 10 s window against 10 s of the limit
 * (goal ≤ 110%) and the average rate after the first half second of burst against the limit
 * (goal ≥ 90%), beside the same audience sent unthrottled in the same run (the machine could
 * go faster).
 *
 *   BENCH_MODES=sqlite,pg2          the databases
 *   BENCH_RATES=500,5000            limits, messages a second
 *   BENCH_THROTTLE_SECONDS=30       how long each throttled send lasts (audience = rate × seconds)
 */
const modes = (process.env.BENCH_MODES ?? 'sqlite,pg2').split(',').map((m) => m.trim());
const rates = (process.env.BENCH_RATES ?? '500,5000').split(',').map(Number);
const seconds = Number(process.env.BENCH_THROTTLE_SECONDS ?? 30);
const audience = Math.max(...rates) * seconds;

async function firstIds(file: string, n: number): Promise<string[]> {
  const ids: string[] = [];
  for await (const line of createInterface({ input: createReadStream(file) })) {
    ids.push((JSON.parse(line) as { id: string }).id);
    if (ids.length === n) break;
  }
  return ids;
}

/** The campaign's messages' send times, ms, oldest first. */
async function sendTimes(mode: string, dir: string, url: string | undefined, campaignId: string): Promise<number[]> {
  const query = 'select created_at as t from messages where campaign_id = $1 order by created_at';
  if (mode === 'sqlite') {
    const db = new SqliteDatabase(join(dir, 'herald.db'), { readonly: true });
    const rows = db.prepare(query.replace('$1', '?')).all(campaignId) as Array<{ t: number }>;
    db.close();
    return rows.map((r) => r.t / 1000);
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const rows = await client.query(query, [campaignId]);
  await client.end();
  return rows.rows.map((r: { t: string }) => Number(r.t) / 1000);
}

function busiestWindow(times: readonly number[], windowMs: number): number {
  let most = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i] - times[j] >= windowMs) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

interface Row {
  mode: string;
  limit: number | null;
  messages: number;
  seconds: number;
  rate: number;
  busiest10s?: number;
  steadyRate?: number;
}

async function sendOne(base: string, mode: string, dir: string, url: string | undefined, segment: string, limit: number | null): Promise<Row> {
  const { campaign } = await api(base, 'POST', '/campaigns', {
    sender_id: 'bench-sender', segment_ids: [segment], create_channels: true, channel_template: { type: 'messaging' },
    message_template: { text: 'Hi {{ receiver.name }}!' }, skip_webhook: true, max_messages_per_second: limit,
  });
  await api(base, 'POST', `/campaigns/${campaign.id}/start`, {});
  while ((await api(base, 'GET', `/campaigns/${campaign.id}?limit=0`)).campaign.status !== 'completed') await sleep(200);
  const times = await sendTimes(mode, dir, url, campaign.id);
  const span = (times[times.length - 1] - times[0]) / 1000;
  const row: Row = { mode, limit, messages: times.length, seconds: span, rate: times.length / span };
  if (limit !== null) {
    row.busiest10s = busiestWindow(times, 10_000) / (10 * limit);
    // The bucket starts full with half a second of burst: the steady rate is what follows it.
    row.steadyRate = (times.length - limit / 2) / span / limit;
  }
  return row;
}

async function runMode(mode: string, usersFile: string): Promise<Row[]> {
  const port = 3900 + Math.floor(Math.random() * 90);
  const { dir, env, drop } = await benchDatabase(`throttle-${mode}`, mode !== 'sqlite');
  await importUsers(usersFile, env);
  const processes: ChildProcess[] = mode === 'sqlite' ? [herald('all', env, port)] : [herald('api', env, port), herald('worker', env, port), herald('worker', env, port)];
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitHealthy(base);
    await api(base, 'POST', '/users', { users: { 'bench-sender': { id: 'bench-sender', name: 'Bench' } } });
    const ids = await firstIds(usersFile, audience);
    const rows: Row[] = [];
    for (const limit of rates) {
      const segment = `first-${limit}`;
      await api(base, 'POST', '/segments', { id: segment, type: 'user' });
      const size = limit * seconds;
      for (let i = 0; i < size; i += 10_000) await api(base, 'POST', `/segments/${segment}/addtargets`, { target_ids: ids.slice(i, Math.min(size, i + 10_000)) });
      // The same audience unthrottled first: what this machine does without the limit.
      rows.push(await sendOne(base, mode, dir, env.DATABASE_URL, segment, null));
      rows.push(await sendOne(base, mode, dir, env.DATABASE_URL, segment, limit));
      console.log(JSON.stringify(rows.slice(-2)));
    }
    return rows;
  } finally {
    for (const p of processes) p.kill('SIGKILL');
    await drop();
  }
}

mkdirSync(dataRoot, { recursive: true });
if (!existsSync(join(root, 'dist/main/server.js'))) throw new Error('run `npm run build` first (npm run bench:throttle does)');
const usersFile = join(dataRoot, `users-${audience}.ndjson`);
if (!existsSync(usersFile)) await generateUsers(usersFile, audience);
const all: Row[] = [];
for (const mode of modes) all.push(...(await runMode(mode, usersFile)));
const pct = (x: number | undefined) => (x === undefined ? '—' : `${(x * 100).toFixed(1)}%`);
console.log('\n| mode | limit/s | messages | seconds | rate/s | busiest 10 s / limit | steady rate / limit |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const r of all) {
  console.log(`| ${r.mode} | ${r.limit ?? 'none'} | ${r.messages} | ${r.seconds.toFixed(1)} | ${r.rate.toFixed(0)} | ${pct(r.busiest10s)} | ${pct(r.steadyRate)} |`);
}
