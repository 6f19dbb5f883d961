import { registerOverloadShedding } from './plugins/overload.js';
import { registerRateLimits, type RateLimits } from './plugins/rate-limits.js';
import type { UnreadService } from '../app/unread.js';
import { unreadRoutes } from './routes/unread.js';
import cors from '@fastify/cors';
import fastifyStatic from '@fastify/static';
import { existsSync } from 'node:fs';
import { Type } from '@sinclair/typebox';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type RouteOptions } from 'fastify';
import type { AppSettingsService } from '../app/app-settings.js';
import type { CampaignLifecycle } from '../app/campaign-lifecycle.js';
import type { CampaignPreviewService } from '../app/campaign-preview.js';
import type { CampaignMessagesService } from '../app/campaign-messages.js';
import type { CampaignTargetsService } from '../app/campaign-targets.js';
import type { CampaignTestSend } from '../app/campaign-test-send.js';
import type { CampaignsService } from '../app/campaigns.js';
import type { ChannelEventsService } from '../app/channel-events.js';
import type { ChannelsService } from '../app/channels.js';
import type { ChannelExportService } from '../app/channel-export.js';
import type { ChannelMembersService } from '../app/channel-members.js';
import type { ChannelMutesService } from '../app/channel-mutes.js';
import type { ChannelUpdatesService } from '../app/channel-updates.js';
import type { ConnectUserService } from '../app/connect-user.js';
import type { SegmentsService } from '../app/segments.js';
import type { MessagesService } from '../app/messages.js';
import type { ReactionsService } from '../app/reactions.js';
import type { FlagsService } from '../app/flags.js';
import type { MarkUnreadService } from '../app/mark-unread.js';
import type { MessageEditsService } from '../app/message-edits.js';
import type { MessageQueriesService } from '../app/message-queries.js';
import type { UsersService } from '../app/users.js';
import type { UserBansService } from '../app/user-bans.js';
import type { UserLifecycleService } from '../app/user-lifecycle.js';
import type { UserMutesService } from '../app/user-mutes.js';
import { TokenIssuer } from '../app/token-issuer.js';
import { TokenVerifier } from '../app/tokens.js';
import { registerConsole } from './console-pages.js';
import { registerAuth } from './plugins/auth.js';
import { registerMetricsEndpoint, type MetricsEndpoint } from './plugins/metrics-endpoint.js';
import { DOCS_PREFIX, registerOpenApi } from './plugins/openapi.js';
import { stringifyWithBigInts } from './plugins/bigint-json.js';
import { clientErrorHandler, frameworkErrorHandler, registerErrorHandling, sendStreamError } from './plugins/errors.js';
import { ErrorCode } from '../domain/errors.js';
import { registerParamChecks } from './plugins/request-params.js';
import { registerBodyParsing } from './plugins/request-body.js';
import { appRoutes } from './routes/app.js';
import { campaignMessageRoutes } from './routes/campaign-messages.js';
import { campaignPreviewRoutes } from './routes/campaign-preview.js';
import { campaignTargetRoutes } from './routes/campaign-targets.js';
import { campaignTestSendRoutes } from './routes/campaign-test-send.js';
import { campaignRoutes } from './routes/campaigns.js';
import { channelRoutes } from './routes/channels.js';
import { channelExportDownloadRoute, channelManagementRoutes } from './routes/channel-management.js';
import { messageRoutes } from './routes/messages.js';
import { reactionRoutes } from './routes/reactions.js';
import { flagRoutes } from './routes/flags.js';
import { unsupportedRoutes } from './routes/unsupported.js';
import { messageEditRoutes } from './routes/message-edits.js';
import { messageQueryRoutes } from './routes/message-queries.js';
import { segmentRoutes } from './routes/segments.js';
import { userRoutes } from './routes/users.js';
import { userLifecycleRoutes } from './routes/user-lifecycle.js';
import { userModerationRoutes } from './routes/user-moderation.js';
import type { ConnectionRegistry } from '../realtime/connections.js';
import { attachGateway, CLOSE_GOING_AWAY } from '../realtime/gateway.js';
import { longPollRoutes } from '../realtime/longpoll.js';

