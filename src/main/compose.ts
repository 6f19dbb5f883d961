import { uuidv7 } from 'uuidv7';
import type { AppDeps } from '../app/app-deps.js';
import { CampaignLifecycle } from '../app/campaign-lifecycle.js';
import { CampaignTargetsService } from '../app/campaign-targets.js';
import { CampaignsService } from '../app/campaigns.js';
import { ChannelsService } from '../app/channels.js';
import { MessagesService } from '../app/messages.js';
import { SegmentsService } from '../app/segments.js';
import { defaultSendingOptions, Sending, type SendingOptions } from '../app/sending.js';
import { UsersService } from '../app/users.js';
import { systemClock, type Clock } from '../domain/clock.js';
import { buildApp, type HttpDeps } from '../http/build-app.js';
import { refreshStatistics, type Database } from '../storage/database.js';
import { createStorage } from '../storage/storage.js';

export interface Herald {
  deps: AppDeps;
  services: HttpDeps['services'];
  sending: Sending;
  /** Keeps the planner's statistics fresh (storage maintenance). */
  refreshStatistics(): Promise<void>;
  buildHttp(options: Omit<HttpDeps, 'services'>): ReturnType<typeof buildApp>;
}

export interface ComposeOptions {
  clock?: Clock;
  sending?: Partial<SendingOptions>;
}

/** Wires the concrete adapters to the app services: the only place that knows both. */
export function composeHerald(database: Database, options: ComposeOptions = {}): Herald {
  const sendingOptions = {
    ...defaultSendingOptions,
    concurrency: database.caps.supportsSkipLocked ? 2 : 1,
    ...options.sending,
  };
  const deps: AppDeps = {
    storage: createStorage(database, { leaseMs: sendingOptions.leaseMs }),
    clock: options.clock ?? systemClock,
    ids: { next: uuidv7 },
  };
  const campaigns = new CampaignsService(deps);
  const services = {
    segments: new SegmentsService(deps),
    campaigns,
    lifecycle: new CampaignLifecycle(deps, campaigns),
    campaignTargets: new CampaignTargetsService(deps),
    users: new UsersService(deps),
    channels: new ChannelsService(deps),
    messages: new MessagesService(deps),
  };
  return {
    deps,
    services,
    sending: new Sending(deps, deps.storage.sender, sendingOptions),
    refreshStatistics: () => refreshStatistics(database),
    buildHttp: (httpOptions) => buildApp({ ...httpOptions, services }),
  };
}
