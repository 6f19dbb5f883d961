import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

export const HeraldRole = { all: 'all', api: 'api', worker: 'worker' } as const;
export type HeraldRole = (typeof HeraldRole)[keyof typeof HeraldRole];

const ConfigSchema = Type.Object({
  port: Type.Integer({ minimum: 0, maximum: 65535 }),
  host: Type.String({ minLength: 1 }),
  dataDir: Type.String({ minLength: 1 }),
  databaseUrl: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  apiKey: Type.Optional(Type.String({ minLength: 1 })),
  apiSecret: Type.Optional(Type.String({ minLength: 1 })),
  role: Type.Union(Object.values(HeraldRole).map((r) => Type.Literal(r))),
  logLevel: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
  ),
  /** Largest request body accepted; larger ones get 413 with code 22. */
  bodyLimitBytes: Type.Integer({ minimum: 1024 }),
  /** Origins that browsers may call the API from; `*` for any. */
  corsOrigins: Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }),
  /** Largest custom data of a user, channel, message or template (UTF-8 JSON bytes). */
  maxCustomBytes: Type.Integer({ minimum: 256 }),
  /** Targets per delivery transaction. */
  sendBatchSize: Type.Integer({ minimum: 1, maximum: 20_000 }),
  /** How long a worker owns a claimed batch before another may take it over. */
  leaseMs: Type.Integer({ minimum: 100 }),
  /** How long a webhook is retried before it is dead-lettered. */
  webhookRetryWindowMs: Type.Integer({ minimum: 0 }),
  /** Accept stream-chat's unsigned dev tokens (`client.devToken(id)`): development only. */
  allowDevTokens: Type.Boolean(),
  /** When set, GET /metrics needs `Authorization: Bearer <metricsToken>`; open otherwise. */
  metricsToken: Type.Optional(Type.String({ minLength: 1 })),
  /**
   * Where a `worker` process, which serves no API, serves GET /metrics and GET /healthz; unset,
   * it serves nothing. Processes with an API serve /metrics on `port` and ignore it.
   */
  metricsPort: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
  /** Requests a minute per route class for one user's tokens, and for server tokens; 0 for no limit. */
  rateLimitUserPerMinute: Type.Integer({ minimum: 0 }),
  rateLimitServerPerMinute: Type.Integer({ minimum: 0 }),
  /**
   * The scheduling priority (nice, 0–19) a `worker` process gives itself: sending is batch work,
   * and on a machine it shares with API processes their requests should not queue behind it.
   */
  workerNice: Type.Integer({ minimum: 0, maximum: 19 }),
  /** Redis, to share rate limits between API processes. */
  redisUrl: Type.Optional(Type.String({ pattern: '^rediss?://' })),
});
export type Config = Readonly<Static<typeof ConfigSchema>>;

/** Requests a minute per route class (see loadConfig for why these figures). */
export const DEFAULT_RATE_LIMITS = { userPerWindow: 1_200, serverPerWindow: 120_000, windowMs: 60_000 } as const;

/** Parses the environment once at start; the result is frozen. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const candidate = {
    // Not Stream's local 3030: stream-chat rewrites `:3030` in baseURL to `:8800` for its
    // WebSocket and to `:8900` for long-poll (client.ts setBaseURL), so no chat client could connect.
    port: Number(env.PORT ?? 3300),
    host: env.HOST ?? '127.0.0.1',
    dataDir: env.HERALD_DATA_DIR ?? './data',
    databaseUrl: env.DATABASE_URL || undefined,
    apiKey: env.HERALD_API_KEY || undefined,
    apiSecret: env.HERALD_API_SECRET || undefined,
    role: env.HERALD_ROLE ?? 'all',
    logLevel: env.LOG_LEVEL ?? 'info',
    // The largest request the limits allow, plus room for the rest of its body: 10,000 user_ids
    // of a campaign or addtargets at the longest id (255 characters, quoted, comma) are 2.58 MB;
    // 100 users of an upsert with 5 KB of custom data and their built-in fields about 600 KB.
    bodyLimitBytes: Number(env.HERALD_BODY_LIMIT_BYTES ?? 3 * 1024 * 1024),
    corsOrigins: (env.HERALD_CORS_ORIGINS ?? '*').split(',').map((o) => o.trim()).filter(Boolean),
    maxCustomBytes: Number(env.HERALD_MAX_CUSTOM_BYTES ?? 5 * 1024),
    sendBatchSize: Number(env.HERALD_SEND_BATCH_SIZE ?? 5000),
    leaseMs: Number(env.HERALD_LEASE_MS ?? 30_000),
    webhookRetryWindowMs: Number(env.HERALD_WEBHOOK_RETRY_WINDOW_MS ?? 24 * 3_600_000),
    allowDevTokens: env.HERALD_ALLOW_DEV_TOKENS === '1' || env.HERALD_ALLOW_DEV_TOKENS === 'true',
    metricsToken: env.HERALD_METRICS_TOKEN || undefined,
    metricsPort: env.HERALD_METRICS_PORT ? Number(env.HERALD_METRICS_PORT) : undefined,
    // 20 requests a second per user and route class: a chat client makes a few a minute, a
    // flood of them stops within a second. 2,000 a second for the backend: about what one
    // process serves, so only a runaway loop meets it (docs/limits.md).
    rateLimitUserPerMinute: Number(env.HERALD_RATE_LIMIT_USER_PER_MINUTE ?? DEFAULT_RATE_LIMITS.userPerWindow),
    rateLimitServerPerMinute: Number(env.HERALD_RATE_LIMIT_SERVER_PER_MINUTE ?? DEFAULT_RATE_LIMITS.serverPerWindow),
    workerNice: env.HERALD_WORKER_NICE ? Number(env.HERALD_WORKER_NICE) : 10,
    redisUrl: env.REDIS_URL || undefined,
  };
  if (!Value.Check(ConfigSchema, candidate)) {
    const problems = [...Value.Errors(ConfigSchema, candidate)].map((e) => `${e.path.slice(1) || 'config'}: ${e.message}`);
    throw new Error(`invalid configuration: ${problems.join('; ')}`);
  }
  if ((candidate.apiKey === undefined) !== (candidate.apiSecret === undefined)) {
    throw new Error('invalid configuration: set both HERALD_API_KEY and HERALD_API_SECRET, or neither');
  }
  return Object.freeze(candidate as Config);
}
