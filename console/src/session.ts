import type { Credentials } from './api';

/**
 * Where the console keeps its credentials: sessionStorage, so that they last for this tab and
 * go when it closes (or on "Sign out"). A secret typed into the sign-in form is used once, to
 * sign a server token here with WebCrypto, and is never stored nor sent.
 */
const STORE_KEY = 'herald.console.credentials';
/** Server tokens the console signs itself live as long as `herald dashboard-link`'s: 12 h. */
export const TOKEN_LIFETIME_SECONDS = 12 * 3600;

export interface Session extends Credentials {
  /** The token's `exp`, in ms; null when it has none. */
  expiresAtMs: number | null;
}

const base64url = (bytes: Uint8Array): string =>
  btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const utf8 = (text: string) => new TextEncoder().encode(text);

/** The token's `exp` claim in ms, or null; a token that is not a JWT gives null too. */
export function tokenExpiry(token: string): number | null {
  try {
    const payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const claims = JSON.parse(atob(payload)) as { exp?: unknown };
    return typeof claims.exp === 'number' ? claims.exp * 1000 : null;
  } catch {
    return null;
  }
}

export const sessionOf = (credentials: Credentials): Session => ({ ...credentials, expiresAtMs: tokenExpiry(credentials.token) });

/**
 * The HS256 server token `{server: true, exp}` that the SDKs make with the secret
 * (`createToken` for a server), signed in the browser. WebCrypto exists only in a secure
 * context: https, or http on localhost / 127.0.0.1.
 */
export async function signServerToken(secret: string, nowMs = Date.now()): Promise<string> {
  if (!globalThis.crypto?.subtle) {
    throw new Error('this page is not a secure context (https or localhost), so the browser cannot sign here: open the link from herald dashboard-link instead');
  }
  const header = base64url(utf8(JSON.stringify({ alg: 'HS256', typ: 'JWT' })));
  const payload = base64url(utf8(JSON.stringify({ server: true, exp: Math.floor(nowMs / 1000) + TOKEN_LIFETIME_SECONDS })));
  const key = await crypto.subtle.importKey('raw', utf8(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const signature = new Uint8Array(await crypto.subtle.sign('HMAC', key, utf8(`${header}.${payload}`)));
  return `${header}.${payload}.${base64url(signature)}`;
}

/**
 * Reads `#token=…&key=…` (the link `herald dashboard-link` prints) and takes it out of the
 * address bar and the history at once, so that it is neither bookmarked nor shared by accident.
 * The fragment never reaches a server, so no access log holds the token either.
 */
export function takeLinkCredentials(): Credentials | null {
  const fragment = new URLSearchParams(location.hash.replace(/^#/, ''));
  const token = fragment.get('token');
  const key = fragment.get('key');
  if (!token || !key) return null;
  history.replaceState(null, '', `${location.pathname}${location.search}#/campaigns`);
  return { token, key };
}

export function loadSession(): Session | null {
  try {
    const stored = JSON.parse(sessionStorage.getItem(STORE_KEY) ?? 'null') as Credentials | null;
    return stored?.key && stored.token ? sessionOf(stored) : null;
  } catch {
    return null;
  }
}

export function saveSession(credentials: Credentials): Session {
  sessionStorage.setItem(STORE_KEY, JSON.stringify({ key: credentials.key, token: credentials.token }));
  return sessionOf(credentials);
}

export function forgetSession(): void {
  sessionStorage.removeItem(STORE_KEY);
}
