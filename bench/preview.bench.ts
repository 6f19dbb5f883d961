import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { openDatabase, refreshStatistics, type Database } from '../src/storage/database.js';
import { api, benchDatabase, dataRoot, herald, importUsers, root, waitHealthy } from './bench-servers.js';
import { generateUsers } from './generate-users.js';

/**
 * The preview benchmark: imports N users with the real CLI, starts a real Herald (`all`, built
 * JS), and times `POST /campaigns/{id}/preview` over HTTP for filter segments of the whole
 * import: a built-in field (`role: user`, 95%) and a custom one (`age >= 18`, every user), with
 * distinct channels (decided in the database) and with a channel id per receiver (rendered in
 * JS). It runs twice: before any distinct channel exists, and after one exists for every user
 * (inserted straight into the database, as a first campaign would have left them). The floor,
 * in the same run on the same database: the bare `count(*)` of each filter, and that count
 * joined to channels through the distinct id (the statement's least work for the channels),
 * memory-mapped as the preview's statement is. Beside each preview a `GET /campaigns/{id}` goes
 * every 50 ms: the slowest of them shows how long the preview kept the API's other requests waiting.
 *
 *   BENCH_SIZE=1000000          users (default 1,000,000)
 *   BENCH_MODES=sqlite,postgres backends (default sqlite)
 *   BENCH_REPEAT=3              previews per case; the table shows the median
 */
const size = Number(process.env.BENCH_SIZE ?? 1_000_000);
const modes = (process.env.BENCH_MODES ?? 'sqlite').split(',').map((m) => m.trim());
const repeat = Number(process.env.BENCH_REPEAT ?? 3);
const SENDER = 'bench-sender';
const TEXT = 'Hi {{ receiver.name }}, {{ receiver.first_name }} from {{ receiver.country }}!';
const FILTERS = { role: { role: 'user' }, age: { age: { $gte: 18 } } } as const;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await fn();
  return { ms: performance.now() - started, value };
}

interface Row {
  mode: string;
  channels: string;
  case: string;
  total: number;
  ms: number;
  floorMs: number;
  /** The slowest `GET /campaigns/{id}` sent every 50 ms beside the previews: what they cost the API's other requests. */
  slowestGetMs: number;
  detail: string;
}

/** `during`, with a GET of `path` every 50 ms beside it; the slowest GET's time. */
async function slowestGetDuring<T>(base: string, path: string, during: () => Promise<T>): Promise<{ value: T; slowestMs: number }> {
  let running = true;
  let slowestMs = 0;
  const poller = (async () => {
    while (running) {
      const started = performance.now();
      await api(base, 'GET', path);
      slowestMs = Math.max(slowestMs, performance.now() - started);
      await sleep(50);
    }
  })();
  let value: T;
  try {
    value = await during();
  } finally {
    running = false;
    // The GET in flight when `during` ends is the one a blocked event loop held longest.
    await poller;
  }
  return { value, slowestMs };
}

/** The floors: the bare count of the filter, and the same joined to channels by distinct id. */
async function floors(database: Database, filter: keyof typeof FILTERS): Promise<{ count: number; join: number }> {
  const where = filter === 'role'
    ? sql`users.role = 'user'`
    : database.caps.name === 'sqlite'
      ? sql`json_type(users.custom, '$.age') in ('integer', 'real') and json_extract(users.custom, '$.age') >= 18`
      : sql`jsonb_typeof(users.custom -> 'age') = 'number' and (users.custom -> 'age') >= '18'::jsonb`;
  const count = await timed(() => sql`select count(*) from users where users.deleted_at is null and ${where}`.execute(database.db));
  const id = database.caps.distinctChannelId(sql`${SENDER}`, sql.ref('users.id'));
  // Mapped, as the preview's statement runs (DialectCaps.mappedRead): the floor on equal terms.
  const join = await timed(() =>
    database.caps.mappedRead(database.db, () =>
      sql`select count(channels.pk) from users left join channels on channels.cid = (cast('messaging:' as text) || ${id})
        where users.deleted_at is null and ${where}`.execute(database.db)));
  return { count: count.ms, join: join.ms };
}

/** A distinct channel (sender, user) for every user, as a first campaign would leave them. */
async function insertDistinctChannels(database: Database): Promise<number> {
  const id = database.caps.distinctChannelId(sql`${SENDER}`, sql.ref('users.id'));
  const now = Date.now() * 1000;
  const { ms } = await timed(() =>
    sql`insert into channels (cid, type, id, created_by_id, member_count, message_count, custom, created_at, updated_at)
      select cast('messaging:' as text) || ${id}, 'messaging', ${id}, ${SENDER}, 2, 1, ${database.caps.name === 'sqlite' ? '{}' : sql`'{}'::jsonb`}, ${now}, ${now}
      from users where users.id <> ${SENDER} on conflict do nothing`.execute(database.db));
  await refreshStatistics(database);
  return ms;
}

