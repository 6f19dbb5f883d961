import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { join, resolve } from 'node:path';

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
    stdio: ['ignore', 'ignore', 'inherit'],
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
