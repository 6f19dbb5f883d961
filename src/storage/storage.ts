import type { Kysely } from 'kysely';
import type { Storage, Stores } from '../app/ports.js';
import type { SenderStore } from '../sender/sender-ports.js';
import { KyselyMessageJobStore } from './message-job-store.js';
import { KyselyCampaignTargetStore } from './campaign-target-store.js';
import { KyselyAudienceStore } from './audience-store.js';
import { PostgresSenderStore } from './dialects/postgres/postgres-sender-store.js';
import { SqliteSenderStore } from './dialects/sqlite/sqlite-sender-store.js';
import { KyselyOutboxStore } from './outbox-store.js';
import { KyselySchedulerStore } from './scheduler-store.js';
import { KyselySettingsStore } from './settings-store.js';
import { KyselyCampaignStore } from './campaign-store.js';
import { KyselyChannelStore } from './channel-store.js';
import type { Database } from './database.js';
import { KyselyFeedStore } from './feed-store.js';
import { KyselyMessageStore } from './message-store.js';
import { KyselyMessageQueryStore } from './message-query-store.js';
import { KyselyMetricsStore } from './metrics-store.js';
import { KyselyReactionStore } from './reaction-store.js';
import { KyselyFlagStore } from './flag-store.js';
import type { Schema } from './schema.js';
import { KyselySegmentStore } from './segment-store.js';
import { KyselyTaskStore } from './task-store.js';
import { KyselyUserStore } from './user-store.js';
import { KyselyMemberStore } from './member-store.js';
import { KyselyChannelAdminStore } from './channel-admin-store.js';
import { KyselyChannelMuteStore } from './channel-mute-store.js';
import { KyselyChannelExportStore } from './channel-export-store.js';
import { KyselyModerationStore } from './moderation-store.js';

function storesOn(db: Kysely<Schema>, database: Database, onFeedAppend?: () => void): Stores {
  return {
    settings: new KyselySettingsStore(db, database.caps),
    outbox: new KyselyOutboxStore(db, database.caps),
    scheduler: new KyselySchedulerStore(db, database.caps),
    segments: new KyselySegmentStore(db, database.caps),
    campaigns: new KyselyCampaignStore(db, database.caps),
    users: new KyselyUserStore(db, database.caps),
    channels: new KyselyChannelStore(db, database.caps),
    messages: new KyselyMessageStore(db, database.caps),
    messageQueries: new KyselyMessageQueryStore(db, database.caps),
    tasks: new KyselyTaskStore(db, database.caps),
    feed: new KyselyFeedStore(db, database.caps, onFeedAppend),
    campaignTargets: new KyselyCampaignTargetStore(db),
    // Long reads see committed data only: not within a transaction.
    audience: new KyselyAudienceStore(db, database.caps, db === database.db ? database.longReads : undefined),
    messageJobs: new KyselyMessageJobStore(db, database.caps),
    metrics: new KyselyMetricsStore(db, database.caps),
    members: new KyselyMemberStore(db, database.caps),
    channelAdmin: new KyselyChannelAdminStore(db, database.caps),
    channelMutes: new KyselyChannelMuteStore(db, database.caps),
    channelExports: new KyselyChannelExportStore(db, database.caps),
    reactions: new KyselyReactionStore(db, database.caps),
    flags: new KyselyFlagStore(db, database.caps),
    moderation: new KyselyModerationStore(db, database.caps),
  };
}

/**
 * The sender's store of this database: SQLite's prepared statements on its one connection, or
 * PostgreSQL's set-based statements. `onFeedCommitted` as for createStorage.
 */
export function createSenderStore(database: Database, options: StorageOptions): SenderStore {
  return database.sqlite
    ? new SqliteSenderStore(database.db, database.caps, options.leaseMs, database.sqlite, database.caps.notifyOnCommit ? undefined : options.onFeedCommitted)
    : new PostgresSenderStore(database.db, database.caps, options.leaseMs);
}

// PostgreSQL's deadlock_detected. Adding targets to a segment locks each running campaign,
// then inserts ledger rows; a send batch of that campaign locks ledger rows, then updates the
// campaign's stats. When they cross, PostgreSQL aborts one: a batch gives its targets back and
// is sent again; an API transaction runs again here (up to 3 times) instead of answering 500.
// SQLite cannot deadlock: its transactions take the one write lock up front.
const DEADLOCK = '40P01';
const DEADLOCK_ATTEMPTS = 3;

async function retryingDeadlocks<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (attempt === DEADLOCK_ATTEMPTS || (error as { code?: unknown }).code !== DEADLOCK) throw error;
    }
  }
}

export interface StorageOptions {
  leaseMs: number;
  /**
   * Runs after a commit that appended to the chat feed, where the database does not notify
   * other processes itself (SQLite): it wakes this process's realtime readers.
   */
  onFeedCommitted?: () => void;
}

/** The app layer's Storage over one Kysely database, SQLite or PostgreSQL. */
export function createStorage(database: Database, options: StorageOptions = { leaseMs: 30_000 }): Storage {
  const wake = database.caps.notifyOnCommit ? undefined : options.onFeedCommitted;
  return {
    // Outside a transaction an append commits as it returns.
    ...storesOn(database.db, database, wake),
    transaction: (fn) =>
      retryingDeadlocks(async () => {
        let appended = false;
        const result = await database.db.transaction().execute((trx) => fn(storesOn(trx, database, () => (appended = true))));
        if (appended) wake?.();
        return result;
      }),
  };
}
