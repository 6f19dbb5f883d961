import { UnreadService } from '../app/unread.js';
import type { AppDeps } from '../app/app-deps.js';
import { AppSettingsService } from '../app/app-settings.js';
import { CampaignLifecycle } from '../app/campaign-lifecycle.js';
import { CampaignPreviewService } from '../app/campaign-preview.js';
import { CampaignMessagesService } from '../app/campaign-messages.js';
import { CampaignTargetsService } from '../app/campaign-targets.js';
import { CampaignTestSend } from '../app/campaign-test-send.js';
import { CampaignsService } from '../app/campaigns.js';
import { ChannelEventsService } from '../app/channel-events.js';
import { ChannelsService } from '../app/channels.js';
import { ChannelExportService } from '../app/channel-export.js';
import { ChannelMembersService } from '../app/channel-members.js';
import { ChannelMutesService } from '../app/channel-mutes.js';
import { ChannelUpdatesService } from '../app/channel-updates.js';
import { encodeChannelExport } from '../wire/channel-export-encoding.js';
import { ChatFeedService } from '../app/chat-feed.js';
import { unobserved, type WorkObserver } from '../app/observer-ports.js';
import { ConnectUserService } from '../app/connect-user.js';
import { MessagesService } from '../app/messages.js';
import { ReactionsService } from '../app/reactions.js';
import { FlagsService } from '../app/flags.js';
import { MarkUnreadService } from '../app/mark-unread.js';
import { MessageEditsService } from '../app/message-edits.js';
import { MessageQueriesService } from '../app/message-queries.js';
import { SegmentsService } from '../app/segments.js';
import { UsersService } from '../app/users.js';
import { UserBansService } from '../app/user-bans.js';
import { UserLifecycleService } from '../app/user-lifecycle.js';
import { UserMutesService } from '../app/user-mutes.js';
import type { Config } from '../config/config.js';
import { systemClock, type Clock } from '../domain/clock.js';
import { defaultCustomDataLimits, type CustomDataLimits } from '../domain/custom-data.js';
import { buildApp, type HttpDeps } from '../http/build-app.js';
import { HeraldMetrics, WorkMetrics } from '../metrics/herald-metrics.js';
import { refreshStatistics, type Database } from '../storage/database.js';
import { createRealtimeBus } from '../storage/realtime-bus.js';
import { createSenderStore, createStorage } from '../storage/storage.js';
import { MessageJobRunner } from '../sender/message-job-runner.js';
import { defaultSenderOptions, Sender, type SenderOptions } from '../sender/sender.js';
import type { SenderStore } from '../sender/sender-ports.js';
import { ConnectionRegistry } from '../realtime/connections.js';
import { FanOut, type FanOutLogger } from '../realtime/fan-out.js';
import { timeOrderedIds } from './time-ordered-ids.js';
import { EventRecorder } from '../webhooks/event-recorder.js';
import { WebhookDeliverer } from '../webhooks/webhook-deliverer.js';

export interface Herald {
  deps: AppDeps;
  services: HttpDeps['services'] & { chatFeed: ChatFeedService };
  sender: Sender;
  /** Recall and edit jobs, a page at a time (a worker loop). */
  messageJobs: MessageJobRunner;
  /** The sender's storage (tests drive the sender's parts with it). */
  senderStore: SenderStore;
  /** This process's chat connections, served by `startRealtime` in the processes with an API. */
  connections: ConnectionRegistry;
  /** Follows the chat feed for this process's connections; stop() also closes the bus. */
  startRealtime(logger: FanOutLogger): Promise<{ stop(): Promise<void> }>;
  /** Delivers the webhook outbox; absent when composed without credentials. */
  deliverer?: WebhookDeliverer;
  /** Keeps the planner's statistics fresh (storage maintenance). */
  refreshStatistics(): Promise<void>;
  /**
   * The metrics served at GET /metrics, when composed with `metrics`: a HeraldMetrics in a
   * process with an API, a WorkMetrics in a worker that serves them (HERALD_METRICS_PORT).
   */
  metrics?: WorkMetrics;
  buildHttp(options: Omit<HttpDeps, 'services' | 'nowMicros' | 'connections' | 'metrics'>): ReturnType<typeof buildApp>;
}

export interface ComposeOptions {
  clock?: Clock;
  customData?: CustomDataLimits;
  sender?: Partial<SenderOptions>;
  /** The app's credentials sign webhooks; without them no webhook is delivered (the CLI). */
  webhooks?: { apiKey: string; apiSecret: string; retryWindowMs?: number; attemptTimeoutMs?: number; maxRetryDelayMs?: number };
  /**
   * Where this process's committed chat feed rows are announced, on a database that does not
   * notify (SQLite): by default its own realtime bus; the sender thread of an `all` process
   * posts them to the main thread instead.
   */
  onFeedCommitted?: () => void;
  /** Reports a lost LISTEN connection (PostgreSQL's realtime bus). */
  onBusError?: (error: unknown) => void;
  /**
   * Keep Prometheus metrics (GET /metrics): `true` in the processes with an API (their work,
   * their HTTP requests and the database's gauges), `'worker'` in a worker that serves its own
   * (its work only). The sender and the deliverer composed here then report to them.
   */
  metrics?: boolean | 'worker';
  /** Where the sender and the deliverer report otherwise: the relay of a sender thread. */
  observer?: WorkObserver;
}

