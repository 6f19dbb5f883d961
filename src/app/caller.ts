import { notAllowed } from '../domain/errors.js';

/** Who is calling: the app's backend (server token) or one user (user token). */
export type Caller = { readonly kind: 'server' } | { readonly kind: 'user'; readonly userId: string };

export const serverCaller: Caller = Object.freeze({ kind: 'server' });

export function requireServer(caller: Caller, what: string): void {
  if (caller.kind !== 'server') throw notAllowed(`${what} requires server-side auth`);
}

/** A user token may act only as its own user. */
export function requireSelf(caller: Caller, userId: string, what: string): void {
  if (caller.kind === 'user' && caller.userId !== userId) {
    throw notAllowed(`user "${caller.userId}" is not allowed to ${what} for user "${userId}"`);
  }
}
