import { randomUUID } from 'node:crypto';
import { checkThrottle } from '../domain/campaign.js';
import { checkWebhookUrl, type AppSettings, type EventHook } from '../domain/app-settings.js';
import { decodeCursor, encodeCursor } from '../domain/cursor.js';
import { inputError, notFound } from '../domain/errors.js';
import { parseRevokedBefore } from '../domain/token-revocation.js';
import type { AppDeps } from './app-deps.js';
import type { OutboxRow } from './ports.js';
import { pageLimit, type Paged } from './paging.js';

export interface HookInput {
  id?: string;
  hook_type?: string;
  enabled?: boolean;
  webhook_url?: string;
  event_types?: string[];
}

export interface SettingsPatch {
  webhook_url?: string;
  event_hooks?: HookInput[];
  campaign_max_messages_per_second?: number | null;
  guest_users_enabled?: boolean;
  /** RFC 3339, int64 nanoseconds, or null to clear. */
  revoke_tokens_issued_before?: unknown;
}

const isAfter = (v: Record<string, unknown>): v is { a: string } => typeof v.a === 'string';

/** App settings (`GET/PATCH /app`) and the dead-letter queue of webhooks. */
export class AppSettingsService {
  constructor(private readonly deps: AppDeps) {}

  get(): Promise<AppSettings> {
    return this.deps.storage.settings.get();
  }

  /**
   * Merges the given settings; `event_hooks`, when given, replaces the list (Stream's rule).
   * `ownHosts` are the `host:port`s this server answers on, which no hook may point at.
   */
  async update(patch: SettingsPatch, ownHosts: readonly string[] = []): Promise<AppSettings> {
    const now = this.deps.clock.nowMicros();
    if (patch.webhook_url !== undefined) checkWebhookUrl(patch.webhook_url, 'webhook_url', ownHosts);
    if (patch.campaign_max_messages_per_second !== undefined) checkThrottle(patch.campaign_max_messages_per_second, 'campaign_max_messages_per_second');
    const revokedBefore = patch.revoke_tokens_issued_before === undefined ? undefined : parseRevokedBefore(patch.revoke_tokens_issued_before, 'revoke_tokens_issued_before');
    return this.deps.storage.transaction(async (stores) => {
      const before = await stores.settings.get();
      const previous = new Map(before.event_hooks.map((h) => [h.id, h]));
      const hooks = patch.event_hooks?.map((input, i): EventHook => {
        const field = `event_hooks[${i}]`;
        if ((input.hook_type ?? 'webhook') !== 'webhook') {
          throw inputError(`${field}.hook_type ${JSON.stringify(input.hook_type)} is not supported; use webhook`, { [field]: 'hook_type' });
        }
        if (!input.webhook_url) throw inputError(`${field}.webhook_url is a required field`, { [field]: 'webhook_url' });
        checkWebhookUrl(input.webhook_url, `${field}.webhook_url`, ownHosts);
        const old = input.id ? previous.get(input.id) : undefined;
        return {
          id: input.id ?? randomUUID(),
          hook_type: 'webhook',
          enabled: input.enabled ?? true,
          webhook_url: input.webhook_url,
          event_types: input.event_types ?? [],
          created_at: old?.created_at ?? now,
          updated_at: now,
        };
      });
      const settings: AppSettings = {
        webhook_url: patch.webhook_url ?? before.webhook_url,
        event_hooks: hooks ?? before.event_hooks,
        campaign_max_messages_per_second: patch.campaign_max_messages_per_second === undefined
          ? before.campaign_max_messages_per_second
          : patch.campaign_max_messages_per_second,
        guest_users_enabled: patch.guest_users_enabled ?? before.guest_users_enabled,
        revoke_tokens_issued_before: revokedBefore === undefined ? before.revoke_tokens_issued_before : revokedBefore,
      };
      await stores.settings.save(settings, now);
      return settings;
    });
  }

  async failedWebhooks(query: { limit?: number; next?: string }): Promise<Paged<OutboxRow>> {
    const limit = pageLimit(query.limit, 100, 1000);
    const after = query.next ? decodeCursor(query.next, 'next', isAfter).a : null;
    const rows = await this.deps.storage.outbox.listDead(after, limit + 1);
    const items = rows.slice(0, limit);
    return { items, ...(rows.length > limit && { next: encodeCursor({ a: items[items.length - 1].id }) }) };
  }

  async retryWebhook(id: string): Promise<void> {
    if (!(await this.deps.storage.outbox.revive(id, this.deps.clock.nowMicros()))) {
      throw notFound(`no failed webhook with id "${id}"`);
    }
  }
}
