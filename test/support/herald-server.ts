import { DEFAULT_RATE_LIMITS } from '../../src/config/config.js';
import type { RateLimits } from '../../src/http/plugins/rate-limits.js';
import type { FastifyInstance } from 'fastify';
import { StreamClient } from '@stream-io/node-sdk';
import { testLogger } from './test-logs.js';
import { StreamChat } from 'stream-chat';
import { composeHerald, type Herald } from '../../src/main/compose.js';
import { withLongReadThread } from '../../src/main/long-reads.js';
import { startWorkers, type LoopName } from '../../src/main/workers.js';
import type { SenderOptions } from '../../src/sender/sender.js';
import type { Clock } from '../../src/domain/clock.js';
import type { CustomDataLimits } from '../../src/domain/custom-data.js';
import type { Database } from '../../src/storage/database.js';
import type { CreatedDatabase, TestBackend } from './backends.js';

export const TEST_API_KEY = 'herald-test-key';
export const TEST_API_SECRET = 'herald-test-secret-0123456789abcdef';

export interface RunningHerald {
  baseURL: string;
  app: FastifyInstance;
  herald: Herald;
  database: Database;
  /** The PostgreSQL URL of the test database; absent on SQLite. */
  databaseUrl?: string;
  /** The legacy-path SDK (stream-chat v9), server-side. */
  chat: StreamChat;
  /** The /api/v2 SDK (@stream-io/node-sdk). */
  node: StreamClient;
  created: CreatedDatabase;
  /** Stops the server; the database is dropped unless keepDatabase (for a restart). */
  close(keepDatabase?: boolean): Promise<void>;
}

/** A real Herald HTTP server on a loopback port, on a fresh database of the given backend. */
export interface StartOptions {
  /** A clock the test can move (scheduled_for, stop_at). */
  clock?: Clock;
  /** The background loops to run; all by default. */
  loops?: readonly LoopName[];
  sender?: Partial<SenderOptions>;
  webhooks?: { retryWindowMs?: number; attemptTimeoutMs?: number; maxRetryDelayMs?: number };
  customData?: CustomDataLimits;
  corsOrigins?: string[];
  /** The port to listen on (a restart on the same address); a free one by default. */
  port?: number;
  allowDevTokens?: boolean;
  /** Serve GET /metrics (a Prometheus registry of this server); with `metricsToken`, behind that bearer token. */
  metrics?: boolean;
  metricsToken?: string;
  /** Request budgets; the production defaults unless given, none with null. */
  rateLimits?: RateLimits | null;
  /** The built web console to serve at /dashboard/ (scripts/build-console.ts). */
  consoleDir?: string;
}

/** A clock that reads the real time plus an offset the test sets. */
export class ShiftedClock implements Clock {
  offsetMs = 0;
  nowMicros(): number {
    return (Date.now() + this.offsetMs) * 1000;
  }
}

export async function startHerald(backend: TestBackend, options: StartOptions = {}): Promise<RunningHerald> {
  return startHeraldOn(await backend.create(), options);
}

/**
 * A Herald server on a database that already exists: a restart, when `created` came from an
 * earlier startHerald whose close() kept the database (keepDatabase).
 */
export async function startHeraldOn(created: CreatedDatabase, options: StartOptions = {}): Promise<RunningHerald> {
  // stream-chat lets these override baseURL; a developer's shell must not redirect the tests.
  delete process.env.STREAM_LOCAL_TEST_RUN;
  delete process.env.STREAM_LOCAL_TEST_HOST;
  // As the server: SQLite's long reads (the preview's count) on a thread of their own.
  const { database, longReads } = withLongReadThread(created.database);
  const herald = composeHerald(database, {
    clock: options.clock,
    customData: options.customData,
    sender: options.sender,
    webhooks: { apiKey: TEST_API_KEY, apiSecret: TEST_API_SECRET, ...options.webhooks },
    metrics: options.metrics,
  });
  const app = await herald.buildHttp({
    apiKey: TEST_API_KEY,
    apiSecret: TEST_API_SECRET,
    allowDevTokens: options.allowDevTokens,
    bodyLimitBytes: 1024 * 1024,
    rateLimits: options.rateLimits === null ? undefined : (options.rateLimits ?? { ...DEFAULT_RATE_LIMITS }),
    corsOrigins: options.corsOrigins ?? ['*'],
    metricsToken: options.metricsToken,
    logger: testLogger('server'),
    isReady: () => true,
    consoleDir: options.consoleDir,
  });
  const realtime = await herald.startRealtime(app.log);
  await app.listen({ port: options.port ?? 0, host: '127.0.0.1' });
  const workers = startWorkers(herald, app.log, options.loops);
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const baseURL = `http://127.0.0.1:${port}`;
  const chat = new StreamChat(TEST_API_KEY, TEST_API_SECRET, { baseURL, timeout: 15_000 });
  const node = new StreamClient(TEST_API_KEY, TEST_API_SECRET, { basePath: baseURL, timeout: 15_000 });
  return {
    baseURL,
    app,
    herald,
    database: created.database,
    databaseUrl: created.url,
    chat,
    node,
    created,
    async close(keepDatabase = false) {
      await app.close();
      await Promise.all(workers.map((w) => w.stop()));
      await realtime.stop();
      await longReads?.stop();
      if (!keepDatabase) await created.dispose();
    },
  };
}
