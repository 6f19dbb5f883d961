import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ErrorCode, HeraldError } from '../../domain/errors.js';

/**
 * Per-caller request budgets, as Stream answers an abusive client: 429 with code 9 and the
 * X-RateLimit-Limit / -Remaining / -Reset headers on every authenticated response (Reset as a
 * Unix time in seconds, which is how the node-sdk reads it). A budget is per window, per
 * caller — each user of a user token by its id, the app's backend (server tokens) as one —
 * and per route class, so that a flood of writes never eats a client's reads.
 */
export interface RateLimits {
  /** Requests per window for one user, per route class; 0 turns user budgets off. */
  userPerWindow: number;
  /** Requests per window for server tokens, per route class; 0 turns them off. */
  serverPerWindow: number;
  windowMs: number;
  /**
   * An ioredis client: budgets are then shared by every API process (PostgreSQL with many
   * processes). Without it each process counts on its own, so N processes allow N times the
   * budget.
   */
  redis?: unknown;
}

/** Reads (GET), writes (everything else) and the long-poll transport each have a budget. */
function routeClass(request: FastifyRequest): string {
  if (request.url.startsWith('/longpoll')) return 'realtime';
  return request.method === 'GET' ? 'read' : 'write';
}

/** Registers the budgets on the routes of `api` added after it; auth has run by then. */
export async function registerRateLimits(api: FastifyInstance, limits: RateLimits): Promise<void> {
  await api.register(rateLimit, {
    // A route hook runs after the scope's own onRequest hooks: the caller is known, the body not read yet.
    hook: 'onRequest',
    timeWindow: limits.windowMs,
    max: (request) => (request.caller.kind === 'server' ? limits.serverPerWindow : limits.userPerWindow),
    allowList: (request) => (request.caller.kind === 'server' ? limits.serverPerWindow : limits.userPerWindow) === 0,
    keyGenerator: (request) => `${routeClass(request)}:${request.caller.kind === 'server' ? 'server' : `user:${request.caller.userId}`}`,
    ...(limits.redis !== undefined && { redis: limits.redis, nameSpace: 'herald-rate-limit:' }),
    // Redis away: serve the request rather than fail it (the budget is a guard, not a gate).
    skipOnError: true,
    // Thrown, so the error handler answers it in Stream's shape (code 9 maps to 429).
    errorResponseBuilder: (_request, context) =>
      new HeraldError(ErrorCode.rateLimited, `Too many requests, check response headers for rate limit details: retry in ${context.after}`),
  });
  // The plugin sends seconds until the reset; Stream sends the time of the reset.
  api.addHook('onSend', async (_request, reply, payload) => {
    const reset = reply.getHeader('x-ratelimit-reset');
    if (reset !== undefined) reply.header('x-ratelimit-reset', Math.floor(Date.now() / 1000) + Number(reset));
    return payload;
  });
}
