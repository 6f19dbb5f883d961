import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { generateUsers } from './generate-users.js';

/**
 * Bulk import benchmark (issue 2): runs the real `herald import users` CLI, as a child
 * process, on a generated NDJSON file, and prints one markdown row per backend.
 *
 *   BENCH_USERS=1000000            users in the file (default 1,000,000)
 *   BENCH_BACKENDS=sqlite,postgres which databases (default sqlite)
 *   BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres
 *                                  server where a fresh database is created and dropped
 */
const users = Number(process.env.BENCH_USERS ?? 1_000_000);
const backends = (process.env.BENCH_BACKENDS ?? 'sqlite').split(',').map((b) => b.trim());
const postgresAdminUrl = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const root = resolve(import.meta.dirname, '..');
const dataRoot = join(root, '.bench-data');

interface Run {
  backend: string;
  seconds: number;
  peakRssMiB: number;
  rows: number;
  summary: string;
}

async function runCli(file: string, env: NodeJS.ProcessEnv, backend: string): Promise<Omit<Run, 'rows'>> {
  const rssFile = join(dataRoot, `peak-rss-${randomUUID()}`);
  const args = ['--import', 'tsx', '--import', './bench/peak-rss.ts', 'src/cli/herald.ts', 'import', 'users', file];
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...env, BENCH_PEAK_RSS_FILE: rssFile },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let summary = '';
  child.stdout.on('data', (chunk) => (summary += chunk));
  const code = await new Promise<number | null>((done) => child.on('close', done));
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0) throw new Error(`herald import users exited ${code}`);
  const peakRssMiB = Number(readFileSync(rssFile, 'utf8')) / 1024;
  rmSync(rssFile);
  return { backend, seconds, peakRssMiB, summary: summary.trim() };
}

async function benchSqlite(file: string): Promise<Run> {
  const dataDir = join(dataRoot, 'sqlite');
  rmSync(dataDir, { recursive: true, force: true });
  const env: NodeJS.ProcessEnv = { ...process.env, HERALD_DATA_DIR: dataDir };
  delete env.DATABASE_URL;
  const run = await runCli(file, env, 'SQLite');
  const db = new SqliteDatabase(join(dataDir, 'herald.db'), { readonly: true });
  const rows = (db.prepare('select count(*) as n from users').get() as { n: number }).n;
  db.close();
  return { ...run, rows };
}

async function benchPostgres(file: string): Promise<Run> {
  const name = `herald_bench_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const admin = new pg.Client({ connectionString: postgresAdminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  try {
    const url = new URL(postgresAdminUrl);
    url.pathname = `/${name}`;
    const run = await runCli(file, { ...process.env, DATABASE_URL: url.toString() }, 'PostgreSQL');
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    const rows = Number((await client.query('select count(*) as n from users')).rows[0].n);
    await client.end();
    return { ...run, rows };
  } finally {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

async function main(): Promise<void> {
  mkdirSync(dataRoot, { recursive: true });
  const file = join(dataRoot, `users-${users}.ndjson`);
  if (!existsSync(file)) {
    const started = performance.now();
    await generateUsers(file, users);
    console.error(`generated ${file} in ${((performance.now() - started) / 1000).toFixed(1)}s`);
  }
  const fileMiB = statSync(file).size / 1024 / 1024;
  const runs: Run[] = [];
  for (const backend of backends) {
    if (backend === 'sqlite') runs.push(await benchSqlite(file));
    else if (backend === 'postgres') runs.push(await benchPostgres(file));
    else throw new Error(`unknown backend ${backend}: use sqlite or postgres`);
  }
  console.log('| Backend | Users | File | Wall time | Users/s | Peak RSS | Rows after |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const r of runs) {
    const rate = Math.round(users / r.seconds).toLocaleString('en-US');
    console.log(
      `| ${r.backend} | ${users.toLocaleString('en-US')} | ${fileMiB.toFixed(0)} MiB | ${r.seconds.toFixed(1)} s | ${rate} | ${r.peakRssMiB.toFixed(0)} MiB | ${r.rows.toLocaleString('en-US')} |`,
    );
  }
  for (const r of runs) console.error(`${r.backend}: ${r.summary}`);
}

await main();
