import { createHash, timingSafeEqual } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { ErrorCode } from '../../domain/errors.js';
import { streamErrorRef } from '../response-schemas.js';
import { sendStreamError } from './errors.js';

/** What the HTTP edge needs of the metrics registry (src/metrics/), which main/ passes in. */
export interface MetricsEndpoint {
  readonly contentType: string;
  /** The text exposition, gauges read now. */
  render(): Promise<string>;
  /** Times every request of the app; absent where the app serves only scrapes (a worker's). */
  observeRequest?(method: string, route: string, statusCode: number, seconds: number): void;
}

// Requests no route matched (404s, bad paths): one label value, never the raw URL, so that a
// scanner's random paths cannot grow the histogram's series without bound.
const UNMATCHED = 'unmatched';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * `GET /metrics` (Prometheus text format), outside Stream's auth, and the timing of every
 * request by route pattern when `metrics` times requests: a hook of the root context, so the
 * routes of every plugin are timed too. With `token`, a scrape needs `Authorization: Bearer <token>`.
 */
export function registerMetricsEndpoint(app: FastifyInstance, metrics: MetricsEndpoint, token?: string): void {
  const observe = metrics.observeRequest?.bind(metrics);
  if (observe) {
    app.addHook('onResponse', async (request, reply) => {
      observe(request.method, request.routeOptions.url ?? UNMATCHED, reply.statusCode, reply.elapsedTime / 1000);
    });
  }
  // Compared as digests: equal lengths for timingSafeEqual, and no early exit on the first
  // differing byte to time.
  const expected = token === undefined ? undefined : digest(`Bearer ${token}`);
  app.get(
    '/metrics',
    {
      schema: {
        operationId: 'GetMetrics',
        tags: ['operations'],
        description: 'Prometheus metrics of this process (text exposition format). With HERALD_METRICS_TOKEN set, send `Authorization: Bearer <token>`.',
        security: token === undefined ? [] : [{ metrics_token: [] }],
        response: {
          200: { description: 'Prometheus text exposition format 0.0.4', content: { 'text/plain': { schema: Type.String() } } },
          ...(token !== undefined && { 401: streamErrorRef() }),
        },
      },
    },
    async (request, reply) => {
      const given = request.headers.authorization;
      if (expected && !(given && timingSafeEqual(digest(given), expected))) {
        return sendStreamError(reply, 'Metrics', ErrorCode.authentication, 'a valid Authorization: Bearer <HERALD_METRICS_TOKEN> header is required');
      }
      return reply.type(metrics.contentType).send(await metrics.render());
    },
  );
}
