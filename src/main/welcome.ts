import type { Credentials } from '../config/credentials.js';

/** Printed once, when the credentials are first generated: what to paste into an SDK. */
export function printWelcome(credentials: Credentials, address: string): void {
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

`);
}
