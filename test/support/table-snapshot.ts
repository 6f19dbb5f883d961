import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Database } from '../../src/storage/database.js';

// Every table a request can write to.
const TABLES = ['users', 'channels', 'channel_members', 'messages', 'tasks', 'segments', 'segment_targets', 'campaigns',
  'campaign_targets', 'app_settings', 'webhook_outbox'] as const;

/**
 * Row counts and a checksum of every table's rows: equal snapshots before and after a refused
 * request show that it changed nothing. Meant for the small databases of tests.
 */
export async function tableSnapshot(database: Database): Promise<Record<string, string>> {
  const snapshot: Record<string, string> = {};
  for (const table of TABLES) {
    const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(database.db);
    const lines = rows.map((row) => JSON.stringify(row, (_key, v) => (typeof v === 'bigint' ? v.toString() : v))).sort();
    snapshot[table] = `${rows.length} rows, ${createHash('sha256').update(lines.join('\n')).digest('hex').slice(0, 16)}`;
  }
  return snapshot;
}
