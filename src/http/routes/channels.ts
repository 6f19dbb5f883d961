import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { ChannelDataInput, ChannelsService } from '../../app/channels.js';
import { ChannelRole, channelReservedFields, cidOf } from '../../domain/channel.js';
import { inputError } from '../../domain/errors.js';
import { QueryBool, queryBool } from '../query-values.js';
import { dualRoute } from '../route-family.js';
import { customOf } from '../../wire/wire-encoder.js';

const Params = Type.Object({ type: Type.String({ minLength: 1, maxLength: 64 }), id: Type.String({ minLength: 1, maxLength: 64 }) });
const TypeParams = Type.Object({ type: Type.String({ minLength: 1, maxLength: 64 }) });
const Member = Type.Union([
  Type.String(),
  Type.Object({ user_id: Type.String(), channel_role: Type.Optional(Type.String()) }, { additionalProperties: true }),
]);
const ChannelData = Type.Object(
  {
    created_by_id: Type.Optional(Type.String()),
    created_by: Type.Optional(Type.Object({ id: Type.String() }, { additionalProperties: true })),
    members: Type.Optional(Type.Array(Member)),
    team: Type.Optional(Type.String({ maxLength: 1000 })),
    frozen: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: true },
);
const MessagePaging = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 0, maximum: 300 })),
    id_lt: Type.Optional(Type.String()),
    id_lte: Type.Optional(Type.String()),
    id_gt: Type.Optional(Type.String()),
    id_gte: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);
const QueryBody = Type.Object({
  data: Type.Optional(ChannelData),
  messages: Type.Optional(MessagePaging),
  members: Type.Optional(
    Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 0 })), offset: Type.Optional(Type.Integer({ minimum: 0 })) }),
  ),
  state: Type.Optional(Type.Boolean()),
  watch: Type.Optional(Type.Boolean()),
  presence: Type.Optional(Type.Boolean()),
});
const QueryChannelsBody = Type.Object({
  filter_conditions: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  sort: Type.Optional(Type.Unknown()),
  limit: Type.Optional(Type.Integer()),
  offset: Type.Optional(Type.Integer()),
  message_limit: Type.Optional(Type.Integer()),
  member_limit: Type.Optional(Type.Integer()),
  user_id: Type.Optional(Type.String()),
});
const DeleteQuery = Type.Object({ hard_delete: Type.Optional(QueryBool) }, { additionalProperties: true });
const UserRef = Type.Optional(Type.Object({ id: Type.String() }, { additionalProperties: true }));
const UserBody = Type.Object({
  user_id: Type.Optional(Type.String()),
  user: UserRef,
  clear_history: Type.Optional(Type.Boolean()),
});
const ReadBody = Type.Object({ user_id: Type.Optional(Type.String()), user: UserRef, message_id: Type.Optional(Type.String()) });

type ChannelDataBody = Static<typeof ChannelData>;

function toChannelData(data: ChannelDataBody | undefined): ChannelDataInput | undefined {
  if (!data) return undefined;
  const members = data.members?.map((m) =>
    typeof m === 'string'
      ? { user_id: m, channel_role: ChannelRole.member }
      : { user_id: m.user_id, channel_role: m.channel_role ?? ChannelRole.member },
  );
  if (data.created_by_id && data.created_by && data.created_by.id !== data.created_by_id) {
    throw inputError('data.created_by and data.created_by_id disagree', { created_by: 'conflict' });
  }
  return {
    created_by_id: data.created_by_id ?? data.created_by?.id,
    members,
    team: data.team,
    frozen: data.frozen,
    custom: customOf(data, channelReservedFields),
  };
}

export function channelRoutes(app: FastifyInstance, channels: ChannelsService): void {
  const getOrCreate = (withId: boolean) =>
    async function handler(request: import('fastify').FastifyRequest, { caller, wire }: import('../route-family.js').RouteContext) {
      const { type, id } = request.params as { type: string; id?: string };
      const body = request.body as Static<typeof QueryBody>;
      const state = await channels.getOrCreate(caller, {
        type,
        id: withId ? id : undefined,
        data: toChannelData(body.data),
        messages: body.messages,
        members: body.members,
      });
      return wire.channelState(state);
    };

  dualRoute(app, {
    method: 'POST', path: '/channels/:type/:id/query', v2Prefix: '/api/v2/chat', operationId: 'GetOrCreateChannel',
    status: 201, schema: { params: Params, body: QueryBody }, handler: getOrCreate(true),
  });
  dualRoute(app, {
    method: 'POST', path: '/channels/:type/query', v2Prefix: '/api/v2/chat', operationId: 'GetOrCreateDistinctChannel',
    status: 201, schema: { params: TypeParams, body: QueryBody }, handler: getOrCreate(false),
  });

  dualRoute(app, {
    method: 'POST', path: '/channels', v2Prefix: '/api/v2/chat', operationId: 'QueryChannels', status: 201,
    schema: { body: QueryChannelsBody },
    async handler(request, { caller, wire }) {
      const states = await channels.query(caller, request.body as Static<typeof QueryChannelsBody>);
      return { channels: states.map((s) => wire.channelState(s)) };
    },
  });

  dualRoute(app, {
    method: 'DELETE', path: '/channels/:type/:id', v2Prefix: '/api/v2/chat', operationId: 'DeleteChannel', status: 200,
    serverOnly: true, schema: { params: Params, querystring: DeleteQuery },
    async handler(request, { caller, wire }) {
      const { type, id } = request.params as Static<typeof Params>;
      const hard = queryBool((request.query as Static<typeof DeleteQuery>).hard_delete) ?? false;
      const channel = await channels.delete(caller, cidOf(type, id), hard);
      return { channel: wire.channel(channel, null) };
    },
  });

  for (const [action, hidden] of [['hide', true], ['show', false]] as const) {
    dualRoute(app, {
      method: 'POST', path: `/channels/:type/:id/${action}`, v2Prefix: '/api/v2/chat',
      operationId: hidden ? 'HideChannel' : 'ShowChannel', status: 201,
      schema: { params: Params, body: UserBody },
      async handler(request, { caller }) {
        const { type, id } = request.params as Static<typeof Params>;
        const body = request.body as Static<typeof UserBody>;
        await channels.setHidden(caller, cidOf(type, id), body.user_id ?? body.user?.id, hidden);
        return {};
      },
    });
  }

  dualRoute(app, {
    method: 'POST', path: '/channels/:type/:id/read', v2Prefix: '/api/v2/chat', operationId: 'MarkRead', status: 201,
    schema: { params: Params, body: ReadBody },
    async handler(request, { caller, wire }) {
      const { type, id } = request.params as Static<typeof Params>;
      const body = request.body as Static<typeof ReadBody>;
      const read = await channels.markRead(caller, cidOf(type, id), body.user_id ?? body.user?.id);
      return {
        event: {
          type: 'message.read',
          cid: read.channel.cid,
          channel_id: read.channel.id,
          channel_type: read.channel.type,
          user: { id: read.user_id },
          created_at: wire.time(read.at),
        },
      };
    },
  });
}
