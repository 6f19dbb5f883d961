import { TokenIssuer } from '../app/token-issuer.js';
import { systemClock, type Clock, type Micros } from '../domain/clock.js';

/** Long enough for a working day in the console; short enough that a leaked link soon expires. */
export const DASHBOARD_TOKEN_TTL_SECONDS = 12 * 3600;

export interface DashboardLink {
  url: string;
  expiresAt: Micros;
}

/**
 * The console's sign-in link: a server token and the API key in the URL's fragment, which a
 * browser never sends, so neither reaches a server's or a proxy's access log.
 */
export async function dashboardLink(
  credentials: { apiKey: string; apiSecret: string },
  listen: { host: string; port: number },
  clock: Clock = systemClock,
): Promise<DashboardLink> {
  const { token, expiresAt } = await new TokenIssuer(credentials.apiSecret, clock).serverToken(DASHBOARD_TOKEN_TTL_SECONDS);
  const fragment = new URLSearchParams({ token, key: credentials.apiKey });
  return { url: `http://${browsableHost(listen.host)}:${listen.port}/dashboard/#${fragment}`, expiresAt };
}

/** A server listening on every interface (HOST=0.0.0.0 or ::) is reached on localhost. */
function browsableHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}
