import type { TSchema } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest, HTTPMethods } from 'fastify';
import type { Caller } from '../app/caller.js';
import { legacyWire, v2Wire, type WireEncoder } from '../wire/wire-encoder.js';
import { streamResponses } from './response-schemas.js';

export interface RouteContext {
  caller: Caller;
  wire: WireEncoder;
}

export interface DualRoute {
  method: HTTPMethods;
  /** The legacy (root) path, e.g. `/users`; the v2 path is v2Prefix + path. */
  path: string;
  v2Prefix: '/api/v2' | '/api/v2/chat';
  operationId: string;
  /** Stream's status for success: 201 for create/update/query/actions, 200 for reads and deletes. */
  status: 200 | 201;
  serverOnly?: boolean;
  /** Served without a token too (plugins/auth.ts): the handler's caller is then anonymousCaller. */
  anonymous?: boolean;
  /** `response`: the success body; without it the document says "a Stream response object". */
  schema: { body?: TSchema; querystring?: TSchema; params?: TSchema; response?: TSchema };
  handler(request: FastifyRequest, context: RouteContext): Promise<Record<string, unknown>>;
}

/**
 * Serves one handler on both route families, each with its own wire encoding (contract 1.1).
 * Errors name the operation as Stream does, the same on both (`config.operationId`); the
 * OpenAPI document needs ids unique over the document, so the v2 one is suffixed `V2`.
 */
export function dualRoute(app: FastifyInstance, spec: DualRoute): void {
  const { response, ...input } = spec.schema;
  // Tagged by resource, the path's first segment: `campaigns` for /campaigns/:id/start.
  const tags = [spec.path.split('/')[1]];
  for (const [url, wire, operationId] of [
    [spec.path, legacyWire, spec.operationId],
    [`${spec.v2Prefix}${spec.path}`, v2Wire, `${spec.operationId}V2`],
  ] as const) {
    app.route({
      method: spec.method,
      url,
      schema: { ...input, operationId, tags, response: streamResponses(spec.status, response) },
      config: { operationId: spec.operationId, serverOnly: spec.serverOnly, anonymous: spec.anonymous },
      handler: async (request, reply) => {
        const body = await spec.handler(request, { caller: request.caller, wire });
        return reply.code(spec.status).send(body);
      },
    });
  }
}
