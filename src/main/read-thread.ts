import { CompiledQuery } from 'kysely';
import { parentPort, workerData } from 'node:worker_threads';
import { openSqlite } from '../storage/dialects/sqlite/open-sqlite.js';
import { sqliteCaps } from '../storage/dialects/sqlite/sqlite-caps.js';

/**
 * The API's long reads on SQLite (storage/database.ts, LongReads), on a connection and a thread
 * of their own, so that the API's event loop serves requests and chat connections meanwhile.
 * Each statement runs memory-mapped (DialectCaps.mappedRead); the connection keeps 4 MiB of
 * page cache, as the API's own beside a sender thread.
 */
export interface ReadRequest {
  id: number;
  sql: string;
  parameters: readonly unknown[];
}

export type ReadReply = { id: number; row: Record<string, unknown> | undefined } | { id: number; error: { message: string; code?: string } };

const { file } = workerData as { file: string };
const { db } = openSqlite(file, 4096);

parentPort?.on('message', (message: ReadRequest | 'stop') => void answer(message));

async function answer(message: ReadRequest | 'stop'): Promise<void> {
  if (message === 'stop') {
    await db.destroy();
    parentPort?.postMessage('stopped');
    return;
  }
  const { id, sql, parameters } = message;
  let reply: ReadReply;
  try {
    const result = await sqliteCaps.mappedRead(db, () => db.executeQuery<Record<string, unknown>>(CompiledQuery.raw(sql, [...parameters])));
    reply = { id, row: result.rows[0] };
  } catch (error) {
    // An Error loses its `code` (SQLITE_BUSY, …) in a structured clone: sent apart.
    reply = { id, error: { message: error instanceof Error ? error.message : String(error), code: (error as { code?: string }).code } };
  }
  parentPort?.postMessage(reply);
}
