import { parentPort, workerData } from 'node:worker_threads';
import { isDatabaseUnavailable } from '../domain/storage-faults.js';
import { openSqlite } from '../storage/dialects/sqlite/open-sqlite.js';

/**
 * Checkpoints the SQLite WAL on a thread of its own while the sender thread writes (it runs
 * with wal_autocheckpoint off): copying pages back into the database file then uses the core
 * the API leaves idle, and neither the API's event loop nor the send batches wait for it.
 * PASSIVE never blocks the writer or the readers; it copies what it can and tries again.
 */
// SQLite's own default is a checkpoint per ~4 MB of WAL; twice a second keeps the WAL small
// while the sender writes tens of MB a second.
const CHECKPOINT_EVERY_MS = 500;

const { file } = workerData as { file: string };
// Checkpointing reads the WAL and writes the file: it needs no page cache of its own.
const { raw } = openSqlite(file, 1024);
const timer = setInterval(checkpoint, CHECKPOINT_EVERY_MS);

/**
 * A checkpoint that cannot write (a full disk: SQLITE_FULL, or an I/O error) is tried again on
 * the next tick: the committed pages are safe in the WAL meanwhile, and failing the thread
 * would take the whole process down for what freeing space mends.
 */
function checkpoint(): void {
  try {
    raw.pragma('wal_checkpoint(PASSIVE)');
  } catch (error) {
    if (!isDatabaseUnavailable(error)) throw error;
  }
}

parentPort?.on('message', (message: unknown) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  checkpoint();
  raw.close();
  parentPort?.postMessage('stopped');
});
