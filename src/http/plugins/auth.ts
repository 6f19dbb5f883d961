import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Caller } from '../../app/caller.js';
import { authError, verifyToken } from '../../app/tokens.js';
import { ErrorCode } from '../../domain/errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller;
  }
  interface FastifyContextConfig {
    operationId?: string;
    /** Campaign, segment and app routes, and deletes: user tokens get 403 with code 17. */
    serverOnly?: boolean;
  }
}

/**
 * Stream's server-side auth (contract 1.2): the `api_key` query parameter plus a bare HS256
 * JWT in `Authorization`, without a `Bearer` prefix.
 */
export function registerAuth(app: FastifyInstance, credentials: { apiKey: string; apiSecret: string }): void {
  const secret = new TextEncoder().encode(credentials.apiSecret);
  app.decorateRequest('caller', null as never);
  app.addHook('onRequest', async (request: FastifyRequest) => {
    const apiKey = (request.query as Record<string, unknown>).api_key;
    if (typeof apiKey !== 'string' || apiKey === '') {
      throw authError(ErrorCode.apiKey, 'api_key or app_id not provided');
    }
    if (apiKey !== credentials.apiKey) throw authError(ErrorCode.apiKey, 'api_key not valid');
    const authType = request.headers['stream-auth-type'];
    if (typeof authType === 'string' && authType.toLowerCase() !== 'jwt') {
      throw authError(ErrorCode.authentication, `auth type "${authType}" is not supported; use jwt`);
    }
    const header = request.headers.authorization;
    if (!header) throw authError(ErrorCode.authentication, 'Authorization header is missing');
    // Stream's SDKs send the bare token; a `Bearer ` prefix is tolerated for hand-written clients.
    request.caller = await verifyToken(header.replace(/^Bearer\s+/i, ''), secret);
    if (request.routeOptions.config?.serverOnly && request.caller.kind !== 'server') {
      throw authError(ErrorCode.notAllowed, 'this endpoint requires server-side auth');
    }
  });
}