async function runMode(mode: string, usersFile: string): Promise<Row[]> {
  const port = 3900 + Math.floor(Math.random() * 90);
  const { dir, env, drop } = await benchDatabase(`preview-${mode}-${size}`, mode === 'postgres');
  await importUsers(usersFile, env);
  const server = herald('all', env, port);
  const base = `http://127.0.0.1:${port}`;
  // The API process's own SQLite page cache (4 MiB in an `all` process), for floors on equal terms.
  const database = openDatabase(mode === 'sqlite' ? { sqliteFile: join(dir, 'herald.db'), sqliteCacheKiB: 4096 } : { databaseUrl: env.DATABASE_URL });
  const rows: Row[] = [];
  try {
    await waitHealthy(base);
    await api(base, 'POST', '/users', { users: { [SENDER]: { id: SENDER, name: 'Bench' } } });
    const campaigns: Array<{ case: string; filter: keyof typeof FILTERS; id: string }> = [];
    for (const filter of Object.keys(FILTERS) as Array<keyof typeof FILTERS>) {
      await api(base, 'POST', '/segments', { id: filter, type: 'user', filter: FILTERS[filter] });
      // As in the send benchmark: the segment exists well before its campaign, sized.
      while (!(await api(base, 'GET', `/segments/${filter}`)).segment.size_computed_at) await sleep(100);
      const common = { sender_id: SENDER, segment_ids: [filter], create_channels: true, message_template: { text: TEXT } };
      const distinct = await api(base, 'POST', '/campaigns', { ...common, channel_template: { type: 'messaging' } });
      campaigns.push({ case: `${filter} segment, distinct channels`, filter, id: distinct.campaign.id });
    }
    const rendered = await api(base, 'POST', '/campaigns', {
      sender_id: SENDER, segment_ids: ['role'], create_channels: true, message_template: { text: TEXT },
      channel_template: { type: 'messaging', id: 'b-{{ receiver.id }}' },
    });
    campaigns.push({ case: 'role segment, channel id per receiver (JS)', filter: 'role', id: rendered.campaign.id });

    for (const channels of ['none yet', 'one per user']) {
      if (channels === 'one per user') console.error(`inserted distinct channels in ${Math.round(await insertDistinctChannels(database))} ms`);
      for (const c of campaigns) {
        const times: number[] = [];
        let answer: Record<string, any> = {};
        let slowestGetMs = 0;
        for (let i = 0; i < repeat; i++) {
          const { value: { ms, value }, slowestMs } = await slowestGetDuring(base, `/campaigns/${c.id}`, () =>
            timed(() => api(base, 'POST', `/campaigns/${c.id}/preview`, { sample: 5 })));
          times.push(ms);
          slowestGetMs = Math.max(slowestGetMs, slowestMs);
          answer = value.preview;
        }
        const floor = await floors(database, c.filter);
        const floorMs = c.case.includes('distinct') && channels !== 'none yet' ? floor.join : floor.count;
        const detail = `channels ${JSON.stringify(answer.channels)}, missing ${answer.missing_variables.map((m: any) => m.targets).join('/')}, runs ${times.map((t) => Math.round(t)).join('/')} ms`;
        rows.push({ mode, channels, case: c.case, total: answer.audience.total, ms: median(times), floorMs, slowestGetMs, detail });
        console.log(JSON.stringify(rows[rows.length - 1]));
      }
    }
  } finally {
    server.kill('SIGTERM');
    await database.close();
    await sleep(500);
    await drop();
  }
  return rows;
}

mkdirSync(dataRoot, { recursive: true });
if (!existsSync(join(root, 'dist/main/server.js'))) throw new Error('run `npm run build` first (npm run bench:preview does)');
const usersFile = join(dataRoot, `users-${size}.ndjson`);
if (!existsSync(usersFile)) await generateUsers(usersFile, size);
const results: Row[] = [];
for (const mode of modes) results.push(...(await runMode(mode, usersFile)));
console.log('\n| backend | distinct channels | case | targets | preview (median) | floor | preview ÷ floor | slowest GET beside it |');
console.log('|---|---|---|---:|---:|---:|---:|---:|');
for (const r of results) {
  console.log(`| ${r.mode} | ${r.channels} | ${r.case} | ${r.total.toLocaleString('en')} | ${Math.round(r.ms).toLocaleString('en')} ms | ${Math.round(r.floorMs).toLocaleString('en')} ms | ${(r.ms / r.floorMs).toFixed(1)}× | ${Math.round(r.slowestGetMs).toLocaleString('en')} ms |`);
}
