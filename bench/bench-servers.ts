import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';

/** What the benchmarks share: built Herald processes, their credentials and their API. */
export const root = resolve(import.meta.dirname, '..');
export const dataRoot = join(root, '.bench-data');
export const pgAdmin = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const KEY = 'bench-key';
const SECRET = 'bench-secret';

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

/** An HS256 token of the benchmark app: `{server: true}` or `{user_id}`. */
export function token(payload: object): string {
  const head = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(payload)}`;
  return `${head}.${createHmac('sha256', SECRET).update(head).digest('base64url')}`;
}
const serverToken = token({ server: true });

// The node flags of `npm start` (package.json): the API thread's young generation capped at
// 4 MiB semi-spaces keeps ~35 MiB off the peak RSS of a send.
const START_FLAGS = ['--max-semi-space-size=4'];

/** A built Herald process (dist/main/server.js) in `role`, started as `npm start` starts it. */
export function herald(role: string, env: NodeJS.ProcessEnv, port: number): ChildProcess {
  // BENCH_NODE_ARGS adds node flags to the Herald processes, e.g. "--cpu-prof --cpu-prof-dir=prof".
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  return spawn(process.execPath, [...START_FLAGS, ...nodeArgs, 'dist/main/server.js'], {
    cwd: root,
    env: { ...process.env, ...env, HERALD_ROLE: role, PORT: String(port), LOG_LEVEL: 'warn', HERALD_API_KEY: KEY, HERALD_API_SECRET: SECRET },
    // Warnings and errors (LOG_LEVEL=warn) reach the benchmark's output.
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

/** A call to Herald's REST API with the server token; throws on an error status. */
export async function api(base: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${base}${path}${path.includes('?') ? '&' : '?'}api_key=${KEY}`, {
    method,
    headers: { Authorization: serverToken, 'stream-auth-type': 'jwt', 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await response.json()) as Record<string, any>;
  if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

export const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

/** A child process to its end; rejects on a non-zero exit. */
export function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, okCodes: readonly number[] = [0]): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('exit', (code) => (okCodes.includes(code ?? -1) ? resolvePromise() : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}`))));
  });
}

/** Imports an NDJSON users file with the built CLI, as an operator would (3: some lines skipped). */
export const importUsers = (usersFile: string, env: NodeJS.ProcessEnv): Promise<void> =>
  run(process.execPath, ['dist/cli/herald.js', 'import', 'users', usersFile], env, [0, 3]);

/**
 * A fresh data directory under .bench-data and, when `postgres`, a fresh database of the same
 * name: the environment a Herald process needs for it, and how to drop it afterwards.
 */
export async function benchDatabase(name: string, postgres: boolean): Promise<{ dir: string; env: NodeJS.ProcessEnv; drop(): Promise<void> }> {
  const dir = join(dataRoot, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  if (!postgres) return { dir, env: { HERALD_DATA_DIR: dir, DATABASE_URL: '' }, drop: async () => {} };
  const dbName = `herald_bench_${name.replace(/\W/g, '_')}`;
  const admin = new pg.Client({ connectionString: pgAdmin });
  await admin.connect();
  await admin.query(`drop database if exists ${dbName} with (force)`);
  await admin.query(`create database ${dbName}`);
  const url = new URL(pgAdmin);
  url.pathname = `/${dbName}`;
  return {
    dir,
    env: { HERALD_DATA_DIR: dir, DATABASE_URL: url.toString() },
    async drop() {
      await admin.query(`drop database if exists ${dbName} with (force)`).catch(() => {});
      await admin.end();
    },
  };
}

/** Waits up to 10 s for a started Herald to answer /healthz. */
export async function waitHealthy(base: string): Promise<void> {
  for (let i = 0; i < 100 && !(await fetch(`${base}/healthz`).then((r) => r.ok, () => false)); i++) await sleep(100);
}

// /proc/<pid>/stat counts CPU in clock ticks of 1/100 s (getconf CLK_TCK).
const TICKS_PER_SECOND = 100;

/** User plus system CPU seconds of the processes, all their threads included. */
export function cpuSeconds(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // gone
    }
  }
  return ticks / TICKS_PER_SECOND;
}

/** Every PostgreSQL server process of this machine (the bench's database is the only busy one). */
export function postgresPids(): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        return readFileSync(`/proc/${d}/comm`, 'utf8').trim() === 'postgres';
      } catch {
        return false;
      }
    })
    .map(Number);
}
