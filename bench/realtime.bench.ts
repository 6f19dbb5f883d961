import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { WebSocket } from 'ws';
import { api, cpuSeconds, dataRoot, herald, KEY, percentile, pgAdmin, postgresPids, root, token } from './bench-servers.js';

/**
 * The realtime benchmark (issue 10), against built Herald processes (dist/):
 *  - N concurrent chat connections (raw `ws` clients speaking stream-chat's protocol: the
 *    `/connect` query, the first health.check, a ping every 25 s) to one API process (SQLite,
 *    HERALD_ROLE=all), or split over 2 API processes with 1 worker (PostgreSQL);
 *  - RSS of the API processes before and after the connections, idle (10 s after connecting, and
 *    after BENCH_SETTLE_MS, when the collector has given back what connecting left behind);
 *  - a campaign to those N users, sent RUNS times with no connection and RUNS times with all
 *    of them connected: the send rate (stats_started_at → stats_completed_at) of each;
 *  - every connection must receive exactly one notification.message_new per campaign;
 *  - latency from batch commit to receipt: a reader polls the chat feed every 5 ms and stamps
 *    each send batch's row when it first sees it committed; a receipt is measured against the
 *    row of the batch whose id block holds the message.
 *
 *   BENCH_CONNECTIONS=10000   BENCH_MODES=sqlite,pg   BENCH_RUNS=3   BENCH_SETTLE_MS=40000
 */
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10_000);
const modes = (process.env.BENCH_MODES ?? 'sqlite,pg').split(',').map((m) => m.trim());
const runs = Number(process.env.BENCH_RUNS ?? 3);
// How long a process is left idle before its RSS is read (before and after connecting).
const settleMs = Number(process.env.BENCH_SETTLE_MS ?? 40_000);
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const userId = (i: number) => `rt${String(i).padStart(6, '0')}`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The V8 heap in use and the memory outside it (buffers), from a Herald process's /metrics. */
async function heapMiB(base: string): Promise<{ heap: number; external: number }> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const gauge = (name: string) => Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1] ?? NaN) / 2 ** 20;
  return { heap: gauge('nodejs_heap_size_used_bytes'), external: gauge('nodejs_external_memory_bytes') };
}

const rssMiB = (child: ChildProcess) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

/** The UUID after `key` in a frame. */
function idAfter(data: Buffer, key: string): string | undefined {
  const at = data.indexOf(key);
  return at < 0 ? undefined : data.toString('latin1', at + key.length, at + key.length + 36);
}

/** One chat client, as stream-chat's StableWSConnection speaks to /connect. */
interface Client {
  socket: WebSocket;
  /** campaign id → message ids and receipt times of its notification.message_new events. */
  received: Map<string, Array<{ id: string; at: number }>>;
}

function connect(base: string, i: number): Promise<Client> {
  const id = userId(i);
  const params = new URLSearchParams({
    json: JSON.stringify({ user_id: id, user_details: { id }, client_request_id: `bench-${i}` }),
    api_key: KEY,
    authorization: token({ user_id: id }),
    'stream-auth-type': 'jwt',
  });
  // UTF-8 validation of 56 MB of frames would be this process's work, not Herald's: skipped.
  const socket = new WebSocket(`${base.replace('http', 'ws')}/connect?${params}`, { skipUTF8Validation: true });
  const client: Client = { socket, received: new Map() };
  return new Promise((ok, fail) => {
    socket.once('error', fail);
    // Ten thousand clients share this one process, where real ones would each have a device:
    // frames are read by their leading type and two ids, not decoded and parsed whole, so that
    // this process's own backlog does not pass for Herald's latency.
    socket.on('message', (data: Buffer) => {
      const at = performance.timeOrigin + performance.now();
      const head = data.toString('latin1', 0, 40);
      if (head.startsWith('{"error"')) fail(new Error(String(data)));
      else if (head.startsWith('{"type":"health.check"')) {
        // The client's ping, 25 s after each health check it receives (connection.ts
        // pingInterval): a connection that stays silent for 70 s is closed by Herald.
        setTimeout(() => socket.readyState === WebSocket.OPEN && socket.send('[{"type":"health.check","client_id":"bench"}]'), 25_000);
        ok(client);
      }
      else if (head.startsWith('{"type":"notification.message_new"')) {
        const messageId = idAfter(data, '"message_id":"');
        const campaignId = idAfter(data, '"campaign_id":"');
        if (!messageId || !campaignId) return;
        const list = client.received.get(campaignId) ?? [];
        list.push({ id: messageId, at });
        client.received.set(campaignId, list);
      }
    });
  });
}

