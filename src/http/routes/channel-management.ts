import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ChannelExportService } from '../../app/channel-export.js';
import type { ChannelMembersService } from '../../app/channel-members.js';
import type { ChannelMutesService } from '../../app/channel-mutes.js';
import type { ChangeMessageInput } from '../../app/channel-access.js';
import type { ChannelChange, ChannelUpdatesService } from '../../app/channel-updates.js';
import { channelReservedFields } from '../../domain/channel.js';
import { messageReservedFields, MAX_ATTACHMENTS } from '../../domain/message.js';
import { parseTime } from '../../domain/time.js';
import { encodeChannelMute, encodeOwnChannelMutes } from '../../wire/channel-mute-encoding.js';
import { customOf, type WireEncoder } from '../../wire/wire-encoder.js';
import { MemberSchema, toNewMembers, type MemberBody } from '../member-input.js';
import { parsePayload } from '../query-payload.js';
import { streamResponses } from '../response-schemas.js';
import { dualRoute, type RouteContext } from '../route-family.js';

const Params = Type.Object({ type: Type.String({ minLength: 1, maxLength: 64 }), id: Type.String({ minLength: 1, maxLength: 64 }) });
const MemberParams = Type.Object({ ...Params.properties, user_id: Type.String({ minLength: 1, maxLength: 255 }) });
const TaskParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 255 }) });
const UserRef = Type.Optional(Type.Object({ id: Type.String() }, { additionalProperties: true }));
const Ids = Type.Optional(Type.Array(Type.String()));
const Members = Type.Optional(Type.Array(MemberSchema));
const ChangeMessage = Type.Optional(
  Type.Object(
    {
      id: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
      text: Type.Optional(Type.String()),
      user_id: Type.Optional(Type.String()),
      user: UserRef,
      type: Type.Optional(Type.String()),
      attachments: Type.Optional(Type.Array(Type.Record(Type.String(), Type.Unknown()), { maxItems: MAX_ATTACHMENTS })),
      silent: Type.Optional(Type.Boolean()),
    },
    { additionalProperties: true },
  ),
);
const UpdateBody = Type.Object(
  {
    data: Type.Optional(
      Type.Object(
        {
          frozen: Type.Optional(Type.Boolean()),
          disabled: Type.Optional(Type.Boolean()),
          team: Type.Optional(Type.String({ maxLength: 1000 })),
          custom: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
        },
        { additionalProperties: true },
      ),
    ),
    add_members: Type.Optional(Type.Array(MemberSchema)),
    invites: Type.Optional(Type.Array(MemberSchema)),
    // Stream sends ids here; member objects are taken too, as everywhere a member is named.
    remove_members: Members,
    add_moderators: Members,
    demote_moderators: Members,
    assign_roles: Type.Optional(
      Type.Array(
        Type.Object(
          { user_id: Type.Optional(Type.String()), user: UserRef, channel_role: Type.String() },
          { additionalProperties: true },
        ),
      ),
    ),
    accept_invite: Type.Optional(Type.Boolean()),
    reject_invite: Type.Optional(Type.Boolean()),
    add_filter_tags: Ids,
    remove_filter_tags: Ids,
    hide_history: Type.Optional(Type.Boolean()),
    hide_history_before: Type.Optional(Type.Unknown()),
    skip_push: Type.Optional(Type.Boolean()),
    cooldown: Type.Optional(Type.Integer()),
    message: ChangeMessage,
    user_id: Type.Optional(Type.String()),
    user: UserRef,
  },
  { additionalProperties: true },
);
const PartialBody = Type.Object({
  set: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  unset: Type.Optional(Type.Array(Type.String())),
  user_id: Type.Optional(Type.String()),
  user: UserRef,
});
const TruncateBody = Type.Object({
  hard_delete: Type.Optional(Type.Boolean()),
  skip_push: Type.Optional(Type.Boolean()),
  truncated_at: Type.Optional(Type.Union([Type.String(), Type.Integer()])),
  member_ids: Ids,
  message: ChangeMessage,
  user_id: Type.Optional(Type.String()),
  user: UserRef,
});
const MemberPartialBody = Type.Object({
  set: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  unset: Type.Optional(Type.Array(Type.String())),
});
// A chat client adds its own user_id to every request's query (stream-chat
// _enrichAxiosOptions): with an explicit one, the parameter comes twice.
const QueryUserId = Type.String({ minLength: 1, maxLength: 255 });
const UserIdQuery = Type.Object({ user_id: Type.Optional(Type.Union([QueryUserId, Type.Array(QueryUserId, { maxItems: 2 })])) }, { additionalProperties: true });
const PayloadQuery = Type.Object({ payload: Type.Optional(Type.String()) }, { additionalProperties: true });
const MuteBody = Type.Object({
  channel_cid: Type.Optional(Type.String({ minLength: 1, maxLength: 130 })),
  channel_cids: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 130 }))),
  expiration: Type.Optional(Type.Integer()),
  user_id: Type.Optional(Type.String()),
  user: UserRef,
});
const ExportBody = Type.Object({
  channels: Type.Array(
    Type.Object(
      {
        type: Type.Optional(Type.String()),
        id: Type.Optional(Type.String()),
        cid: Type.Optional(Type.String()),
        messages_since: Type.Optional(Type.Union([Type.String(), Type.Integer()])),
        messages_until: Type.Optional(Type.Union([Type.String(), Type.Integer()])),
      },
      { additionalProperties: true },
    ),
  ),
  clear_deleted_message_text: Type.Optional(Type.Boolean()),
  export_users: Type.Optional(Type.Boolean()),
  include_soft_deleted_channels: Type.Optional(Type.Boolean()),
  include_truncated_messages: Type.Optional(Type.Boolean()),
  version: Type.Optional(Type.String()),
  format: Type.Optional(Type.String()),
  include_fields: Type.Optional(Type.Array(Type.String())),
});
const DownloadQuery = Type.Object({ token: Type.Optional(Type.String({ maxLength: 128 })) }, { additionalProperties: true });

