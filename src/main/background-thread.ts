import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { Config } from '../config/config.js';

export interface BackgroundThread {
  stop(): Promise<void>;
}

/** Runs a module of main/ on a worker thread, and stops it by message ('stop' → 'stopped'). */
function startThread(module: string, data: unknown, onError: (error: Error) => void, onMessage?: (message: unknown) => void): BackgroundThread {
  // From the sources (tsx) the thread is a .ts module, from dist a .js one.
  const entry = new URL(`./${module}${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);
  const worker = new Worker(entry, { workerData: data });
  worker.on('error', onError);
  if (onMessage) worker.on('message', onMessage);
  return {
    async stop() {
      if (worker.threadId === -1) return;
      worker.postMessage('stop');
      await Promise.race([once(worker, 'message'), once(worker, 'exit')]);
      await worker.terminate();
    },
  };
}

/**
 * The background loops (main/worker-thread.ts). It posts 'feed' after each commit that added
 * to the chat feed, for the API thread's realtime fan-out (SQLite has no cross-thread notify).
 */
export const startBackgroundThread = (
  config: Config & { apiKey: string; apiSecret: string },
  onError: (error: Error) => void,
  onFeedCommitted: () => void,
) => startThread('worker-thread', { ...config }, onError, (message) => message === 'feed' && onFeedCommitted());

/** The WAL checkpointer of a SQLite file (main/checkpoint-thread.ts). */
export const startCheckpointer = (file: string, onError: (error: Error) => void) =>
  startThread('checkpoint-thread', { file }, onError);
