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
}

export const emptySettings = (): AppSettings => ({ webhook_url: '', event_hooks: [] });

export function checkWebhookUrl(url: string, field: string): void {
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
