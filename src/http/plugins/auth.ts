import type { FastifyInstance, FastifyRequest } from 'fastify';
import { anonymousCaller, type Caller } from '../../app/caller.js';
import { authError, type TokenVerifier } from '../../app/tokens.js';
import { ErrorCode } from '../../domain/errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller;
  }
  interface FastifyContextConfig {
    operationId?: string;
    /** Campaign, segment and app routes, and deletes: user tokens get 403 with code 17. */
    serverOnly?: boolean;
    /** Also served without a token (`stream-auth-type: anonymous`), as app/caller.ts anonymousCaller (POST /guest). */
    anonymous?: boolean;
  }
}

/**
 * Stream's server-side auth (contract 1.2): the `api_key` query parameter plus a bare HS256
 * JWT in `Authorization`, without a `Bearer` prefix.
 */
export function registerAuth(
  app: FastifyInstance,
  tokens: TokenVerifier,
  /** Refuses a user token whose user may not call (deactivated, or the token revoked); throws Stream's error. */
  checkUser?: (caller: Extract<Caller, { kind: 'user' }>) => Promise<void>,
): void {
  app.decorateRequest('caller', null as never);
  app.addHook('onRequest', async (request: FastifyRequest) => {
    tokens.checkApiKey((request.query as Record<string, unknown>).api_key);
    const authType = request.headers['stream-auth-type'];
    if (request.routeOptions.config?.anonymous && authType === 'anonymous' && !request.headers.authorization) {
      request.caller = anonymousCaller;
      return;
    }
    if (typeof authType === 'string' && authType.toLowerCase() !== 'jwt') {
      throw authError(ErrorCode.authentication, `auth type "${authType}" is not supported; use jwt`);
    }
    const header = request.headers.authorization;
    if (!header) throw authError(ErrorCode.authentication, 'Authorization header is missing');
    // Stream's SDKs send the bare token; a `Bearer ` prefix is tolerated for hand-written clients.
    request.caller = await tokens.verify(header.replace(/^Bearer\s+/i, ''));
    if (checkUser && request.caller.kind === 'user') await checkUser(request.caller);
    if (request.routeOptions.config?.serverOnly && request.caller.kind !== 'server') {
      throw authError(ErrorCode.notAllowed, 'this endpoint requires server-side auth');
    }
  });
}
