import { decodeProtectedHeader, errors, jwtVerify } from 'jose';
import { ErrorCode, HeraldError } from '../domain/errors.js';
import { serverCaller, type Caller } from './caller.js';

// Tokens minted on a client whose clock runs a little fast must still work.
const IAT_LEEWAY_SECONDS = 5;
// stream-chat's devToken(userId): an HS256 header, the user_id payload and this literal in
// place of a signature (signing.ts DevToken).
const DEV_SIGNATURE = 'devtoken';

export const authError = (code: number, message: string) => new HeraldError(code as ErrorCode, message);

export interface TokenOptions {
  apiKey: string;
  apiSecret: string;
  /** Accept stream-chat's unsigned dev tokens as user tokens (HERALD_ALLOW_DEV_TOKENS=1). */
  allowDevTokens?: boolean;
}

/** Checks the app's key and verifies Stream JWTs (HS256); throws Stream's auth errors (2, 5, 40–43). */
export class TokenVerifier {
  private readonly secret: Uint8Array;

  constructor(private readonly options: TokenOptions) {
    this.secret = new TextEncoder().encode(options.apiSecret);
  }

  checkApiKey(apiKey: unknown): void {
    if (typeof apiKey !== 'string' || apiKey === '') throw authError(ErrorCode.apiKey, 'api_key or app_id not provided');
    if (apiKey !== this.options.apiKey) throw authError(ErrorCode.apiKey, 'api_key not valid');
  }

  async verify(token: string): Promise<Caller> {
    const dev = this.options.allowDevTokens ? devTokenUser(token) : undefined;
    if (dev !== undefined) return { kind: 'user', userId: dev };
    checkAlgorithm(token);
    let claims: Record<string, unknown>;
    try {
      ({ payload: claims } = await jwtVerify(token, this.secret, { algorithms: ['HS256'] }));
    } catch (error) {
      throw tokenError(error);
    }
    if (typeof claims.iat === 'number' && claims.iat > Date.now() / 1000 + IAT_LEEWAY_SECONDS) {
      throw authError(ErrorCode.tokenBeforeIssuedAt, 'token used before issue at (iat)');
    }
    // Server tokens may carry other claims too (Java adds iat, iss, sub and scope).
    if (claims.server === true) return serverCaller;
    if (typeof claims.user_id === 'string' && claims.user_id !== '') {
      return { kind: 'user', userId: claims.user_id, ...(typeof claims.iat === 'number' && { issuedAt: claims.iat }) };
    }
    throw authError(ErrorCode.authentication, 'token must carry server: true or a user_id');
  }
}

function tokenError(error: unknown): HeraldError {
  if (error instanceof errors.JWSSignatureVerificationFailed) return authError(ErrorCode.tokenSignature, 'signature is invalid');
  if (error instanceof errors.JWTExpired) return authError(ErrorCode.tokenExpired, 'token is expired');
  if (error instanceof errors.JWTClaimValidationFailed && error.claim === 'nbf') {
    return authError(ErrorCode.tokenNotValidYet, 'token is not valid yet');
  }
  return authError(ErrorCode.authentication, 'token is malformed');
}

/**
 * Only HS256: a token whose header names another algorithm (`none`, RS256…) or none at all is
 * refused as a bad signature (43), as Stream refuses it, before any verification is tried. A
 * token whose header cannot be read at all is malformed (5).
 */
function checkAlgorithm(token: string): void {
  let header: { alg?: unknown };
  try {
    header = decodeProtectedHeader(token);
  } catch {
    throw authError(ErrorCode.authentication, 'token is malformed');
  }
  if (header.alg !== 'HS256') throw authError(ErrorCode.tokenSignature, 'token must be signed with HS256');
}

/** The user of a well-formed dev token, or undefined when `token` is not one. */
function devTokenUser(token: string): string | undefined {
  const [, payload, signature, ...rest] = token.split('.');
  if (signature !== DEV_SIGNATURE || rest.length > 0 || !payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64').toString('utf8')) as { user_id?: unknown };
    return typeof claims.user_id === 'string' && claims.user_id !== '' ? claims.user_id : undefined;
  } catch {
    return undefined;
  }
}
