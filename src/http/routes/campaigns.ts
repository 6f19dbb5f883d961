import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { CampaignLifecycle } from '../../app/campaign-lifecycle.js';
import type { CampaignInput, CampaignsService } from '../../app/campaigns.js';
import { parseTime } from '../../domain/time.js';
import { queryInt, QueryInt } from '../query-values.js';
import { dualRoute } from '../route-family.js';
import { campaignResponse, encodeCampaign, wrappedCampaignResponse } from '../../wire/campaign-encoding.js';

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 255 }) });
const Obj = Type.Record(Type.String(), Type.Unknown());
const MessageTemplate = Type.Object(
  {
    text: Type.Optional(Type.String()),
    attachments: Type.Optional(Type.Array(Obj)),
    custom: Type.Optional(Obj),
    poll_id: Type.Optional(Type.String()),
    searchable: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: true },
);
const ChannelTemplate = Type.Object(
  {
    type: Type.Optional(Type.String()),
    id: Type.Optional(Type.String()),
    custom: Type.Optional(Obj),
    team: Type.Optional(Type.String()),
    members: Type.Optional(Type.Array(Type.String())),
    members_template: Type.Optional(
      Type.Array(Type.Object({ user_id: Type.String(), channel_role: Type.Optional(Type.String()), custom: Type.Optional(Obj) })),
    ),
  },
  { additionalProperties: true },
);
const CampaignBody = Type.Object({
  id: Type.Optional(Type.String({ maxLength: 255 })),
  name: Type.Optional(Type.String()),
  description: Type.Optional(Type.String()),
  sender_id: Type.Optional(Type.String()),
  sender_mode: Type.Optional(Type.String()),
  sender_visibility: Type.Optional(Type.String()),
  create_channels: Type.Optional(Type.Boolean()),
  show_channels: Type.Optional(Type.Boolean()),
  skip_push: Type.Optional(Type.Boolean()),
  skip_webhook: Type.Optional(Type.Boolean()),
  segment_ids: Type.Optional(Type.Array(Type.String())),
  user_ids: Type.Optional(Type.Array(Type.String())),
  message_template: Type.Optional(MessageTemplate),
  channel_template: Type.Optional(ChannelTemplate),
  max_messages_per_second: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
  delivery_window: Type.Optional(Type.Union([Type.Object({
    start: Type.String(),
    end: Type.String(),
    timezone_field: Type.Optional(Type.String()),
    default_timezone: Type.Optional(Type.String()),
  }), Type.Null()])),
});
const Time = Type.Union([Type.String(), Type.Integer()]);
const StartBody = Type.Object({ scheduled_for: Type.Optional(Time), stop_at: Type.Optional(Time) });
const UsersQuery = Type.Object(
  { limit: Type.Optional(QueryInt), next: Type.Optional(Type.String()), prev: Type.Optional(Type.String()) },
  { additionalProperties: true },
);
const QueryBody = Type.Object({
  filter: Type.Optional(Obj),
  sort: Type.Optional(Type.Unknown()),
  limit: Type.Optional(Type.Integer()),
  next: Type.Optional(Type.String()),
  prev: Type.Optional(Type.String()),
  user_limit: Type.Optional(Type.Integer()),
});

const toInput = (body: Static<typeof CampaignBody>): CampaignInput => ({
  ...body,
  sender_mode: body.sender_mode as CampaignInput['sender_mode'],
  sender_visibility: body.sender_visibility as CampaignInput['sender_visibility'],
  message_template: body.message_template as CampaignInput['message_template'],
  channel_template: body.channel_template as CampaignInput['channel_template'],
  delivery_window: body.delivery_window as CampaignInput['delivery_window'],
});

export function campaignRoutes(app: FastifyInstance, campaigns: CampaignsService, lifecycle: CampaignLifecycle): void {
  const base = { v2Prefix: '/api/v2/chat', serverOnly: true } as const;
  const id = (request: { params: unknown }) => (request.params as Static<typeof IdParams>).id;

  dualRoute(app, {
    ...base, method: 'POST', path: '/campaigns', operationId: 'CreateCampaign', status: 201, schema: { body: CampaignBody },
    async handler(request, { wire }) {
      return campaignResponse(wire, await campaigns.create(toInput(request.body as Static<typeof CampaignBody>)));
    },
  });
  dualRoute(app, {
    ...base, method: 'GET', path: '/campaigns/:id', operationId: 'GetCampaign', status: 200,
    schema: { params: IdParams, querystring: UsersQuery },
    async handler(request, { wire }) {
      const query = request.query as Static<typeof UsersQuery>;
      const page = { limit: queryInt(query.limit, 'limit', 0, 1000), next: query.next, prev: query.prev };
      return campaignResponse(wire, await campaigns.get(id(request), page));
    },
  });
  dualRoute(app, {
    ...base, method: 'PUT', path: '/campaigns/:id', operationId: 'UpdateCampaign', status: 201,
    schema: { params: IdParams, body: CampaignBody },
    async handler(request, { wire }) {
      const { id: _ignored, ...body } = request.body as Static<typeof CampaignBody>;
      return wrappedCampaignResponse(wire, await campaigns.update(id(request), toInput(body)));
    },
  });
  dualRoute(app, {
    ...base, method: 'DELETE', path: '/campaigns/:id', operationId: 'DeleteCampaign', status: 200, schema: { params: IdParams },
    async handler(request) {
      await campaigns.delete(id(request));
      return {};
    },
  });
  dualRoute(app, {
    ...base, method: 'POST', path: '/campaigns/:id/start', operationId: 'StartCampaign', status: 201,
    schema: { params: IdParams, body: StartBody },
    async handler(request, { wire }) {
      const body = request.body as Static<typeof StartBody>;
      const view = await lifecycle.start(id(request), {
        scheduled_for: body.scheduled_for === undefined ? undefined : parseTime(body.scheduled_for, 'scheduled_for'),
        stop_at: body.stop_at === undefined ? undefined : parseTime(body.stop_at, 'stop_at'),
      });
      return campaignResponse(wire, view);
    },
  });
  dualRoute(app, {
    ...base, method: 'POST', path: '/campaigns/:id/stop', operationId: 'StopCampaign', status: 201, schema: { params: IdParams },
    async handler(request, { wire }) {
      return wrappedCampaignResponse(wire, await lifecycle.stop(id(request)));
    },
  });
  dualRoute(app, {
    ...base, method: 'POST', path: '/campaigns/query', operationId: 'QueryCampaigns', status: 201, schema: { body: QueryBody },
    async handler(request, { wire }) {
      const page = await campaigns.query(request.body as Static<typeof QueryBody>);
      return { campaigns: page.items.map((v) => encodeCampaign(wire, v)), next: page.next, prev: page.prev };
    },
  });
}
