import { notAllowed } from '../domain/errors.js';

/** Who is calling: the app's backend (server token) or one user (user token). */
export type Caller =
  | { readonly kind: 'server' }
  /** `issuedAt`: the token's `iat` in seconds, for revocation; absent when it has none. */
  | { readonly kind: 'user'; readonly userId: string; readonly issuedAt?: number };

export const serverCaller: Caller = Object.freeze({ kind: 'server' });

/**
 * A chat client without a token (`stream-auth-type: anonymous`), on the few routes that allow
 * one (POST /guest): a user with no id, which no user-scoped check matches.
 */
export const anonymousCaller: Caller = Object.freeze({ kind: 'user', userId: '' });

export function requireServer(caller: Caller, what: string): void {
  if (caller.kind !== 'server') throw notAllowed(`${what} requires server-side auth`);
}

/** A user token may act only as its own user. */
export function requireSelf(caller: Caller, userId: string, what: string): void {
  if (caller.kind === 'user' && caller.userId !== userId) {
    throw notAllowed(`user "${caller.userId}" is not allowed to ${what} for user "${userId}"`);
  }
}
