import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppSettingsService } from '../../app/app-settings.js';
import type { AppSettings } from '../../domain/app-settings.js';
import { channelTypes } from '../../domain/channel-types.js';
import { queryInt, QueryInt } from '../query-values.js';
import { dualRoute } from '../route-family.js';
import type { WireEncoder } from '../../wire/wire-encoder.js';

const Hook = Type.Object(
  {
    id: Type.Optional(Type.String()),
    hook_type: Type.Optional(Type.String()),
    enabled: Type.Optional(Type.Boolean()),
    webhook_url: Type.Optional(Type.String()),
    event_types: Type.Optional(Type.Array(Type.String())),
  },
  { additionalProperties: true },
);
const PatchBody = Type.Object({
  webhook_url: Type.Optional(Type.String()),
  event_hooks: Type.Optional(Type.Array(Hook)),
  campaign_max_messages_per_second: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
  guest_users_enabled: Type.Optional(Type.Boolean()),
  revoke_tokens_issued_before: Type.Optional(Type.Union([Type.String({ maxLength: 64 }), Type.Integer(), Type.Null()])),
});
const FailedQuery = Type.Object({ limit: Type.Optional(QueryInt), next: Type.Optional(Type.String()) }, { additionalProperties: true });
const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 255 }) });

const encodeSettings = (wire: WireEncoder, s: AppSettings) => ({
  name: 'herald',
  webhook_url: s.webhook_url,
  event_hooks: s.event_hooks.map((h) => ({ ...h, created_at: wire.time(h.created_at), updated_at: wire.time(h.updated_at) })),
  channel_configs: channelTypes,
  // Herald never pushes, and webhooks are signed as Stream signs them.
  push_notifications: { version: 'v3', providers: [] },
  disable_auth_checks: false,
  disable_permissions_checks: false,
  multi_tenant_enabled: false,
  // Herald's app-wide campaign throttle (README, Campaign controls).
  campaign_max_messages_per_second: s.campaign_max_messages_per_second,
  // Herald's switch for client-side guest users (POST /guest without a token).
  guest_users_enabled: s.guest_users_enabled,
  revoke_tokens_issued_before: wire.time(s.revoke_tokens_issued_before),
});

export function appRoutes(app: FastifyInstance, settings: AppSettingsService): void {
  const base = { v2Prefix: '/api/v2', serverOnly: true } as const;
  dualRoute(app, {
    ...base, method: 'GET', path: '/app', operationId: 'GetApp', status: 200, schema: {},
    async handler(_request, { wire }) {
      return { app: encodeSettings(wire, await settings.get()) };
    },
  });
  dualRoute(app, {
    ...base, method: 'PATCH', path: '/app', operationId: 'UpdateApp', status: 200, schema: { body: PatchBody },
    async handler(request) {
      // The name the client used for this server, and the address it reached.
      const ownHosts = [request.host, `${request.socket.localAddress}:${request.socket.localPort}`];
      await settings.update(request.body as Static<typeof PatchBody>, ownHosts);
      return {};
    },
  });
  dualRoute(app, {
    ...base, method: 'GET', path: '/app/webhooks/failed', operationId: 'QueryFailedWebhooks', status: 200,
    schema: { querystring: FailedQuery },
    async handler(request, { wire }) {
      const query = request.query as Static<typeof FailedQuery>;
      const page = await settings.failedWebhooks({ limit: queryInt(query.limit, 'limit', 0, 1000), next: query.next });
      return {
        webhooks: page.items.map((row) => ({
          id: row.id,
          webhook_url: row.hook_url,
          event_type: row.event_type,
          attempts: row.attempts,
          last_error: row.last_error,
          created_at: wire.time(row.created_at),
          event: JSON.parse(row.body) as unknown,
        })),
        next: page.next,
      };
    },
  });
  dualRoute(app, {
    ...base, method: 'POST', path: '/app/webhooks/failed/:id/retry', operationId: 'RetryFailedWebhook', status: 201,
    schema: { params: IdParams },
    async handler(request) {
      await settings.retryWebhook((request.params as Static<typeof IdParams>).id);
      return {};
    },
  });
}
