import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { UserBansService } from '../../app/user-bans.js';
import type { UserMutesService } from '../../app/user-mutes.js';
import { cidOf } from '../../domain/channel.js';
import { inputError } from '../../domain/errors.js';
import { QueryBool } from '../query-values.js';
import { dualRoute } from '../route-family.js';
import { encodeBan, encodeBlock, encodeMute, encodeOwnUser } from '../../wire/moderation-encoding.js';
import { parsePayload } from '../query-payload.js';

const UserRef = Type.Object({ id: Type.String() }, { additionalProperties: true });
const BanBody = Type.Object(
  {
    target_user_id: Type.String({ minLength: 1 }),
    banned_by_id: Type.Optional(Type.String()),
    banned_by: Type.Optional(UserRef),
    // A channel ban: stream-chat sends type and id, node-sdk channel_cid.
    type: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    channel_cid: Type.Optional(Type.String({ minLength: 1, maxLength: 130 })),
    timeout: Type.Optional(Type.Integer()),
    reason: Type.Optional(Type.String()),
    shadow: Type.Optional(Type.Boolean()),
    ip_ban: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: true },
);
const UnbanQuery = Type.Object(
  {
    target_user_id: Type.String({ minLength: 1 }),
    type: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    channel_cid: Type.Optional(Type.String({ minLength: 1, maxLength: 130 })),
    shadow: Type.Optional(QueryBool),
    created_by: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);
const UnbanBody = Type.Object({ unbanned_by_id: Type.Optional(Type.String()), unbanned_by: Type.Optional(UserRef) }, { additionalProperties: true });
const PayloadQuery = Type.Object({ payload: Type.Optional(Type.String()) }, { additionalProperties: true });
const MuteBody = Type.Object(
  {
    target_id: Type.Optional(Type.String({ minLength: 1 })),
    target_ids: Type.Optional(Type.Array(Type.String())),
    user_id: Type.Optional(Type.String()),
    user: Type.Optional(UserRef),
    timeout: Type.Optional(Type.Integer()),
  },
  { additionalProperties: true },
);
const BlockBody = Type.Object(
  { blocked_user_id: Type.String({ minLength: 1 }), user_id: Type.Optional(Type.String()), user: Type.Optional(UserRef) },
  { additionalProperties: true },
);
const BlocksQuery = Type.Object({ user_id: Type.Optional(Type.String()) }, { additionalProperties: true });

/** A channel named by type and id (stream-chat) or by cid (node-sdk); none for app-wide. */
function channelCid(p: { type?: string; id?: string; channel_cid?: string }): string | undefined {
  if (p.channel_cid !== undefined) return p.channel_cid;
  if (p.type === undefined && p.id === undefined) return undefined;
  if (p.type === undefined || p.id === undefined) throw inputError('a channel ban needs both type and id', { [p.type === undefined ? 'type' : 'id']: 'required' });
  return cidOf(p.type, p.id);
}

/** target_id (stream-chat) or target_ids (node-sdk, and stream-chat's options). */
function targetsOf(body: { target_id?: string; target_ids?: string[] }): string[] {
  return [...(body.target_id !== undefined ? [body.target_id] : []), ...(body.target_ids ?? [])];
}

/**
 * Bans, mutes and blocks of users: stream-chat's banUser/unbanUser/shadowBan/removeShadowBan
 * (and channel.banUser), queryBannedUsers, muteUser/unmuteUser, blockUser/unBlockUser/
 * getBlockedUsers; node-sdk's moderation.ban/unban/mute/unmute and blockUsers/unblockUsers/
 * getBlockedUsers, on /api/v2.
 */
export function userModerationRoutes(app: FastifyInstance, bans: UserBansService, mutes: UserMutesService): void {
  dualRoute(app, {
    method: 'POST', path: '/moderation/ban', v2Prefix: '/api/v2', operationId: 'Ban', status: 201,
    schema: { body: BanBody },
    async handler(request, { caller }) {
      const body = request.body as Static<typeof BanBody>;
      await bans.ban(caller, {
        target_user_id: body.target_user_id,
        banned_by_id: body.banned_by_id ?? body.banned_by?.id,
        channel_cid: channelCid(body),
        timeout: body.timeout,
        reason: body.reason,
        shadow: body.shadow,
        ip_ban: body.ip_ban,
      });
      return {};
    },
  });
  // stream-chat's unbanUser: DELETE with the target and channel in the query.
  dualRoute(app, {
    method: 'DELETE', path: '/moderation/ban', v2Prefix: '/api/v2', operationId: 'Unban', status: 200,
    schema: { querystring: UnbanQuery },
    async handler(request, { caller }) {
      const query = request.query as Static<typeof UnbanQuery>;
      // `shadow` (removeShadowBan) needs nothing more: the one ban of that scope goes.
      await bans.unban(caller, { target_user_id: query.target_user_id, channel_cid: channelCid(query), unbanned_by_id: query.created_by });
      return {};
    },
  });
  // node-sdk's moderation.unban: POST, the target in the query, who unbans in the body.
  dualRoute(app, {
    method: 'POST', path: '/moderation/unban', v2Prefix: '/api/v2', operationId: 'ModerationUnban', status: 201,
    schema: { querystring: UnbanQuery, body: UnbanBody },
    async handler(request, { caller }) {
      const query = request.query as Static<typeof UnbanQuery>;
      const body = request.body as Static<typeof UnbanBody>;
      await bans.unban(caller, {
        target_user_id: query.target_user_id,
        channel_cid: channelCid(query),
        unbanned_by_id: body.unbanned_by_id ?? body.unbanned_by?.id ?? query.created_by,
      });
      return {};
    },
  });
  dualRoute(app, {
    method: 'GET', path: '/query_banned_users', v2Prefix: '/api/v2/chat', operationId: 'QueryBannedUsers', status: 200,
    schema: { querystring: PayloadQuery },
    async handler(request, { caller, wire }) {
      const payload = parsePayload((request.query as Static<typeof PayloadQuery>).payload);
      const found = await bans.query(caller, {
        filter_conditions: payload.filter_conditions,
        sort: payload.sort,
        limit: payload.limit as number | undefined,
        offset: payload.offset as number | undefined,
      });
      return { bans: found.map((b) => encodeBan(wire, b)) };
    },
  });

  dualRoute(app, {
    method: 'POST', path: '/moderation/mute', v2Prefix: '/api/v2', operationId: 'MuteUser', status: 201,
    schema: { body: MuteBody },
    async handler(request, { caller, wire }) {
      const body = request.body as Static<typeof MuteBody>;
      const result = await mutes.mute(caller, { target_ids: targetsOf(body), user_id: body.user_id ?? body.user?.id, timeout: body.timeout });
      const own_user = encodeOwnUser(wire, result.own);
      // One target_id answers with `mute`, a list with `mutes` (Stream's MuteUserResponse).
      if (body.target_ids === undefined) return { mute: encodeMute(wire, result.mutes[0]), own_user };
      return { mutes: result.mutes.map((m) => encodeMute(wire, m)), own_user, non_existing_users: result.nonExisting };
    },
  });
  dualRoute(app, {
    method: 'POST', path: '/moderation/unmute', v2Prefix: '/api/v2', operationId: 'UnmuteUser', status: 201,
    schema: { body: MuteBody },
    async handler(request, { caller }) {
      const body = request.body as Static<typeof MuteBody>;
      const result = await mutes.unmute(caller, { target_ids: targetsOf(body), user_id: body.user_id ?? body.user?.id });
      return { non_existing_users: result.nonExisting };
    },
  });

  dualRoute(app, {
    method: 'POST', path: '/users/block', v2Prefix: '/api/v2', operationId: 'BlockUsers', status: 201,
    schema: { body: BlockBody },
    async handler(request, { caller, wire }) {
      const body = request.body as Static<typeof BlockBody>;
      const block = await mutes.block(caller, { blocked_user_id: body.blocked_user_id, user_id: body.user_id ?? body.user?.id });
      return { blocked_by_user_id: block.user_id, blocked_user_id: block.blocked_user_id, created_at: wire.time(block.created_at) };
    },
  });
  dualRoute(app, {
    method: 'POST', path: '/users/unblock', v2Prefix: '/api/v2', operationId: 'UnblockUsers', status: 201,
    schema: { body: BlockBody },
    async handler(request, { caller }) {
      const body = request.body as Static<typeof BlockBody>;
      await mutes.unblock(caller, { blocked_user_id: body.blocked_user_id, user_id: body.user_id ?? body.user?.id });
      return {};
    },
  });
  dualRoute(app, {
    method: 'GET', path: '/users/block', v2Prefix: '/api/v2', operationId: 'GetBlockedUsers', status: 200,
    schema: { querystring: BlocksQuery },
    async handler(request, { caller, wire }) {
      const found = await mutes.blocks(caller, (request.query as Static<typeof BlocksQuery>).user_id);
      return { blocks: found.map((b) => encodeBlock(wire, b.block, b.user, b.blocked)) };
    },
  });
}
