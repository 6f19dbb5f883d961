import type { Migration, MigrationProvider } from 'kysely';
import type { DialectCaps } from '../dialects/dialect-caps.js';
import { chatTables } from './001-chat-tables.js';
import { segmentsAndCampaigns } from './002-segments-campaigns.js';
import { campaignLedger } from './003-campaign-ledger.js';
import { webhooks } from './004-webhooks.js';
import { outboxSnapshots } from './005-outbox-snapshots.js';
import { chatFeed } from './006-chat-feed.js';
import { campaignControls } from './007-campaign-controls.js';
import { messageJobOptions } from './008-message-job-options.js';
import { chatBreadth } from './009-chat-breadth.js';
import { userModeration } from './010-user-moderation.js';
import { channelExports } from './011-channel-exports.js';
import { campaignError } from './012-campaign-error.js';

/** One list of migrations for both dialects; each takes the dialect's capabilities. */
const migrations: Record<string, (caps: DialectCaps) => Migration> = {
  '001-chat-tables': chatTables,
  '002-segments-campaigns': segmentsAndCampaigns,
  '003-campaign-ledger': campaignLedger,
  '004-webhooks': webhooks,
  '005-outbox-snapshots': outboxSnapshots,
  '006-chat-feed': chatFeed,
  '007-campaign-controls': campaignControls,
  '008-message-job-options': messageJobOptions,
  '009-chat-breadth': chatBreadth,
  '010-user-moderation': userModeration,
  '011-channel-exports': channelExports,
  '012-campaign-error': campaignError,
};

export const migrationProvider = (caps: DialectCaps): MigrationProvider => ({
  getMigrations: async () =>
    Object.fromEntries(Object.entries(migrations).map(([name, make]) => [name, make(caps)])),
});