/** Stamps each committed send batch's feed row when it is first seen: the commit time, ±5 ms. */
class FeedWatcher {
  readonly batches: Array<{ first: string; last: string; seenAt: number }> = [];
  private last = 0;
  private readonly seen = new Set<number>();
  private running = true;
  private done: Promise<void>;

  constructor(private readonly read: (after: number) => Promise<Array<{ seq: number; body: string }>>) {
    this.done = this.loop();
  }

  private async loop(): Promise<void> {
    while (this.running) {
      // On PostgreSQL a seq can commit after a later one: the last 100 are read again.
      for (const row of await this.read(Math.max(0, this.last - 100))) {
        const seenAt = performance.timeOrigin + performance.now();
        if (this.seen.has(Number(row.seq))) continue;
        this.seen.add(Number(row.seq));
        this.last = Math.max(this.last, Number(row.seq));
        const entry = JSON.parse(row.body) as { kind: string; first_message_id: string; last_message_id: string };
        if (entry.kind === 'campaign_batch') this.batches.push({ first: entry.first_message_id, last: entry.last_message_id, seenAt });
      }
      await sleep(5);
    }
  }

  batchOf(messageId: string): { first: string; last: string; seenAt: number } | undefined {
    return this.batches.find((b) => b.first <= messageId && messageId <= b.last);
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.done;
  }
}

async function sendCampaign(base: string, run: string, users: number): Promise<{ id: string; rate: number }> {
  const { campaign } = await api(base, 'POST', '/campaigns', {
    sender_id: 'bench-sender',
    user_ids: Array.from({ length: users }, (_, i) => userId(i)),
    create_channels: true,
    channel_template: { type: 'messaging', id: `${run}-{{ receiver.id }}` },
    message_template: { text: 'Hi {{ receiver.name }}, news from {{ sender.name }}!' },
  });
  await api(base, 'POST', `/campaigns/${campaign.id}/start`, {});
  for (;;) {
    const { campaign: c } = await api(base, 'GET', `/campaigns/${campaign.id}?limit=1`);
    if (c.status === 'completed') {
      const seconds = (Date.parse(c.stats.stats_completed_at) - Date.parse(c.stats.stats_started_at)) / 1000;
      return { id: campaign.id, rate: c.stats.stats_messages_sent / seconds };
    }
    // The send rate comes from the campaign's own stats, so polling can be unhurried.
    await sleep(100);
  }
}

interface Result {
  mode: string;
  connections: number;
  /** RSS per 1,000 idle connections, 10 s after connecting and once settled. */
  rssPer1000: { early: number; settled: number };
  idleRssMiB: number;
  rateWithout: number;
  rateWith: number;
  p50: number;
  p99: number;
  exactlyOnce: boolean;
  /** CPU seconds of each part of the machine over the sends with connections (and their waits). */
  cpu: Record<string, number>;
}