export interface HttpDeps {
  apiKey: string;
  apiSecret: string;
  /** Accept stream-chat's unsigned dev tokens (HERALD_ALLOW_DEV_TOKENS=1): never in production. */
  allowDevTokens?: boolean;
  bodyLimitBytes: number;
  /** Request budgets per caller (plugins/rate-limits.ts); none when absent. */
  rateLimits?: RateLimits;
  /** Origins browsers may call from; `*` for any (HERALD_CORS_ORIGINS). */
  corsOrigins: readonly string[];
  logger: FastifyBaseLogger;
  services: {
    segments: SegmentsService;
    campaigns: CampaignsService;
    lifecycle: CampaignLifecycle;
    campaignTargets: CampaignTargetsService;
    campaignPreview: CampaignPreviewService;
    campaignMessages: CampaignMessagesService;
    campaignTestSend: CampaignTestSend;
    settings: AppSettingsService;
    users: UsersService;
    channels: ChannelsService;
    messages: MessagesService;
    messageEdits: MessageEditsService;
    messageQueries: MessageQueriesService;
    markUnread: MarkUnreadService;
    connectUser: ConnectUserService;
    channelEvents: ChannelEventsService;
    channelUpdates: ChannelUpdatesService;
    channelMembers: ChannelMembersService;
    channelMutes: ChannelMutesService;
    channelExport: ChannelExportService;
    reactions: ReactionsService;
    flags: FlagsService;
    userBans: UserBansService;
    userMutes: UserMutesService;
    userLifecycle: UserLifecycleService;
    unread: UnreadService;
  };
  /** This process's chat connections (src/realtime/). */
  connections: ConnectionRegistry;
  nowMicros: () => number;
  /** False while the process starts or drains; /healthz answers 503 then. */
  isReady: () => boolean;
  /** The built examples (dist/examples), served at /examples/; absent in tests that need none. */
  examplesDir?: string;
  /** The process's metrics, served at GET /metrics; absent where there are none (the CLI). */
  metrics?: MetricsEndpoint;
  /** When set, GET /metrics needs `Authorization: Bearer <metricsToken>` (HERALD_METRICS_TOKEN). */
  metricsToken?: string;
  /** Told of every route as it is added (test/openapi.test.ts checks that the document has them all). */
  onRoute?: (route: RouteOptions) => void;
  /** The built web console (dist/console), served at /dashboard/; absent in tests that need none. */
  consoleDir?: string;
}

