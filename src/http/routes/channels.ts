import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ChannelEventsService } from '../../app/channel-events.js';
import type { ChannelDataInput, ChannelsService } from '../../app/channels.js';
import { channelReservedFields, cidOf } from '../../domain/channel.js';
import { eventReservedFields } from '../../domain/custom-event.js';
import { inputError } from '../../domain/errors.js';
import { QueryBool, queryBool } from '../query-values.js';
import { dualRoute, type RouteContext } from '../route-family.js';
import { customOf } from '../../wire/wire-encoder.js';
import { MemberSchema, toNewMembers } from '../member-input.js';

const Params = Type.Object({ type: Type.String({ minLength: 1, maxLength: 64 }), id: Type.String({ minLength: 1, maxLength: 64 }) });
const TypeParams = Type.Object({ type: Type.String({ minLength: 1, maxLength: 64 }) });
const ChannelData = Type.Object(
  {
    created_by_id: Type.Optional(Type.String()),
    created_by: Type.Optional(Type.Object({ id: Type.String() }, { additionalProperties: true })),
    members: Type.Optional(Type.Array(MemberSchema)),
    invites: Type.Optional(Type.Array(MemberSchema)),
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
  watch: Type.Optional(Type.Boolean()),
  state: Type.Optional(Type.Boolean()),
  presence: Type.Optional(Type.Boolean()),
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
const ReadManyBody = Type.Object({
  user_id: Type.Optional(Type.String()),
  user: UserRef,
  /** cid → the message read up to; the whole channel is read whatever the id (app/channels.ts). */
  read_by_channel: Type.Optional(Type.Record(Type.String(), Type.String())),
});
/** A chat client's REST calls carry its connection (client.ts `_enrichAxiosOptions`). */
const ConnectionQuery = Type.Object({ connection_id: Type.Optional(Type.String({ maxLength: 64 })) }, { additionalProperties: true });
const EventBody = Type.Object({
  event: Type.Object(
    {
      type: Type.String({ minLength: 1, maxLength: 64 }),
      parent_id: Type.Optional(Type.String({ maxLength: 255 })),
      user_id: Type.Optional(Type.String()),
      user: UserRef,
    },
    { additionalProperties: true },
  ),
});

/** The connection to add the channels to, when the client asked to watch them. */
const watchFrom = (request: FastifyRequest, watch: boolean | undefined) =>
  watch ? (request.query as Static<typeof ConnectionQuery>).connection_id : undefined;

type ChannelDataBody = Static<typeof ChannelData>;
/** `invites` is an operation of creation, never custom data. */
const dataFields = new Set([...channelReservedFields, 'invites']);

function toChannelData(data: ChannelDataBody | undefined): ChannelDataInput | undefined {
  if (!data) return undefined;
  // Strings or member objects ({user_id, channel_role?, ...custom} or {user: {id}}).
  const members = toNewMembers(data.members, 'data.members');
  const invites = toNewMembers(data.invites, 'data.invites');
  if (data.created_by_id && data.created_by && data.created_by.id !== data.created_by_id) {
    throw inputError('data.created_by and data.created_by_id disagree', { created_by: 'conflict' });
  }
  return {
    created_by_id: data.created_by_id ?? data.created_by?.id,
    members,
    invites,
    team: data.team,
    frozen: data.frozen,
    custom: customOf(data, dataFields),
  };
}

export function channelRoutes(app: FastifyInstance, channels: ChannelsService, events: ChannelEventsService): void {
  const getOrCreate = (withId: boolean) =>
    async function handler(request: FastifyRequest, { caller, wire }: RouteContext) {
      const { type, id } = request.params as { type: string; id?: string };
      const body = request.body as Static<typeof QueryBody>;
      const state = await channels.getOrCreate(caller, {
        type,
        id: withId ? id : undefined,
        data: toChannelData(body.data),
        messages: body.messages,
        members: body.members,
        watchFrom: watchFrom(request, body.watch),
      });
      return wire.channelState(state);
    };

  dualRoute(app, {
    method: 'POST', path: '/channels/:type/:id/query', v2Prefix: '/api/v2/chat', operationId: 'GetOrCreateChannel',
    status: 201, schema: { params: Params, body: QueryBody, querystring: ConnectionQuery }, handler: getOrCreate(true),
  });
  dualRoute(app, {
    method: 'POST', path: '/channels/:type/query', v2Prefix: '/api/v2/chat', operationId: 'GetOrCreateDistinctChannel',
    status: 201, schema: { params: TypeParams, body: QueryBody, querystring: ConnectionQuery }, handler: getOrCreate(false),
  });

  dualRoute(app, {
    method: 'POST', path: '/channels', v2Prefix: '/api/v2/chat', operationId: 'QueryChannels', status: 201,
    schema: { body: QueryChannelsBody, querystring: ConnectionQuery },
    async handler(request, { caller, wire }) {
      const body = request.body as Static<typeof QueryChannelsBody>;
      const states = await channels.query(caller, { ...body, watchFrom: watchFrom(request, body.watch) });
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
        await channels.setHidden(caller, cidOf(type, id), body.user_id ?? body.user?.id, hidden, body.clear_history ?? false);
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

  // stream-chat markChannelsRead / markAllRead, node-sdk chat.markChannelsRead.
  dualRoute(app, {
    method: 'POST', path: '/channels/read', v2Prefix: '/api/v2/chat', operationId: 'MarkChannelsRead', status: 201,
    schema: { body: ReadManyBody },
    async handler(request, { caller }) {
      const body = request.body as Static<typeof ReadManyBody>;
      await channels.markChannelsRead(caller, body.user_id ?? body.user?.id, body.read_by_channel);
      return {};
    },
  });

  dualRoute(app, {
    method: 'POST', path: '/channels/:type/:id/stop-watching', v2Prefix: '/api/v2/chat', operationId: 'StopWatchingChannel',
    status: 201, schema: { params: Params, querystring: ConnectionQuery },
    async handler(request, { caller }) {
      const { type, id } = request.params as Static<typeof Params>;
      channels.stopWatching(caller, cidOf(type, id), (request.query as Static<typeof ConnectionQuery>).connection_id);
      return {};
    },
  });

  dualRoute(app, {
    method: 'POST', path: '/channels/:type/:id/event', v2Prefix: '/api/v2/chat', operationId: 'SendEvent', status: 201,
    schema: { params: Params, body: EventBody },
    async handler(request, { caller, wire }) {
      const { type, id } = request.params as Static<typeof Params>;
      const { event } = request.body as Static<typeof EventBody>;
      // A custom event's own fields: flattened (stream-chat's sendEvent) or under `custom` (node-sdk).
      const custom = customOf(event, eventReservedFields);
      const sent = await events.send(caller, type, id, { type: event.type, parent_id: event.parent_id, user_id: event.user_id ?? event.user?.id, custom });
      return {
        event: wire.withCustom(
          {
            type: sent.event.type,
            cid: sent.cid,
            channel_id: id,
            channel_type: type,
            user: wire.user(sent.event.user),
            ...(sent.event.parent_id !== undefined && { parent_id: sent.event.parent_id }),
            created_at: wire.time(sent.event.created_at),
          },
          sent.custom,
        ),
      };
    },
  });
}