async function runMode(mode: string): Promise<Result> {
  const dir = join(dataRoot, `realtime-${mode}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const admin = new pg.Client({ connectionString: pgAdmin });
  const dbName = `herald_bench_realtime`;
  let env: NodeJS.ProcessEnv = { HERALD_DATA_DIR: dir, DATABASE_URL: '' };
  if (mode === 'pg') {
    await admin.connect();
    await admin.query(`drop database if exists ${dbName} with (force)`);
    await admin.query(`create database ${dbName}`);
    const url = new URL(pgAdmin);
    url.pathname = `/${dbName}`;
    env = { ...env, DATABASE_URL: url.toString() };
  }
  const ports = mode === 'pg' ? [3990, 3991] : [3990];
  const apis = ports.map((port) => herald(mode === 'pg' ? 'api' : 'all', env, port));
  const processes = [...apis, ...(mode === 'pg' ? [herald('worker', env, 3999)] : [])];
  const bases = ports.map((port) => `http://127.0.0.1:${port}`);
  const clients: Client[] = [];
  try {
    for (const base of bases) {
      for (let i = 0; i < 200 && !(await fetch(`${base}/healthz`).then((r) => r.ok, () => false)); i++) await sleep(100);
    }
    await api(bases[0], 'POST', '/users', { users: { 'bench-sender': { id: 'bench-sender', name: 'Bench' } } });
    for (let i = 0; i < connections; i += 100) {
      const users = Array.from({ length: Math.min(100, connections - i) }, (_, k) => ({ id: userId(i + k), name: `User ${i + k}` }));
      await api(bases[0], 'POST', '/users', { users: Object.fromEntries(users.map((u) => [u.id, u])) });
    }

    const without: number[] = [];
    for (let r = 0; r < runs; r++) without.push((await sendCampaign(bases[0], `none${r}`, connections)).rate);

    // V8's memory reducer gives back what a burst of work left behind in up to three collections
    // 8 s apart once the process goes quiet: the baseline waits for it as the idle reading does.
    await sleep(settleMs);
    const before = apis.map(rssMiB);
    const heapBefore = process.env.BENCH_VERBOSE ? await Promise.all(bases.map(heapMiB)) : [];
    for (let i = 0; i < connections; i += 250) {
      const slice = Array.from({ length: Math.min(250, connections - i) }, (_, k) => i + k);
      clients.push(...(await Promise.all(slice.map((n) => connect(bases[n % bases.length], n)))));
    }
    const perThousand = (now: number[]) => (sum(now) - sum(before)) / (connections / 1000);
    // Idle: read 10 s after connecting, while connecting's garbage is still held, and again
    // once the collector has settled.
    let early = 0;
    for (let idle = 5_000; idle <= settleMs; idle += 5_000) {
      await sleep(5_000);
      if (idle === 10_000) early = perThousand(apis.map(rssMiB));
      if (process.env.BENCH_VERBOSE) console.log(`  idle ${idle / 1000} s: RSS ${apis.map((a) => rssMiB(a).toFixed(0)).join(' + ')} MiB`);
    }
    const after = apis.map(rssMiB);
    if (process.env.BENCH_VERBOSE) {
      const heapAfter = await Promise.all(bases.map(heapMiB));
      bases.forEach((base, i) =>
        console.log(`  ${base}: RSS ${before[i].toFixed(0)} → ${after[i].toFixed(0)} MiB, heap used ${heapBefore[i].heap.toFixed(0)} → ${heapAfter[i].heap.toFixed(0)} MiB, external ${heapBefore[i].external.toFixed(0)} → ${heapAfter[i].external.toFixed(0)} MiB`),
      );
    }
    const idleRssMiB = sum(after);
    const rssPer1000 = { early, settled: perThousand(after) };

    const reader =
      mode === 'pg'
        ? await (async () => {
            const client = new pg.Client({ connectionString: env.DATABASE_URL });
            await client.connect();
            return {
              read: async (after: number) => (await client.query('select seq, body from chat_feed where seq > $1 order by seq', [after])).rows,
              close: () => client.end(),
            };
          })()
        : (() => {
            const db = new SqliteDatabase(join(dir, 'herald.db'), { readonly: true });
            const statement = db.prepare('select seq, body from chat_feed where seq > ? order by seq');
            return { read: async (after: number) => statement.all(after) as Array<{ seq: number; body: string }>, close: () => db.close() };
          })();
    const watcher = new FeedWatcher(reader.read);
    // CPU seconds over the sends with connections, per part of the machine: where the time goes.
    // The server processes as the sends begin: the pools' backends are open by then.
    const pgPids = mode === 'pg' ? postgresPids() : [];
    const parts = {
      api: () => cpuSeconds(apis.map((p) => p.pid!)),
      worker: () => cpuSeconds(processes.slice(apis.length).map((p) => p.pid!)),
      postgres: () => cpuSeconds(pgPids),
      bench: () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; },
    };
    const cpuBefore = Object.fromEntries(Object.entries(parts).map(([k, f]) => [k, f()]));
    const withConnections: number[] = [];
    const latencies: number[] = [];
    let exactlyOnce = true;
    for (let r = 0; r < runs; r++) {
      const { id, rate } = await sendCampaign(bases[0], `live${r}`, connections);
      withConnections.push(rate);
      // Every connection must get its message; then a second for anything sent twice.
      for (let waited = 0; waited < 30_000 && clients.some((c) => !c.received.get(id)?.length); waited += 50) await sleep(50);
      await sleep(1000);
      const byBatch = new Map<number, number[]>();
      let missing = 0;
      let twice = 0;
      for (const c of clients) {
        const got = c.received.get(id) ?? [];
        if (got.length === 0) missing++;
        if (got.length > 1) twice++;
        if (got.length !== 1) exactlyOnce = false;
        for (const { id: messageId, at } of got) {
          const batch = watcher.batchOf(messageId);
          if (!batch) continue;
          latencies.push(at - batch.seenAt);
          byBatch.set(batch.seenAt, [...(byBatch.get(batch.seenAt) ?? []), at - batch.seenAt]);
        }
      }
      if (missing + twice > 0) console.log(`  run ${r}: ${missing} connections got no message, ${twice} got more than one`);
      if (process.env.BENCH_VERBOSE) {
        const t0 = Math.min(...byBatch.keys());
        for (const [seenAt, ls] of [...byBatch].sort((a, b) => a[0] - b[0])) {
          console.log(`  batch committed +${Math.round(seenAt - t0)} ms: ${ls.length} receipts after ${Math.round(Math.min(...ls))}–${Math.round(Math.max(...ls))} ms`);
        }
      }
    }
    const cpu = Object.fromEntries(Object.entries(parts).map(([k, f]) => [k, Number((f() - cpuBefore[k]).toFixed(2))]));
    await watcher.stop();
    await reader.close();
    latencies.sort((a, b) => a - b);
    return {
      mode,
      connections,
      rssPer1000,
      idleRssMiB,
      rateWithout: median(without),
      rateWith: median(withConnections),
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      exactlyOnce,
      cpu,
    };
  } finally {
    for (const c of clients) c.socket.terminate();
    for (const p of processes) p.kill('SIGTERM');
    await sleep(1000);
    for (const p of processes) if (p.exitCode === null) p.kill('SIGKILL');
    if (mode === 'pg') {
      // BENCH_KEEP_DB=1 keeps the database for a look at its plans afterwards.
      if (!process.env.BENCH_KEEP_DB) await admin.query(`drop database if exists ${dbName} with (force)`).catch(() => {});
      await admin.end();
    }
  }
}

