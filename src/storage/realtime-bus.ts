import type { RealtimeBus } from '../app/realtime-ports.js';
import type { Database } from './database.js';
import { PostgresBus } from './dialects/postgres/postgres-bus.js';
import { LocalBus } from './local-bus.js';

/**
 * The realtime bus of a database: LISTEN/NOTIFY where commits notify every process, an
 * in-process bus otherwise (one SQLite process).
 */
export function createRealtimeBus(database: Database, onError?: (error: unknown) => void): RealtimeBus {
  return database.caps.notifyOnCommit && database.connectionString
    ? new PostgresBus(database.connectionString, database.db, onError)
    : new LocalBus();
}
