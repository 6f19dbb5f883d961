import { Type } from '@sinclair/typebox';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { registerErrorHandling } from './plugins/errors.js';
import { registerMetricsEndpoint, type MetricsEndpoint } from './plugins/metrics-endpoint.js';
import { StreamErrorSchema } from './response-schemas.js';

export interface MetricsAppDeps {
  metrics: MetricsEndpoint;
  /** When set, GET /metrics needs `Authorization: Bearer <metricsToken>` (HERALD_METRICS_TOKEN). */
  metricsToken?: string;
  logger: FastifyBaseLogger;
  /** False while the process starts or drains; /healthz answers 503 then. */
  isReady: () => boolean;
}

/**
 * The HTTP app of a `worker` process, which serves no API (HERALD_METRICS_PORT): `GET /metrics`
 * under the API's bearer rule, `GET /healthz`, and a 404 in Stream's shape for anything else.
 * Like buildApp, it does not listen and reads no environment.
 */
export async function buildMetricsApp(deps: MetricsAppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger,
    logController: new LogController({ disableRequestLogging: true }),
    // Nothing here reads a body.
    bodyLimit: 1024,
  }) as unknown as FastifyInstance;
  registerErrorHandling(app);
  // The metrics route's 401 is documented by reference, as in buildApp; as there, schemas
  // document and JSON.stringify writes the replies.
  app.addSchema(StreamErrorSchema);
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  registerMetricsEndpoint(app, deps.metrics, deps.metricsToken);
  const Health = Type.Object({ status: Type.String() });
  const healthSchema = { operationId: 'Health', tags: ['operations'], security: [], response: { 200: Health, 503: Health } };
  app.get('/healthz', { schema: healthSchema }, async (_request, reply) =>
    deps.isReady() ? { status: 'ok' } : reply.code(503).send({ status: 'starting' }),
  );
  return app;
}
