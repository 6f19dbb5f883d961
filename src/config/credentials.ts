import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Credentials {
  apiKey: string;
  apiSecret: string;
  /** True when this call generated them: the caller prints them once. */
  generated: boolean;
}

/**
 * The app's key and secret: from the configuration when given, otherwise generated on first
 * start and kept in `<dataDir>/credentials.json` (mode 0600) so that restarts keep them.
 */
export function resolveCredentials(dataDir: string, configured: { apiKey?: string; apiSecret?: string }): Credentials {
  const found = readCredentials(dataDir, configured);
  if (found) return found;
  const file = join(dataDir, 'credentials.json');
  mkdirSync(dataDir, { recursive: true });
  const apiKey = randomBytes(6).toString('hex');
  const apiSecret = randomBytes(32).toString('base64url');
  writeFileSync(file, JSON.stringify({ api_key: apiKey, api_secret: apiSecret }, null, 2), { mode: 0o600 });
  return { apiKey, apiSecret, generated: true };
}

/**
 * The credentials the server uses, without generating any: undefined before its first start.
 * The CLI signs tokens with them; were it to generate them, the server would never print its
 * welcome, and the secret would be one nobody was shown.
 */
export function readCredentials(dataDir: string, configured: { apiKey?: string; apiSecret?: string }): Credentials | undefined {
  if (configured.apiKey && configured.apiSecret) {
    return { apiKey: configured.apiKey, apiSecret: configured.apiSecret, generated: false };
  }
  const file = join(dataDir, 'credentials.json');
  if (!existsSync(file)) return undefined;
  const stored = JSON.parse(readFileSync(file, 'utf8')) as { api_key: string; api_secret: string };
  return { apiKey: stored.api_key, apiSecret: stored.api_secret, generated: false };
}
