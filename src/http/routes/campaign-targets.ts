import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { CampaignTargetsService } from '../../app/campaign-targets.js';
import type { CampaignTarget } from '../../domain/campaign-target.js';
import { dualRoute } from '../route-family.js';
import type { WireEncoder } from '../../wire/wire-encoder.js';

const TargetParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 255 }), target_id: Type.String({ minLength: 1 }) });
const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 255 }) });
const QueryBody = Type.Object({
  filter: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  limit: Type.Optional(Type.Integer()),
  next: Type.Optional(Type.String()),
});

/** Herald's addition: `{campaign_id, target_id, status, reason?, error?, message_id?, channel_cid?, deferred_until?, recalled_at?, edited_at?, updated_at}`. */
const encodeTarget = (wire: WireEncoder, t: CampaignTarget) => ({
  campaign_id: t.campaign_id,
  target_id: t.target_id,
  status: t.status,
  ...(t.reason !== null && { reason: t.reason }),
  ...(t.error !== null && { error: t.error }),
  ...(t.message_id !== null && { message_id: t.message_id }),
  ...(t.channel_cid !== null && { channel_cid: t.channel_cid }),
  ...(t.deferred_until !== null && { deferred_until: wire.time(t.deferred_until) }),
  ...(t.recalled_at !== null && { recalled_at: wire.time(t.recalled_at) }),
  ...(t.edited_at !== null && { edited_at: wire.time(t.edited_at) }),
  updated_at: wire.time(t.updated_at),
});

export function campaignTargetRoutes(app: FastifyInstance, targets: CampaignTargetsService): void {
  const base = { v2Prefix: '/api/v2/chat', serverOnly: true } as const;
  dualRoute(app, {
    ...base, method: 'GET', path: '/campaigns/:id/targets/:target_id', operationId: 'GetCampaignTarget', status: 200,
    schema: { params: TargetParams },
    async handler(request, { wire }) {
      const { id, target_id } = request.params as Static<typeof TargetParams>;
      return { target: encodeTarget(wire, await targets.get(id, target_id)) };
    },
  });
  dualRoute(app, {
    ...base, method: 'POST', path: '/campaigns/:id/targets/query', operationId: 'QueryCampaignTargets', status: 201,
    schema: { params: IdParams, body: QueryBody },
    async handler(request, { wire }) {
      const { id } = request.params as Static<typeof IdParams>;
      const page = await targets.query(id, request.body as Static<typeof QueryBody>);
      return { targets: page.items.map((t) => encodeTarget(wire, t)), next: page.next };
    },
  });
}
