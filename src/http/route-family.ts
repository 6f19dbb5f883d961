import type { TSchema } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest, HTTPMethods } from 'fastify';
import type { Caller } from '../app/caller.js';
import { legacyWire, v2Wire, type WireEncoder } from '../wire/wire-encoder.js';

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
  schema: { body?: TSchema; querystring?: TSchema; params?: TSchema };
  handler(request: FastifyRequest, context: RouteContext): Promise<Record<string, unknown>>;
}

/** Serves one handler on both route families, each with its own wire encoding (contract 1.1). */
export function dualRoute(app: FastifyInstance, spec: DualRoute): void {
  for (const [url, wire] of [
    [spec.path, legacyWire],
    [`${spec.v2Prefix}${spec.path}`, v2Wire],
  ] as const) {
    app.route({
      method: spec.method,
      url,
      schema: spec.schema,
      config: { operationId: spec.operationId, serverOnly: spec.serverOnly },
      handler: async (request, reply) => {
        const body = await spec.handler(request, { caller: request.caller, wire });
        return reply.code(spec.status).send(body);
      },
    });
  }
}
