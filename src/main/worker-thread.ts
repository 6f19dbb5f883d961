import { parentPort, workerData } from 'node:worker_threads';
import { pino } from 'pino';
import type { Config } from '../config/config.js';
import { relayingObserver } from '../metrics/thread-relay.js';
import { openDatabase } from '../storage/database.js';
import { composeFromConfig } from './compose.js';
import { startWorkers } from './workers.js';

/**
 * The background loops of an `all` process, on their own thread and database connection:
 * the API keeps one core and an event loop that no send batch ever blocks, and the sender can
 * commit batches big enough to be fast (SQLite writes are synchronous).
 */
const config = workerData as Config & { apiKey: string; apiSecret: string };
const logger = pino({ level: config.logLevel, base: { service: 'herald', role: config.role, thread: 'workers' } });
// 32 MiB of page cache: 64 sent 1M targets no faster (the OS caches the file too) and held
// 32 MiB more of the process's 300 MiB budget.
const database = openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, sqliteCacheKiB: 32_768 });
// The checkpoint thread copies the WAL back (main/checkpoint-thread.ts), not this one between
// its send batches.
database.sqlite?.pragma('wal_autocheckpoint = 0');
// SQLite cannot notify the API thread of a committed send batch: this thread tells it. The
// metrics live in the API thread's registry: the sender and the deliverer report there.
const herald = composeFromConfig(database, config, config, {
  onFeedCommitted: () => parentPort?.postMessage('feed'),
  observer: relayingObserver((report) => parentPort?.postMessage(report)),
});
const loops = startWorkers(herald, logger);
logger.info({ loops: loops.map((l) => l.name) }, 'background loops started');

parentPort?.on('message', (message: unknown) => {
  if (message !== 'stop') return;
  void (async () => {
    // Stop claiming, let the batch in flight commit, then close the connection.
    await Promise.all(loops.map((loop) => loop.stop()));
    await database.close();
    parentPort?.postMessage('stopped');
  })();
});
