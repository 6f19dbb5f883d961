import { readFileSync } from 'node:fs';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, FastifySchema } from 'fastify';
import { sharedResponseSchemas, streamResponses } from '../response-schemas.js';

/** Where Swagger UI is served; the document is at `${DOCS_PREFIX}/json` (and /yaml). */
export const DOCS_PREFIX = '/docs';

// package.json from src/http/plugins and from dist/http/plugins alike.
const { version } = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };

/**
 * `/connect`, stream-chat's WebSocket, is served on the HTTP server's upgrade event and not by
 * a Fastify route (realtime/gateway.ts says why), so no route schema describes it: it is
 * written here, by hand, to be in the document all the same.
 */
const queryParameter = (name: string, description: string) => ({ name, in: 'query' as const, required: true, description, schema: { type: 'string' as const } });
const connectPath = {
  '/connect': {
    get: {
      operationId: 'Connect',
      tags: ['realtime'],
      description: "stream-chat's `connectUser` WebSocket. Auth rides in the query; a bad one opens the socket, sends one error frame in Stream's shape and closes it with 1000.",
      security: [],
      parameters: [
        queryParameter('api_key', "The app's API key"),
        queryParameter('authorization', "The user's JWT"),
        queryParameter('json', '`{user_id, user_details, ...}` as JSON'),
      ],
      responses: { '101': { description: 'Switching Protocols: a WebSocket carrying Stream events' } },
    },
  },
};

/**
 * Routes without response schemas of their own (the realtime long-poll, and any route added
 * outside dualRoute) are documented with the generic Stream response and Stream's error.
 */
function withDefaultResponses({ schema, url }: { schema: FastifySchema; url: string }): { schema: FastifySchema; url: string } {
  return { url, schema: schema?.response ? schema : { ...schema, response: streamResponses(200) } };
}

/**
 * The OpenAPI 3.1 document of every route (`GET /docs/json`), built by @fastify/swagger from
 * the routes' TypeBox schemas, and Swagger UI at `/docs`. No auth on either: the page must
 * load; the calls it makes need the API key and a token like any. 3.1, not 3.0: its schemas
 * are JSON Schema 2020-12, so TypeBox's `type: 'null'` and records are valid as they are.
 * Register it before any route: @fastify/swagger collects routes as they are added.
 */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  for (const schema of sharedResponseSchemas) app.addSchema(schema);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Herald',
        version,
        description:
          'A self-hostable, Stream-compatible chat and campaigns server. Every route is served on two families: ' +
          'the legacy paths (stream-chat) and /api/v2 (@stream-io/node-sdk), whose operation ids end in `V2`.',
      },
      components: {
        securitySchemes: {
          api_key: { type: 'apiKey', in: 'query', name: 'api_key' },
          // Stream's SDKs send the bare JWT, with `stream-auth-type: jwt`; not `Bearer …`.
          jwt: { type: 'apiKey', in: 'header', name: 'Authorization', description: 'A server or user JWT (HS256 with the app secret), without a Bearer prefix' },
          metrics_token: { type: 'http', scheme: 'bearer', description: 'HERALD_METRICS_TOKEN' },
        },
      },
      security: [{ api_key: [], jwt: [] }],
      paths: connectPath,
    },
    // Components by their $id (`#/components/schemas/StreamError`), not def-0, def-1.
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
    transform: withDefaultResponses,
  });
  await app.register(swaggerUi, { routePrefix: DOCS_PREFIX });
}