/** The HTTP app for production and tests alike: it does not listen and reads no environment. */
export async function buildApp(deps: HttpDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger,
    bodyLimit: deps.bodyLimitBytes,
    // One log line per request would cost more than many requests; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    // Stream's paths have no trailing slashes; be lenient with clients that add one. Ids may
    // be 255 characters (Fastify's default cap on a path parameter is 100).
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 512 },
    // No type coercion: a number where Stream wants a string id is a 400, as on Stream. Query
    // strings are declared as strings and parsed by the routes (query-values.ts).
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: true, allErrors: false } },
    // Errors before routing and in Node's HTTP parser answer in Stream's shape too.
    frameworkErrors: frameworkErrorHandler,
    clientErrorHandler,
  }) as unknown as FastifyInstance;
  if (deps.onRoute) app.addHook('onRoute', deps.onRoute);

  registerErrorHandling(app);
  await registerOverloadShedding(app);
  registerBodyParsing(app);
  registerParamChecks(app);
  app.setReplySerializer((payload) => stringifyWithBigInts(payload));
  // Response schemas document the routes (OpenAPI); the reply serializer above writes every
  // reply. Without this, Fastify would compile a fast-json-stringify serializer per response
  // schema at start (~250 of them) that no reply would ever use.
  app.setSerializerCompiler(() => (data) => stringifyWithBigInts(data));
  // Every success body carries Stream's `duration`, e.g. "4.12ms" (contract 1.4); not the
  // OpenAPI document, which allows no field of that name.
  app.addHook('preSerialization', async (request, reply, payload) => {
    if (request.routeOptions.url?.startsWith(DOCS_PREFIX)) return payload;
    if (payload && typeof payload === 'object' && !Array.isArray(payload) && !('duration' in payload)) {
      return { ...payload, duration: `${reply.elapsedTime.toFixed(2)}ms` };
    }
    return payload;
  });

  // Browser chat clients call REST from the app's origin with stream-chat's own headers. A
  // preflight needs no token, so it is answered before auth.
  await app.register(cors, {
    origin: deps.corsOrigins.includes('*') ? '*' : [...deps.corsOrigins],
    methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type', 'stream-auth-type', 'X-Stream-Client', 'x-client-request-id'],
    maxAge: 600,
  });
  // Before any route: the OpenAPI document collects routes as they are added.
  await registerOpenApi(app);
  if (deps.metrics) registerMetricsEndpoint(app, deps.metrics, deps.metricsToken);

  // Chat clients (src/realtime/). On shutdown every connection is closed with 1001, never
  // 1000, so that clients reconnect to the next process instead of giving up; pending long
  // polls are answered.
  const tokens = new TokenVerifier({ apiKey: deps.apiKey, apiSecret: deps.apiSecret, allowDevTokens: deps.allowDevTokens });
  const { connections } = deps;
  const realtime = { tokens, connections, connectUser: deps.services.connectUser, nowMicros: deps.nowMicros, logger: app.log };
  const gateway = attachGateway(app.server, realtime);
  app.addHook('preClose', async () => {
    gateway.close();
    for (const connection of [...connections.all()]) connection.close(CLOSE_GOING_AWAY, 'server shutting down');
  });

  if (deps.examplesDir) await registerExamples(app, deps.examplesDir);
  if (deps.consoleDir) await registerConsole(app, deps.consoleDir);

  const Health = Type.Object({ status: Type.String(), duration: Type.String() });
  const healthSchema = { operationId: 'Health', tags: ['operations'], security: [], response: { 200: Health, 503: Health } };
  app.get('/healthz', { schema: healthSchema }, async (_request, reply) =>
    deps.isReady() ? { status: 'ok' } : reply.code(503).send({ status: 'starting' }),
  );

  // An export file's URL carries its own secret, as a pre-signed URL does: no API key or token.
  channelExportDownloadRoute(app, deps.services.channelExport);

  await app.register(async (api) => {
    // A deactivated user's token is refused on every route (user-lifecycle.ts).
    registerAuth(api, tokens, (caller) => deps.services.connectUser.admit(caller));
    if (deps.rateLimits) await registerRateLimits(api, deps.rateLimits);
    longPollRoutes(api, realtime);
    userRoutes(api, deps.services.users);
    channelRoutes(api, deps.services.channels, deps.services.channelEvents);
    channelManagementRoutes(api, {
      updates: deps.services.channelUpdates,
      members: deps.services.channelMembers,
      mutes: deps.services.channelMutes,
      exports: deps.services.channelExport,
    });
    messageRoutes(api, deps.services.messages);
    reactionRoutes(api, deps.services.reactions);
    flagRoutes(api, deps.services.flags);
    // Features that need an outside service Herald has none of: 501, naming what is missing.
    unsupportedRoutes(api);
    messageEditRoutes(api, deps.services.messageEdits, deps.services.markUnread);
    messageQueryRoutes(api, deps.services.messageQueries);
    unreadRoutes(api, deps.services.unread);
    segmentRoutes(api, deps.services.segments);
    campaignRoutes(api, deps.services.campaigns, deps.services.lifecycle);
    campaignTargetRoutes(api, deps.services.campaignTargets);
    campaignPreviewRoutes(api, deps.services.campaignPreview);
    campaignMessageRoutes(api, deps.services.campaignMessages);
    campaignTestSendRoutes(api, deps.services.campaignTestSend);
    appRoutes(api, deps.services.settings);
    userModerationRoutes(api, deps.services.userBans, deps.services.userMutes);
    // Guests' tokens are signed like any user token, with the app's secret.
    userLifecycleRoutes(api, deps.services.userLifecycle, new TokenIssuer(deps.apiSecret, { nowMicros: deps.nowMicros }));
  });
  return app;
}

/**
 * The example chat client (examples/inbox), as `npm run build` bundles it. Hidden from the
 * OpenAPI document, as @fastify/static hides its own routes: a page and its bundle, not API.
 */
async function registerExamples(app: FastifyInstance, dir: string): Promise<void> {
  const hidden = { schema: { hide: true } };
  if (existsSync(dir)) {
    await app.register(fastifyStatic, { root: dir, prefix: '/examples/', index: false });
    // The router ignores trailing slashes, which hides directory indexes from the static
    // plugin (and would turn its redirect into a loop): the page gets a route of its own.
    app.get('/examples/inbox', hidden, (_request, reply) => reply.sendFile('inbox/index.html'));
    return;
  }
  app.get('/examples/*', hidden, async (_request, reply) =>
    sendStreamError(reply, 'Examples', ErrorCode.doesNotExist, 'the examples are not built: run npm run build'),
  );
}
