import { SignJWT } from 'jose';
import type { Clock, Micros } from '../domain/clock.js';
import { checkUserId } from '../domain/user.js';

export interface IssuedToken {
  token: string;
  expiresAt: Micros;
}

/**
 * Signs the JWTs that TokenVerifier (app/tokens.ts) accepts: HS256 with the app's secret, a
 * `user_id` claim for a chat client or `server: true` for the API, each with iat and exp.
 */
export class TokenIssuer {
  private readonly secret: Uint8Array;

  constructor(
    apiSecret: string,
    private readonly clock: Clock,
  ) {
    this.secret = new TextEncoder().encode(apiSecret);
  }

  /** Refuses an id Herald would refuse at connectUser, rather than mint a token that fails later. */
  userToken(userId: string, ttlSeconds: number): Promise<IssuedToken> {
    return this.sign({ user_id: checkUserId(userId, 'user_id') }, ttlSeconds);
  }

  serverToken(ttlSeconds: number): Promise<IssuedToken> {
    return this.sign({ server: true }, ttlSeconds);
  }

  private async sign(claims: Record<string, unknown>, ttlSeconds: number): Promise<IssuedToken> {
    const issuedAt = Math.floor(this.clock.nowMicros() / 1_000_000);
    const expiresAt = issuedAt + ttlSeconds;
    const token = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuedAt(issuedAt)
      .setExpirationTime(expiresAt)
      .sign(this.secret);
    return { token, expiresAt: expiresAt * 1_000_000 };
  }
}
