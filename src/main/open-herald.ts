import type { Config } from '../config/config.js';
import { migrateToLatest, openDatabase } from '../storage/database.js';
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
  const database = openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrateToLatest(database);
  } catch (error) {
    await database.close();
    throw error;
  }
  return {
    herald: composeHerald(database, { customData: { maxBytes: config.maxCustomBytes } }),
    where: `${database.caps.name} ${database.location}`,
    close: () => database.close(),
  };
}