// Stream tries for 15 s; Herald for a day by default (HERALD_WEBHOOK_RETRY_WINDOW_MS).
const DEFAULT_RETRY_WINDOW_MS = 24 * 3_600_000;
// Stream's per-attempt timeout.
const ATTEMPT_TIMEOUT_MS = 6000;
// Deliveries in flight per worker: enough to keep a receiver busy over keep-alive connections.
const DELIVERY_CONCURRENCY = 32;

/** Wires the concrete adapters to the app services: the only place that knows both. */
export function composeHerald(database: Database, options: ComposeOptions = {}): Herald {
  const senderOptions = {
    ...defaultSenderOptions,
    concurrency: database.caps.supportsSkipLocked ? 2 : 1,
    ...options.sender,
  };
  const clock = options.clock ?? systemClock;
  const ids = timeOrderedIds;
  const events = new EventRecorder(clock, ids);
  const bus = createRealtimeBus(database, options.onBusError);
  const storageOptions = { leaseMs: senderOptions.leaseMs, onFeedCommitted: options.onFeedCommitted ?? (() => bus.wakeFeed()) };
  const deps: AppDeps = {
    storage: createStorage(database, storageOptions),
    clock,
    ids,
    events,
    customData: options.customData ?? defaultCustomDataLimits,
    bus,
  };
  const connections = new ConnectionRegistry(bus);
  const senderStore = createSenderStore(database, storageOptions);
  const metrics =
    options.metrics === 'worker' ? new WorkMetrics() : options.metrics ? new HeraldMetrics(deps.storage.metrics, clock) : undefined;
  const observer = metrics ?? options.observer ?? unobserved;
  const sender = new Sender(deps, senderStore, senderOptions, observer);
  const webhooks = options.webhooks;
  const campaigns = new CampaignsService(deps);
  const services = {
    segments: new SegmentsService(deps),
    campaigns,
    lifecycle: new CampaignLifecycle(deps, campaigns),
    campaignMessages: new CampaignMessagesService(deps, campaigns),
    campaignTargets: new CampaignTargetsService(deps),
    campaignPreview: new CampaignPreviewService(deps),
    campaignTestSend: new CampaignTestSend(deps),
    settings: new AppSettingsService(deps),
    users: new UsersService(deps),
    channels: new ChannelsService(deps, connections),
    messages: new MessagesService(deps),
    messageEdits: new MessageEditsService(deps),
    messageQueries: new MessageQueriesService(deps),
    markUnread: new MarkUnreadService(deps),
    connectUser: new ConnectUserService(deps),
    channelEvents: new ChannelEventsService(deps),
    channelUpdates: new ChannelUpdatesService(deps),
    channelMembers: new ChannelMembersService(deps),
    channelMutes: new ChannelMutesService(deps),
    channelExport: new ChannelExportService(deps, encodeChannelExport),
    reactions: new ReactionsService(deps),
    flags: new FlagsService(deps),
    userBans: new UserBansService(deps),
    userMutes: new UserMutesService(deps),
    userLifecycle: new UserLifecycleService(deps),
    chatFeed: new ChatFeedService(deps),
    unread: new UnreadService(deps),
  };
  return {
    deps,
    services,
    sender,
    messageJobs: new MessageJobRunner(deps, senderStore, { owner: sender.owner, leaseMs: senderOptions.leaseMs }),
    senderStore,
    connections,
    async startRealtime(logger) {
      const fanOut = new FanOut(services.chatFeed, connections, bus, logger);
      await fanOut.start();
      return {
        async stop() {
          await fanOut.stop();
          await bus.close();
        },
      };
    },
    deliverer:
      webhooks &&
      new WebhookDeliverer(deps.storage.outbox, (rows) => events.encodeSnapshots(deps.storage.users, rows), clock, {
        apiKey: webhooks.apiKey,
        apiSecret: webhooks.apiSecret,
        owner: sender.owner,
        retryWindowMs: webhooks.retryWindowMs ?? DEFAULT_RETRY_WINDOW_MS,
        attemptTimeoutMs: webhooks.attemptTimeoutMs ?? ATTEMPT_TIMEOUT_MS,
        maxRetryDelayMs: webhooks.maxRetryDelayMs,
        concurrency: DELIVERY_CONCURRENCY,
        leaseMs: senderOptions.leaseMs,
      }, observer),
    refreshStatistics: () => refreshStatistics(database),
    metrics,
    buildHttp: (httpOptions) => buildApp({ ...httpOptions, services, connections, nowMicros: () => clock.nowMicros(), metrics }),
  };
}

/** The composition for a server or worker process, from its configuration and credentials. */
export function composeFromConfig(
  database: Database,
  config: Config,
  credentials: { apiKey: string; apiSecret: string },
  extra: Pick<ComposeOptions, 'onFeedCommitted' | 'onBusError' | 'metrics' | 'observer'> = {},
): Herald {
  return composeHerald(database, {
    ...extra,
    customData: { maxBytes: config.maxCustomBytes },
    sender: { batchSize: config.sendBatchSize, leaseMs: config.leaseMs },
    webhooks: { apiKey: credentials.apiKey, apiSecret: credentials.apiSecret, retryWindowMs: config.webhookRetryWindowMs },
  });
}
