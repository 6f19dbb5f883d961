import type { Micros } from './clock.js';
import { inputError } from './errors.js';

export interface EventHook {
  id: string;
  hook_type: 'webhook';
  enabled: boolean;
  webhook_url: string;
  /** Event types this hook receives; empty means every event. */
  event_types: string[];
  created_at: Micros;
  updated_at: Micros;
}

export interface AppSettings {
  /** Stream's legacy single hook: every event. */
  webhook_url: string;
  event_hooks: EventHook[];
  /** Herald's app-wide throttle: messages a second of all running campaigns together; null for none. */
  campaign_max_messages_per_second: number | null;
  /**
   * Whether a chat client may make itself a guest user (`POST /guest` without a token, as
   * stream-chat's setGuestUser does). Off by default: with it on, anyone who has the public
   * API key can mint user tokens. A server-side call may always create guests.
   */
  guest_users_enabled: boolean;
  /** User tokens issued before this are refused (Stream's revokeTokens); null: none are. */
  revoke_tokens_issued_before: Micros | null;
}

export const emptySettings = (): AppSettings => ({ webhook_url: '', event_hooks: [], campaign_max_messages_per_second: null, guest_users_enabled: false, revoke_tokens_issued_before: null });

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\]|0\.0\.0\.0|\[::\])$/i;
const portOf = (url: URL) => url.port || (url.protocol === 'https:' ? '443' : '80');

/** The URL names one of Herald's own `host:port`s, or a loopback alias of one. */
function pointsAtSelf(url: URL, ownHosts: readonly string[]): boolean {
  return ownHosts.some((own) => {
    let self: URL;
    try {
      self = new URL(`http://${own}`);
    } catch {
      return false;
    }
    if (portOf(self) !== portOf(url)) return false;
    const host = url.hostname.toLowerCase();
    return host === self.hostname.toLowerCase() || (LOOPBACK.test(host) && LOOPBACK.test(self.hostname));
  });
}

/**
 * A webhook URL is http(s), carries no credentials, and does not point back at Herald itself
 * (`ownHosts`: the `host:port`s this server answers on), so that events never land on its
 * own API. Deliveries carry no JWT, so the API would refuse them anyway; this says so early.
 */
export function checkWebhookUrl(url: string, field: string, ownHosts: readonly string[] = []): void {
  if (url === '') return;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw inputError(`${field} must be an http(s) URL`, { [field]: 'invalid URL' });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw inputError(`${field} must be an http(s) URL`, { [field]: 'invalid URL' });
  }
  if (parsed.username || parsed.password) {
    throw inputError(`${field} must not carry credentials`, { [field]: 'credentials in URL' });
  }
  if (pointsAtSelf(parsed, ownHosts)) {
    throw inputError(`${field} must not point at this Herald server`, { [field]: 'points at Herald' });
  }
}

/** The URLs an event of this type goes to: the legacy webhook_url and every matching enabled hook. */
export function hookUrlsFor(settings: AppSettings, eventType: string): string[] {
  const urls = new Set<string>();
  if (settings.webhook_url) urls.add(settings.webhook_url);
  for (const hook of settings.event_hooks) {
    if (hook.hook_type !== 'webhook' || !hook.enabled || !hook.webhook_url) continue;
    if (hook.event_types.length === 0 || hook.event_types.includes(eventType)) urls.add(hook.webhook_url);
  }
  return [...urls];
}
