import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import SqliteDatabase from 'better-sqlite3';
import { migrateToLatest, openDatabase } from '../src/storage/database.js';
import { api, benchDatabase, cpuSeconds, dataRoot, herald, importUsers, percentile, postgresPids, root, waitHealthy } from './bench-servers.js';
import { generateUsers } from './generate-users.js';
import { postgresFloor, sqliteFloor } from './send-floor.js';

/**
 * The send benchmark (issue 4): imports N users with the real CLI, creates a filter segment
 * over them and a campaign through the HTTP API of real Herald processes (built JS), starts
 * it and polls GET /campaigns/{id} until it completes. Reports end-to-end targets/s, time to
 * the first message, peak RSS of the Herald processes, GET latency during the send, the time
 * of a GET /metrics scrape during the send (a scrape every 50 ms beside the polls), and the
 * floor (bench/send-floor.ts) measured in the same run.
 *
 *   BENCH_SIZES=100000,1000000   audience sizes
 *   BENCH_MODES=sqlite,pg1,pg2   SQLite (one process), PostgreSQL with 1 or 2 worker processes
 *   BENCH_NODE_ARGS=…            node flags for the Herald processes (profiling)
 *   BENCH_WEBHOOK=on|skip        point webhook_url at a loopback receiver in this process; `on`
 *                                sends campaigns with skip_webhook false, `skip` with true
 *   BENCH_SCRAPE=off             no GET /metrics scrapes during the send (to see what they cost it)
 */
const sizes = (process.env.BENCH_SIZES ?? '100000,1000000').split(',').map(Number);
const modes = (process.env.BENCH_MODES ?? 'sqlite,pg1,pg2').split(',').map((m) => m.trim());

const peakRssMiB = (child: ChildProcess) => {
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
};

const webhookMode = process.env.BENCH_WEBHOOK ?? 'off';