mkdirSync(dataRoot, { recursive: true });
if (!existsSync(join(root, 'dist/main/server.js'))) throw new Error('run `npm run build` first (npm run bench:realtime does)');
const results: Result[] = [];
for (const mode of modes) {
  const r = await runMode(mode);
  results.push(r);
  console.log(JSON.stringify(r));
}
console.log('\n| mode | connections | RSS per 1,000 idle: 10 s / settled | API RSS, idle | send/s, none connected | send/s, all connected | ratio | commit→receipt p50 | p99 | exactly once |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---|');
for (const r of results) {
  console.log(
    `| ${r.mode === 'pg' ? 'PostgreSQL, 2 api + 1 worker' : 'SQLite, one process'} | ${r.connections.toLocaleString('en')} | ${r.rssPer1000.early.toFixed(1)} / ${r.rssPer1000.settled.toFixed(1)} MiB | ${Math.round(r.idleRssMiB)} MiB | ${Math.round(r.rateWithout).toLocaleString('en')} | ${Math.round(r.rateWith).toLocaleString('en')} | ${((100 * r.rateWith) / r.rateWithout).toFixed(0)}% | ${Math.round(r.p50)} ms | ${Math.round(r.p99)} ms | ${r.exactlyOnce ? 'yes' : 'NO'} |`,
  );
}
