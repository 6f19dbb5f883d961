import { once } from 'node:events';
import { Worker, type ResourceLimits } from 'node:worker_threads';
import type { WorkObserver } from '../app/observer-ports.js';
import type { Config } from '../config/config.js';
import { replayRelayed } from '../metrics/thread-relay.js';

export interface BackgroundThread {
  stop(): Promise<void>;
}

/** A thread that is also sent messages: each one to its module's `parentPort`. */
export interface MessagedThread extends BackgroundThread {
  post(message: unknown): void;
}

// A send batch's garbage (5,000 users, plans and rendered texts) fills the young generation it
// gets: 16 MiB kept the sender thread's heap under ~90 MiB at the same send rate as 48 (1M
// targets, back to back: 24.6k/s and 309 MiB against 24.4k/s and 304 MiB).
// The old generation's cap sets how far V8 lets it grow between full collections: with
// Node's default (~4 GiB here) the factor is 4, and the thread's ~28 MiB of live data grew to
// ~130 MiB of promoted batch garbage before each one. A 1 GiB cap makes the factor ~1.6
// (V8's MaxGrowingFactor scales it between 256 MiB and 2 GiB): the heap peaks at ~65 MiB,
// collections come every ~0.5 s instead of every ~2.5 s at no measured cost in send rate,
// and the process peak went 322–325 → 263–265 MiB (1M targets). 1 GiB is still ~35 times
// what a batch holds. A 128 MiB cap (factor 1.3, and V8 collecting hard near its limit)
// cost a fifth of the send rate.
const SENDER_LIMITS: ResourceLimits = { maxYoungGenerationSizeMb: 16, maxOldGenerationSizeMb: 1024 };
// The checkpoint thread allocates next to nothing.
const CHECKPOINT_LIMITS: ResourceLimits = { maxYoungGenerationSizeMb: 1 };

/** Runs a module of main/ on a worker thread, and stops it by message ('stop' → 'stopped'). */
export function startThread(module: string, data: unknown, limits: ResourceLimits, onError: (error: Error) => void, onMessage?: (message: unknown) => void): MessagedThread {
  // From dist the thread is a .js module. From the sources (tsx, in development and tests) it
  // is a .ts one, and Node 20 does not pass tsx's loader on to threads: the thread registers it.
  const fromSources = import.meta.url.endsWith('.ts');
  const entry = new URL(`./${module}${fromSources ? '.ts' : '.js'}`, import.meta.url);
  const worker = fromSources
    ? new Worker(`import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}); })`, { eval: true, workerData: data, resourceLimits: limits })
    : new Worker(entry, { workerData: data, resourceLimits: limits });
  worker.on('error', onError);
  if (onMessage) worker.on('message', onMessage);
  return {
    post: (message) => worker.postMessage(message),
    async stop() {
      if (worker.threadId === -1) return;
      worker.postMessage('stop');
      // 'stopped', not any message: the batch in flight still posts 'feed' and its metrics
      // as it commits, and the thread must not be terminated before it closed its database.
      const stopped = new Promise<void>((resolve) => worker.on('message', (message) => message === 'stopped' && resolve()));
      await Promise.race([stopped, once(worker, 'exit')]);
      await worker.terminate();
    },
  };
}

/**
 * The background loops (main/worker-thread.ts). It posts 'feed' after each commit that added
 * to the chat feed, for the API thread's realtime fan-out (SQLite has no cross-thread notify),
 * and the sender's and deliverer's reports, for the API thread's metrics (metrics/thread-relay.ts).
 */
export const startBackgroundThread = (
  config: Config & { apiKey: string; apiSecret: string },
  onError: (error: Error) => void,
  onFeedCommitted: () => void,
  observer?: WorkObserver,
) =>
  startThread('worker-thread', { ...config }, SENDER_LIMITS, onError, (message) => {
    if (message === 'feed') onFeedCommitted();
    else if (observer) replayRelayed(message, observer);
  });

/** The WAL checkpointer of a SQLite file (main/checkpoint-thread.ts). */
export const startCheckpointer = (file: string, onError: (error: Error) => void) =>
  startThread('checkpoint-thread', { file }, CHECKPOINT_LIMITS, onError);
