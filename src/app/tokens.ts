import { errors, jwtVerify } from 'jose';
import { ErrorCode, HeraldError } from '../domain/errors.js';
import { serverCaller, type Caller } from './caller.js';

// Tokens minted on a client whose clock runs a little fast must still work.
const IAT_LEEWAY_SECONDS = 5;

export const authError = (code: number, message: string) => new HeraldError(code as ErrorCode, message);

/** Verifies a Stream JWT (HS256) and says who calls; throws Stream's auth errors (2, 5, 40–43). */
export async function verifyToken(token: string, secret: Uint8Array): Promise<Caller> {
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

