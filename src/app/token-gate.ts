import { ErrorCode, notAllowed } from '../domain/errors.js';
import { tokenRevoked } from '../domain/token-revocation.js';
import type { Storage } from './ports.js';
import { authError } from './tokens.js';

/**
 * What a valid user token must still pass, on REST and on a chat connection alike: its user
 * is not deactivated, and neither the app nor the user revoked tokens issued before it. Two
 * primary-key reads, side by side (PostgreSQL runs them on two pool connections).
 */
export async function admitUserToken(storage: Pick<Storage, 'users' | 'settings'>, userId: string, issuedAt: number | undefined): Promise<void> {
  const [[user], settings] = await Promise.all([storage.users.batchGet([userId]), storage.settings.get()]);
  // 403, code 17: the client does not retry (an error frame on a chat connection says so too).
  if (user?.deactivated_at != null) throw notAllowed(`user "${userId}" is deactivated`);
  if (tokenRevoked(issuedAt, settings.revoke_tokens_issued_before, user?.revoke_tokens_issued_before)) {
    throw authError(ErrorCode.authentication, 'token was revoked: it was issued before revoke_tokens_issued_before');
  }
}
