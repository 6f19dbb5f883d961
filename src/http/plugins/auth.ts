import type { FastifyInstance, FastifyRequest } from 'fastify';
import { errors, jwtVerify } from 'jose';
import { serverCaller, type Caller } from '../../app/caller.js';
import { ErrorCode, HeraldError } from '../../domain/errors.js';

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

// Tokens minted on a client whose clock runs a little fast must still work.
const IAT_LEEWAY_SECONDS = 5;

const authError = (code: number, message: string) => new HeraldError(code as ErrorCode, message);

async function verify(token: string, secret: Uint8Array): Promise<Caller> {
  let claims: Record<string, unknown>;
  try {
    ({ payload: claims } = await jwtVerify(token, secret, { algorithms: ['HS256'] }));
  } catch (error) {
    if (error instanceof errors.JWSSignatureVerificationFailed) {
      throw authError(ErrorCode.tokenSignature, 'signature is invalid');
    }
    if (error instanceof errors.JWTExpired) throw authError(ErrorCode.tokenExpired, 'token is expired');
    if (error instanceof errors.JWTClaimValidationFailed && error.claim === 'nbf') {
      throw authError(ErrorCode.tokenNotValidYet, 'token is not valid yet');
    }
    if (error instanceof errors.JOSEAlgNotAllowed) {
      throw authError(ErrorCode.authentication, 'token must be signed with HS256');
    }
    throw authError(ErrorCode.authentication, 'token is malformed');
  }
  if (typeof claims.iat === 'number' && claims.iat > Date.now() / 1000 + IAT_LEEWAY_SECONDS) {
    throw authError(ErrorCode.tokenBeforeIssuedAt, 'token used before issue at (iat)');
  }
  // Server tokens may carry other claims too (Java adds iat, iss, sub and scope).
  if (claims.server === true) return serverCaller;
  if (typeof claims.user_id === 'string' && claims.user_id !== '') return { kind: 'user', userId: claims.user_id };
  throw authError(ErrorCode.authentication, 'token must carry server: true or a user_id');
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
    request.caller = await verify(header.replace(/^Bearer\s+/i, ''), secret);
    if (request.routeOptions.config?.serverOnly && request.caller.kind !== 'server') {
      throw authError(ErrorCode.notAllowed, 'this endpoint requires server-side auth');
    }
  });
}
