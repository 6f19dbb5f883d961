import type { Kysely } from 'kysely';
import type { Storage, Stores } from '../app/ports.js';
import { KyselyCampaignStore } from './campaign-store.js';
import { KyselyChannelStore } from './channel-store.js';
import type { Database } from './database.js';
import { KyselyMessageStore } from './message-store.js';
import type { Schema } from './schema.js';
import { KyselySegmentStore } from './segment-store.js';
import { KyselyTaskStore } from './task-store.js';
import { KyselyUserStore } from './user-store.js';

function storesOn(db: Kysely<Schema>, database: Database): Stores {
  return {
    segments: new KyselySegmentStore(db, database.caps),
    campaigns: new KyselyCampaignStore(db, database.caps),
    users: new KyselyUserStore(db, database.caps),
    channels: new KyselyChannelStore(db, database.caps),
    messages: new KyselyMessageStore(db, database.caps),
    tasks: new KyselyTaskStore(db, database.caps),
  };
}

/** The app layer's Storage over one Kysely database, SQLite or PostgreSQL. */
export function createStorage(database: Database): Storage {
  return {
    ...storesOn(database.db, database),
    transaction: (fn) => database.db.transaction().execute((trx) => fn(storesOn(trx, database))),
  };
}