type MessageBody = NonNullable<Static<typeof UpdateBody>['message']>;

const toChangeMessage = (m: MessageBody | undefined): ChangeMessageInput | undefined =>
  m && {
    id: m.id,
    text: m.text,
    user_id: m.user_id ?? m.user?.id,
    type: m.type,
    attachments: m.attachments,
    silent: m.silent,
    custom: customOf(m, messageReservedFields),
  };

const idsOf = (members: readonly MemberBody[] | undefined, field: string) => toNewMembers(members, field)?.map((m) => m.user_id);

function changeAnswer(wire: WireEncoder, change: ChannelChange, withMembers = true): Record<string, unknown> {
  return {
    channel: wire.channel(change.channel, change.created_by),
    ...(withMembers && { members: change.members.map((m) => wire.member(m)) }),
    ...(change.message && { message: wire.message(change.message) }),
  };
}

/** Where this request reached Herald: the base of the export download URL. */
const origin = (request: FastifyRequest) => `${request.protocol}://${request.host}`;

/**
 * Channel management (issue 14): updates and member operations, partial updates, truncation,
 * query members, partial member updates, channel mutes and exports, on both route families.
 */
export function channelManagementRoutes(
  app: FastifyInstance,
  services: { updates: ChannelUpdatesService; members: ChannelMembersService; mutes: ChannelMutesService; exports: ChannelExportService },
): void {
  const { updates, members, mutes, exports } = services;

  dualRoute(app, {
    method: 'POST', path: '/channels/:type/:id', v2Prefix: '/api/v2/chat', operationId: 'UpdateChannel', status: 201,
    schema: { params: Params, body: UpdateBody },
    async handler(request, { caller, wire }) {
      const { type, id } = request.params as Static<typeof Params>;
      const body = request.body as Static<typeof UpdateBody>;
      const data = body.data && {
        // `members` and `invites` in data are not operations: add_members and invites are.
        custom: customOf(body.data, new Set([...channelReservedFields, 'invites'])),
        frozen: body.data.frozen,
        disabled: body.data.disabled,
        team: body.data.team,
      };
      const change = await updates.update(caller, type, id, {
        data,
        add_members: toNewMembers(body.add_members, 'add_members'),
        invites: toNewMembers(body.invites, 'invites'),
        remove_members: idsOf(body.remove_members, 'remove_members'),
        add_moderators: idsOf(body.add_moderators, 'add_moderators'),
        demote_moderators: idsOf(body.demote_moderators, 'demote_moderators'),
        assign_roles: toNewMembers(body.assign_roles, 'assign_roles')?.map((m) => ({ user_id: m.user_id, channel_role: m.channel_role })),
        accept_invite: body.accept_invite,
        reject_invite: body.reject_invite,
        add_filter_tags: body.add_filter_tags,
        remove_filter_tags: body.remove_filter_tags,
        hide_history: body.hide_history,
        hide_history_before: body.hide_history_before,
        cooldown: body.cooldown,
        message: toChangeMessage(body.message),
        user_id: body.user_id ?? body.user?.id,
      });
      return changeAnswer(wire, change);
    },
  });

  dualRoute(app, {
    method: 'PATCH', path: '/channels/:type/:id', v2Prefix: '/api/v2/chat', operationId: 'UpdateChannelPartial', status: 200,
    schema: { params: Params, body: PartialBody },
    async handler(request, { caller, wire }) {
      const { type, id } = request.params as Static<typeof Params>;
      const body = request.body as Static<typeof PartialBody>;
      const change = await updates.updatePartial(caller, type, id, { set: body.set, unset: body.unset, user_id: body.user_id ?? body.user?.id });
      return changeAnswer(wire, change);
    },
  });

  dualRoute(app, {
    method: 'POST', path: '/channels/:type/:id/truncate', v2Prefix: '/api/v2/chat', operationId: 'TruncateChannel', status: 201,
    schema: { params: Params, body: TruncateBody },
    async handler(request, { caller, wire }) {
      const { type, id } = request.params as Static<typeof Params>;
      const body = request.body as Static<typeof TruncateBody>;
      const change = await updates.truncate(caller, type, id, {
        hard_delete: body.hard_delete,
        truncated_at: body.truncated_at === undefined ? undefined : parseTime(body.truncated_at, 'truncated_at'),
        member_ids: body.member_ids,
        message: toChangeMessage(body.message),
        user_id: body.user_id ?? body.user?.id,
      });
      return changeAnswer(wire, change, false);
    },
  });

  dualRoute(app, {
    method: 'GET', path: '/members', v2Prefix: '/api/v2/chat', operationId: 'QueryMembers', status: 200,
    schema: { querystring: PayloadQuery },
    async handler(request, { caller, wire }) {
      const payload = parsePayload((request.query as Static<typeof PayloadQuery>).payload);
      const found = await members.query(caller, payload);
      return { members: found.map((m) => wire.member(m)) };
    },
  });

  // stream-chat's updateMemberPartial and node-sdk's put the user in the query; stream-chat's
  // older partialUpdateMember (which archive() and pin() call) in the path.
  const memberPartial = (withUserInPath: boolean) =>
    async function handler(request: FastifyRequest, { caller, wire }: RouteContext) {
      const { type, id, user_id } = request.params as Static<typeof MemberParams>;
      const given = [(request.query as Static<typeof UserIdQuery>).user_id ?? []].flat();
      // Of two, the one that is not the caller's own (which a user token may not name).
      const explicit = given.find((u) => caller.kind === 'user' && u !== caller.userId) ?? given[0];
      const userId = withUserInPath ? user_id : explicit;
      const body = request.body as Static<typeof MemberPartialBody>;
      const updated = await members.updatePartial(caller, type, id, userId, { set: body.set, unset: body.unset });
      return { channel_member: wire.member(updated) };
    };
  dualRoute(app, {
    method: 'PATCH', path: '/channels/:type/:id/member', v2Prefix: '/api/v2/chat', operationId: 'UpdateMemberPartial', status: 200,
    schema: { params: Params, querystring: UserIdQuery, body: MemberPartialBody }, handler: memberPartial(false),
  });
  dualRoute(app, {
    method: 'PATCH', path: '/channels/:type/:id/member/:user_id', v2Prefix: '/api/v2/chat', operationId: 'PartialUpdateMember', status: 200,
    schema: { params: MemberParams, body: MemberPartialBody }, handler: memberPartial(true),
  });

  const cidsOf = (body: Static<typeof MuteBody>) => [...(body.channel_cid ? [body.channel_cid] : []), ...(body.channel_cids ?? [])];
  dualRoute(app, {
    method: 'POST', path: '/moderation/mute/channel', v2Prefix: '/api/v2/chat', operationId: 'MuteChannel', status: 201,
    schema: { body: MuteBody },
    async handler(request, { caller, wire }) {
      const body = request.body as Static<typeof MuteBody>;
      const result = await mutes.mute(caller, { channel_cids: cidsOf(body), expiration: body.expiration, user_id: body.user_id ?? body.user?.id });
      const muted = result.muted.map((m) => encodeChannelMute(wire, m, result.user));
      return { channel_mute: muted[0], channel_mutes: muted, own_user: encodeOwnChannelMutes(wire, result.user, result.all) };
    },
  });
  dualRoute(app, {
    method: 'POST', path: '/moderation/unmute/channel', v2Prefix: '/api/v2/chat', operationId: 'UnmuteChannel', status: 201,
    schema: { body: MuteBody },
    async handler(request, { caller }) {
      const body = request.body as Static<typeof MuteBody>;
      await mutes.unmute(caller, { channel_cids: cidsOf(body), user_id: body.user_id ?? body.user?.id });
      return {};
    },
  });

  dualRoute(app, {
    method: 'POST', path: '/export_channels', v2Prefix: '/api/v2/chat', operationId: 'ExportChannels', status: 201,
    serverOnly: true, schema: { body: ExportBody },
    async handler(request, { caller }) {
      const body = request.body as Static<typeof ExportBody>;
      const task = await exports.export(caller, body, origin(request));
      return { task_id: task.id };
    },
  });
  dualRoute(app, {
    method: 'GET', path: '/export_channels/:id', v2Prefix: '/api/v2/chat', operationId: 'GetExportChannelsStatus', status: 200,
    serverOnly: true, schema: { params: TaskParams },
    async handler(request, { caller, wire }) {
      return wire.task(await exports.status(caller, (request.params as Static<typeof TaskParams>).id));
    },
  });
}

/**
 * The export file behind a task's result.url: outside the authenticated routes, as a
 * pre-signed URL is, and guarded by the random token the URL carries instead.
 */
export function channelExportDownloadRoute(app: FastifyInstance, exports: ChannelExportService): void {
  app.route({
    method: 'GET',
    url: '/export_channels/:id/download',
    schema: {
      operationId: 'DownloadChannelExport', tags: ['export_channels'], security: [],
      params: TaskParams, querystring: DownloadQuery,
      response: streamResponses(200, Type.Object({ channels: Type.Array(Type.Unknown()) }, { additionalProperties: true, description: 'The export file (JSON)' })),
    },
    config: { operationId: 'DownloadChannelExport' },
    async handler(request, reply) {
      const { id } = request.params as Static<typeof TaskParams>;
      const body = await exports.download(id, (request.query as Static<typeof DownloadQuery>).token);
      return reply
        .code(200)
        .type('application/json; charset=utf-8')
        .header('content-disposition', `attachment; filename="channels-${id.replace(/[^\w-]/g, '_')}.json"`)
        .send(body);
    },
  });
}
