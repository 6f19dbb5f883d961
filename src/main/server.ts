import { getPriority, setPriority } from 'node:os';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { HeraldRole, loadConfig } from '../config/config.js';
import { resolveCredentials } from '../config/credentials.js';
import { migrateToLatest, openDatabase, refreshStatistics } from '../storage/database.js';
import { buildMetricsApp } from '../http/metrics-app.js';
import { composeFromConfig } from './compose.js';
import { rateLimitsFromConfig } from './rate-limit-store.js';
import { startBackgroundThread, startCheckpointer } from './background-thread.js';
import { withLongReadThread } from './long-reads.js';
import { startWorkers } from './workers.js';
import { dashboardLink } from './dashboard-link.js';
import { printWelcome } from './welcome.js';

/**
 * Start-up order (docs/style.md habit 12): config, store, migrations, adapters, HTTP and workers,
 * then a graceful shutdown that stops taking work, finishes what is in flight and closes pools.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = pino({ level: config.logLevel, base: { service: 'herald', role: config.role } });
  const credentials = resolveCredentials(config.dataDir, config);
  // Beside a sender thread (role all) the API's own connection reads little, mostly what the
  // sender just wrote (still in the OS's file cache): 4 MiB of page cache.
  const opened = openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    sqliteCacheKiB: config.role === HeraldRole.all ? 4096 : undefined,
  });
  // SQLite's driver is synchronous: the API's long reads run on a thread of their own.
  const { database, longReads } =
    config.role === HeraldRole.worker
      ? { database: opened, longReads: undefined }
      : withLongReadThread(opened, (error) => logger.error({ err: error }, 'long-read thread failed; the next long read starts another'));
  logger.info({ storage: database.caps.name, location: database.location }, 'opening storage');
  await migrateToLatest(database);
  await refreshStatistics(database);
  const herald = composeFromConfig(database, config, credentials, {
    onBusError: (error) => logger.warn({ err: error }, 'realtime bus: LISTEN connection lost; reconnecting'),
    // GET /metrics where there is an API; a `worker` process serves its own work's metrics on
    // HERALD_METRICS_PORT when that is set, and no HTTP otherwise.
    metrics: config.role !== HeraldRole.worker || (config.metricsPort !== undefined && 'worker'),
  });

  let ready = false;
  const isReady = () => ready;
  // A `worker` serves no API and never listens on PORT, which the API processes of its machine
  // may hold (and other workers beside it): only its metrics, on HERALD_METRICS_PORT if set.
  const worker = config.role === HeraldRole.worker;
  const rateLimits = worker ? undefined : rateLimitsFromConfig(config);
  const app = worker
    ? herald.metrics && (await buildMetricsApp({ metrics: herald.metrics, metricsToken: config.metricsToken, logger, isReady }))
    : await herald.buildHttp({
        apiKey: credentials.apiKey,
        apiSecret: credentials.apiSecret,
        allowDevTokens: config.allowDevTokens,
        bodyLimitBytes: config.bodyLimitBytes,
        rateLimits: rateLimits?.limits,
        corsOrigins: config.corsOrigins,
        metricsToken: config.metricsToken,
        logger,
        isReady,
        // dist/examples from dist/main and from src/main alike.
        examplesDir: fileURLToPath(new URL('../../dist/examples/', import.meta.url)),
        consoleDir: fileURLToPath(new URL('../../dist/console/', import.meta.url)),
      });
  // `worker` runs the loops on this thread; `all` on a thread of their own, beside the API.
  const onThreadError = (error: Error) => {
    logger.fatal({ err: error }, 'background thread failed');
    void shutdown('background thread failure', 1);
  };
  const workers: Array<{ stop(): Promise<void> }> = [];
  if (worker) {
    // Only ever lower the priority: a process started nicer than asked stays so (raising it
    // back would need privileges). Measured on 2 cores, 1M targets, two workers beside the API:
    // GET /campaigns/{id} p99 during the send 42.8 ms at nice 0, 33.1 ms at 10, same send rate.
    setPriority(Math.max(getPriority(), config.workerNice));
    workers.push(...startWorkers(herald, logger));
  }
  if (config.role === HeraldRole.all) {
    workers.push(startBackgroundThread({ ...config, ...credentials }, onThreadError, () => herald.deps.bus.wakeFeed(), herald.metrics));
    if (database.sqlite) workers.push(startCheckpointer(database.location, onThreadError));
  }
  if (!worker) {
    // Chat clients: the feed follower starts before the port opens, so no connection misses a row.
    workers.push(await herald.startRealtime(logger));
  }
  await app?.listen({ port: worker ? config.metricsPort : config.port, host: config.host });
  ready = true;
  const address = `http://${config.host}:${config.port}`;
  if (worker) {
    const metrics = app ? `http://${config.host}:${config.metricsPort}/metrics` : 'none (HERALD_METRICS_PORT is unset)';
    logger.info({ metrics, role: config.role }, 'herald is ready');
  } else {
    logger.info({ address, role: config.role }, 'herald is ready');
    if (config.metricsPort !== undefined) logger.warn({ metricsPort: config.metricsPort }, 'HERALD_METRICS_PORT is for HERALD_ROLE=worker: this process serves GET /metrics on PORT');
    if (String(config.port).startsWith('3030')) {
      logger.warn({ port: config.port }, 'stream-chat rewrites :3030 to :8800 for its WebSocket: chat clients cannot connect on this port');
    }
  }
  if (credentials.generated) printWelcome(credentials, address, (await dashboardLink(credentials, config)).url);
  if (config.allowDevTokens) logger.warn('HERALD_ALLOW_DEV_TOKENS is on: anyone can connect as any user; never use it in production');

  let stopping = false;
  async function shutdown(signal: string, exitCode = 0) {
    if (stopping) return;
    stopping = true;
    ready = false;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      logger.error('shutdown took longer than 10 s; exiting');
      process.exit(1);
    }, 10_000);
    force.unref();
    await app?.close();
    await rateLimits?.close();
    await Promise.all(workers.map((w) => w.stop()));
    await longReads?.stop();
    await database.close();
    logger.info('stopped');
    process.exit(exitCode);
  }
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  console.error('herald failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
