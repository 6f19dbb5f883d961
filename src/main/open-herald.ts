import type { Config } from '../config/config.js';
import { migrateToLatest, openDatabase, type Database } from '../storage/database.js';
import { composeHerald, type Herald } from './compose.js';

export interface OpenedHerald {
  herald: Herald;
  /** Where the data lives, for messages: "sqlite ./data/herald.db". */
  where: string;
  close(): Promise<void>;
}

/**
 * Herald on the configured database for a one-off command (the CLI): the same store and
 * migrations as the server, without HTTP or background loops.
 */
export async function openHerald(config: Config): Promise<OpenedHerald> {
  let database: Database | undefined;
  try {
    database = openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    await migrateToLatest(database);
  } catch (error) {
    await database?.close().catch(() => {});
    // pg says only "connect ECONNREFUSED 127.0.0.1:5432": name the database it could not open.
    const where = database ? `${database.caps.name} ${database.location}` : config.databaseUrl ? 'DATABASE_URL' : `sqlite in ${config.dataDir}`;
    throw new Error(`cannot open ${where}: ${reason(error)}`, { cause: error });
  }
  return {
    herald: composeHerald(database, { customData: { maxBytes: config.maxCustomBytes } }),
    where: `${database.caps.name} ${database.location}`,
    close: () => database.close(),
  };
}

/** Node reports a refused `localhost` (tried on ::1 and 127.0.0.1) as an AggregateError with no message. */
function reason(error: unknown): string {
  if (error instanceof AggregateError && !error.message) return error.errors.map(reason).join('; ');
  if (error instanceof Error) return error.message || String((error as { code?: unknown }).code ?? error.name);
  return String(error);
}
