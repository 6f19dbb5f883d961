import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { TEST_API_KEY, TEST_API_SECRET } from './herald-server.js';
import { runLogFile } from './test-logs.js';
import { waitFor } from './waiting.js';

/** A Herald server process started as `npm start` would (src/main/server.ts), on its own port. */
export interface HeraldProcess {
  baseURL: string;
  child: ChildProcess;
  /** SIGTERM and wait for the exit (a graceful shutdown). */
  stop(): Promise<void>;
}

export interface ProcessOptions {
  role: 'all' | 'api' | 'worker';
  /** PostgreSQL; without it, SQLite in `dataDir`. */
  databaseUrl?: string;
  dataDir?: string;
  env?: Record<string, string>;
  /** Collects the process's output (its log lines) instead of dropping it. */
  output?: string[];
}

/** A port nobody listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

export async function spawnHerald(options: ProcessOptions): Promise<HeraldProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main/server.ts'], {
    env: {
      ...process.env,
      HERALD_ROLE: options.role,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: options.databaseUrl ?? '',
      // Never the repository's ./data: a process without a dir of its own gets the OS temp dir.
      HERALD_DATA_DIR: options.dataDir ?? tmpdir(),
      HERALD_API_KEY: TEST_API_KEY,
      HERALD_API_SECRET: TEST_API_SECRET,
      LOG_LEVEL: process.env.HERALD_TEST_LOG_LEVEL ?? 'debug',
      STREAM_LOCAL_TEST_RUN: '',
      STREAM_LOCAL_TEST_HOST: '',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Its log lines go to the run's log files (test-logs.ts), and to `output` when asked.
  const file = createWriteStream(runLogFile(`process-${port}`), { flags: 'a' });
  for (const stream of [child.stdout!, child.stderr!]) {
    stream.on('data', (chunk: Buffer) => {
      file.write(chunk);
      options.output?.push(chunk.toString());
      // What a process says on stderr (a crash) still shows in the test's output.
      if (stream === child.stderr && !options.output) process.stderr.write(chunk);
    });
  }
  child.once('exit', () => file.end());
  const baseURL = `http://127.0.0.1:${port}`;
  const exited = once(child, 'exit');
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    await exited;
  };
  if (options.role !== 'worker') {
    try {
      await waitFor(`Herald (${options.role}) on ${baseURL}`, async () => {
        if (child.exitCode !== null) throw new Error(`Herald exited with code ${child.exitCode}`);
        return fetch(`${baseURL}/healthz`).then((r) => r.ok, () => false);
      }, 60_000);
    } catch (error) {
      await stop();
      throw error;
    }
  }
  return { baseURL, child, stop };
}
