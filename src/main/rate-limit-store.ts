import { Redis } from 'ioredis';
import { DEFAULT_RATE_LIMITS, type Config } from '../config/config.js';
import type { RateLimits } from '../http/plugins/rate-limits.js';

/**
 * The request budgets of an API process, shared through Redis when REDIS_URL is set. The
 * client fails fast (no offline queue, one attempt): while Redis is away the budgets are not
 * enforced rather than requests failing, and ioredis reconnects on its own.
 */
export function rateLimitsFromConfig(config: Config): { limits: RateLimits; close(): Promise<void> } {
  const redis = config.redisUrl
    ? new Redis(config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2_000, lazyConnect: false })
    : undefined;
  // An unreachable Redis must not crash the process: the error is the reconnect loop's to handle.
  redis?.on('error', () => {});
  return {
    limits: {
      userPerWindow: config.rateLimitUserPerMinute,
      serverPerWindow: config.rateLimitServerPerMinute,
      windowMs: DEFAULT_RATE_LIMITS.windowMs,
      redis,
    },
    close: async () => {
      await redis?.quit().catch(() => undefined);
    },
  };
}
