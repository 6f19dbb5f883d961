import type { Credentials } from '../config/credentials.js';

/**
 * Printed once, when the credentials are first generated: what to paste into an SDK, and the
 * console's sign-in link. Besides this, only the `herald` CLI prints tokens, when asked: logs
 * never carry one.
 */
export function printWelcome(credentials: Credentials, address: string, signInUrl: string): void {
  const { apiKey, apiSecret } = credentials;
  process.stdout.write(`
Herald generated API credentials (kept in the data directory; shown only this once):

  HERALD_API_KEY=${apiKey}
  HERALD_API_SECRET=${apiSecret}

stream-chat:
  import { StreamChat } from 'stream-chat';
  const client = new StreamChat('${apiKey}', '${apiSecret}', { baseURL: '${address}' });

@stream-io/node-sdk:
  import { StreamClient } from '@stream-io/node-sdk';
  const client = new StreamClient('${apiKey}', '${apiSecret}', { basePath: '${address}' });

Dashboard (this sign-in link is valid for 12 hours; \`herald dashboard-link\` prints a new one):
  ${signInUrl}

`);
}