/** A loopback receiver that answers 200 and counts message.new events and their arrival. */
async function startReceiver() {
  const { createServer } = await import('node:http');
  const seen = { messages: 0, events: 0, lastAt: 0 };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      seen.events++;
      if (Buffer.concat(chunks).includes('"type":"message.new"')) seen.messages++;
      seen.lastAt = Date.now();
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}/hook`, seen, close: () => server.close() };
}

interface Result {
  mode: string;
  webhooks: string;
  /** message.new deliveries per second, from start to the last one (webhooks on). */
  deliveredRate?: number;
  size: number;
  seconds: number;
  rate: number;
  firstMessageMs: number;
  rssMiB: number;
  p50: number;
  p99: number;
  /** GET /metrics during the send: scrapes, and their p50 and p99 in ms. */
  scrapes: number;
  metricsP50: number;
  metricsP99: number;
  floor: number;
  /** CPU seconds of every Herald process and PostgreSQL backend per 1,000 targets. */
  cpuPer1000: number;
  /** Share of pg_stat_activity samples of Herald's active backends that waited on a lock. */
  lockWaitShare?: number;
  /** CPU seconds per 1,000 targets of the API process, the worker processes and PostgreSQL. */
  cpuPer1000ByPart: Record<string, number>;
}

// A scrape every 50 ms: Prometheus scrapes every 15 s, but a 100k send lasts a few seconds and
// p99 wants a hundred samples or so.
const SCRAPE_EVERY_MS = 50;

/** Times GET /metrics (the database gauges included) until stopped; returns the times in ms. */
function timeScrapes(base: string) {
  const times: number[] = [];
  let running = true;
  const done = (async () => {
    while (running) {
      const t = performance.now();
      const response = await fetch(`${base}/metrics`);
      await response.text();
      if (!response.ok) throw new Error(`GET /metrics: ${response.status}`);
      times.push(performance.now() - t);
      await sleep(SCRAPE_EVERY_MS);
    }
  })();
  return async () => {
    running = false;
    await done;
    return times.sort((a, b) => a - b);
  };
}

/** Samples Herald's active backends every 50 ms; reports the share that waited on a lock. */
function sampleLockWaits(url: string) {
  const client = new pg.Client({ connectionString: url });
  let samples = 0;
  let waiting = 0;
  let running = true;
  const done = (async () => {
    await client.connect();
    while (running) {
      const rows = await client.query(`select wait_event_type from pg_stat_activity where application_name = 'herald' and state = 'active'`);
      samples += rows.rows.length;
      waiting += rows.rows.filter((r) => r.wait_event_type === 'Lock').length;
      await sleep(50);
    }
    await client.end();
  })();
  return async () => {
    running = false;
    await done;
    return samples === 0 ? 0 : waiting / samples;
  };
}

async function runMode(mode: string, size: number, usersFile: string): Promise<Result> {
  const port = 3900 + Math.floor(Math.random() * 90);
  const { dir, env, drop } = await benchDatabase(`send-${mode}-${size}`, mode !== 'sqlite');
  await importUsers(usersFile, env);
  const workers = mode === 'pg2' ? 2 : 1;
  const processes = mode === 'sqlite' ? [herald('all', env, port)] : [herald('api', env, port), ...Array.from({ length: workers }, () => herald('worker', env, port))];
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitHealthy(base);
    await api(base, 'POST', '/users', { users: { 'bench-sender': { id: 'bench-sender', name: 'Bench' } } });
    const receiver = webhookMode === 'off' ? undefined : await startReceiver();
    if (receiver) await api(base, 'PATCH', '/app', { webhook_url: receiver.url });
    await api(base, 'POST', '/segments', { id: 'everyone', type: 'user', filter: { role: 'user' } });
    // A segment is usually made well before its campaign: let its size be computed first.
    while (!(await api(base, 'GET', '/segments/everyone')).segment.size_computed_at) await sleep(100);
    const { campaign } = await api(base, 'POST', '/campaigns', {
      sender_id: 'bench-sender', segment_ids: ['everyone'], create_channels: true,
      channel_template: { type: 'messaging', id: 'b-{{ receiver.id }}' },
      message_template: { text: 'Hi {{ receiver.name }}, news from {{ sender.name }}!' },
      skip_webhook: webhookMode !== 'on',
    });
    // CPU seconds by part of the machine: the API process, the worker processes, PostgreSQL.
    const parts = { api: [processes[0].pid!], workers: processes.slice(1).map((p) => p.pid!), postgres: mode === 'sqlite' ? [] : postgresPids() };
    const cpuBefore = Object.fromEntries(Object.entries(parts).map(([k, pids]) => [k, cpuSeconds(pids)]));
    const lockWaits = mode === 'sqlite' ? undefined : sampleLockWaits(env.DATABASE_URL!);
    const startedAt = Date.now();
    await api(base, 'POST', `/campaigns/${campaign.id}/start`, {});
    const scrapes = process.env.BENCH_SCRAPE === 'off' ? async () => [] : timeScrapes(base);
    const latencies: number[] = [];
    let done: Record<string, any> | undefined;
    while (!done) {
      const t = performance.now();
      const got = await api(base, 'GET', `/campaigns/${campaign.id}?limit=10`);
      latencies.push(performance.now() - t);
      if (got.campaign.status === 'completed') done = got.campaign;
      else await sleep(25);
    }
    const cpuByPart = Object.fromEntries(Object.entries(parts).map(([k, pids]) => [k, cpuSeconds(pids) - cpuBefore[k]]));
    const cpu = Object.values(cpuByPart).reduce((a, b) => a + b, 0);
    const scrapeTimes = await scrapes();
    const lockWaitShare = await lockWaits?.();
    const seconds = (Date.parse(done.stats.stats_completed_at) - startedAt) / 1000;
    const targets = done.stats.stats_messages_sent as number;
    const rssMiB = Math.max(...processes.map(peakRssMiB));
    const firstMessageMs = await firstMessage(mode, dir, env.DATABASE_URL, campaign.id, startedAt);
    latencies.sort((a, b) => a - b);
    let deliveredRate: number | undefined;
    if (receiver && webhookMode === 'on') {
      // Every message.new must arrive; the rate is over the whole time from the start.
      while (receiver.seen.messages < targets) await sleep(200);
      deliveredRate = targets / ((receiver.seen.lastAt - startedAt) / 1000);
    }
    receiver?.close();
    for (const p of processes) p.kill('SIGTERM');
    const floor = await runFloor(mode, size, dir, env.DATABASE_URL, workers);
    return {
      mode, webhooks: webhookMode, deliveredRate, size, seconds, rate: targets / seconds, firstMessageMs, rssMiB,
      p50: percentile(latencies, 50), p99: percentile(latencies, 99), floor, cpuPer1000: cpu / (targets / 1000), lockWaitShare,
      cpuPer1000ByPart: Object.fromEntries(Object.entries(cpuByPart).map(([k, s]) => [k, Number((s / (targets / 1000)).toFixed(4))])),
      scrapes: scrapeTimes.length, metricsP50: percentile(scrapeTimes, 50), metricsP99: percentile(scrapeTimes, 99),
    };
  } finally {
    for (const p of processes) if (p.exitCode === null) p.kill('SIGKILL');
    await drop();
  }
}

async function firstMessage(mode: string, dir: string, url: string | undefined, campaignId: string, startedAt: number): Promise<number> {
  const query = 'select min(created_at) as first from messages where campaign_id = $1';
  if (mode === 'sqlite') {
    const db = new SqliteDatabase(join(dir, 'herald.db'), { readonly: true });
    const row = db.prepare(query.replace('$1', '?')).get(campaignId) as { first: number };
    db.close();
    return row.first / 1000 - startedAt;
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const row = await client.query(query, [campaignId]);
  await client.end();
  return Number(row.rows[0].first) / 1000 - startedAt;
}

/** The floor on a fresh, migrated database of the same dialect, with the same indexes. */
async function runFloor(mode: string, size: number, dir: string, url: string | undefined, loops: number): Promise<number> {
  if (mode === 'sqlite') {
    const file = join(dir, 'floor.db');
    const database = openDatabase({ sqliteFile: file });
    await migrateToLatest(database);
    await database.close();
    return sqliteFloor(file, size);
  }
  const database = openDatabase({ databaseUrl: url });
  await migrateToLatest(database);
  await database.db.deleteFrom('messages').execute();
  await database.db.deleteFrom('channel_members').execute();
  await database.db.deleteFrom('channels').execute();
  await database.db.deleteFrom('campaign_targets').execute();
  await database.close();
  return postgresFloor(url!, size, loops);
}

mkdirSync(dataRoot, { recursive: true });
if (!existsSync(join(root, 'dist/main/server.js'))) throw new Error('run `npm run build` first (npm run bench:send does)');
const results: Result[] = [];
for (const size of sizes) {
  const usersFile = join(dataRoot, `users-${size}.ndjson`);
  if (!existsSync(usersFile)) await generateUsers(usersFile, size);
  for (const mode of modes) {
    const r = await runMode(mode, size, usersFile);
    results.push(r);
    console.log(JSON.stringify(r));
  }
}
console.log('\n| mode | webhooks | targets | seconds | targets/s | floor targets/s | % of floor | first message | peak RSS | GET p50 | GET p99 | message.new delivered/s | CPU s per 1,000 | lock waits |');
console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of results) {
  console.log(`| ${r.mode} | ${r.webhooks} | ${r.size.toLocaleString('en')} | ${r.seconds.toFixed(1)} | ${Math.round(r.rate).toLocaleString('en')} | ${Math.round(r.floor).toLocaleString('en')} | ${((100 * r.rate) / r.floor).toFixed(0)}% | ${Math.round(r.firstMessageMs)} ms | ${Math.round(r.rssMiB)} MiB | ${r.p50.toFixed(1)} ms | ${r.p99.toFixed(1)} ms | ${r.deliveredRate ? Math.round(r.deliveredRate).toLocaleString('en') : '–'} | ${r.cpuPer1000.toFixed(3)} | ${r.lockWaitShare === undefined ? '–' : `${(100 * r.lockWaitShare).toFixed(1)}%`} |`);
}
console.log('\n| mode | webhooks | targets | GET /metrics scrapes during the send | scrape p50 | scrape p99 |');
console.log('|---|---|---:|---:|---:|---:|');
for (const r of results) {
  if (r.scrapes > 0) console.log(`| ${r.mode} | ${r.webhooks} | ${r.size.toLocaleString('en')} | ${r.scrapes} | ${r.metricsP50.toFixed(1)} ms | ${r.metricsP99.toFixed(1)} ms |`);
}
