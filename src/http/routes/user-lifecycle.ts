import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { TokenIssuer } from '../../app/token-issuer.js';
import type { UserLifecycleService } from '../../app/user-lifecycle.js';
import { userReservedFields } from '../../domain/user.js';
import { dualRoute } from '../route-family.js';
import { customOf } from '../../wire/wire-encoder.js';

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 255 }) });
const DeactivateBody = Type.Object(
  {
    mark_messages_deleted: Type.Optional(Type.Boolean()),
    // Accepted and ignored: Herald keeps a deactivated user's channels as they are.
    mark_channels_deleted: Type.Optional(Type.Boolean()),
    created_by_id: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);
const ReactivateBody = Type.Object(
  {
    restore_messages: Type.Optional(Type.Boolean()),
    restore_channels: Type.Optional(Type.Boolean()),
    created_by_id: Type.Optional(Type.String()),
    name: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);
const UserIds = { user_ids: Type.Array(Type.String(), { minItems: 1 }) };
const DeactivateManyBody = Type.Object({ ...UserIds, ...DeactivateBody.properties }, { additionalProperties: true });
const ReactivateManyBody = Type.Object({ ...UserIds, ...ReactivateBody.properties }, { additionalProperties: true });
const RestoreBody = Type.Object(UserIds, { additionalProperties: true });
const GuestBody = Type.Object({
  user: Type.Object(
    { id: Type.Optional(Type.String()), name: Type.Optional(Type.String()), image: Type.Optional(Type.String()), language: Type.Optional(Type.String()) },
    { additionalProperties: true },
  ),
});
const EventBody = Type.Object({ event: Type.Object({ type: Type.String({ minLength: 1 }) }, { additionalProperties: true }) });

// Stream's guest tokens do not expire; Herald's tokens always carry exp: a month.
const GUEST_TOKEN_TTL_SECONDS = 30 * 24 * 3600;
const idOf = (request: { params: unknown }) => (request.params as Static<typeof IdParams>).id;

/**
 * Deactivation and reactivation (one user, or many as a task), restore of soft-deleted users,
 * guest users, export, and custom events to a user: stream-chat's deactivateUser(s),
 * reactivateUser(s), restoreUsers, setGuestUser, exportUser, sendUserCustomEvent, and
 * node-sdk's counterparts on /api/v2.
 */
export function userLifecycleRoutes(app: FastifyInstance, lifecycle: UserLifecycleService, issuer: TokenIssuer): void {
  const base = { v2Prefix: '/api/v2', serverOnly: true } as const;
  dualRoute(app, {
    ...base, method: 'POST', path: '/users/:id/deactivate', operationId: 'DeactivateUser', status: 201,
    schema: { params: IdParams, body: DeactivateBody },
    async handler(request, { caller, wire }) {
      const body = request.body as Static<typeof DeactivateBody>;
      const user = await lifecycle.deactivate(caller, idOf(request), body);
      return { user: wire.user(user) };
    },
  });
  dualRoute(app, {
    ...base, method: 'POST', path: '/users/:id/reactivate', operationId: 'ReactivateUser', status: 201,
    schema: { params: IdParams, body: ReactivateBody },
    async handler(request, { caller, wire }) {
      const body = request.body as Static<typeof ReactivateBody>;
      const user = await lifecycle.reactivate(caller, idOf(request), body);
      return { user: wire.user(user) };
    },
  });
  dualRoute(app, {
    ...base, method: 'POST', path: '/users/deactivate', operationId: 'DeactivateUsers', status: 201,
    schema: { body: DeactivateManyBody },
    async handler(request, { caller }) {
      const body = request.body as Static<typeof DeactivateManyBody>;
      const task = await lifecycle.deactivateMany(caller, body.user_ids, body);
      return { task_id: task.id };
    },
  });
  dualRoute(app, {
    ...base, method: 'POST', path: '/users/reactivate', operationId: 'ReactivateUsers', status: 201,
    schema: { body: ReactivateManyBody },
    async handler(request, { caller }) {
      const body = request.body as Static<typeof ReactivateManyBody>;
      const task = await lifecycle.reactivateMany(caller, body.user_ids, body);
      return { task_id: task.id };
    },
  });
  dualRoute(app, {
    ...base, method: 'POST', path: '/users/restore', operationId: 'RestoreUsers', status: 201,
    schema: { body: RestoreBody },
    async handler(request, { caller }) {
      await lifecycle.restore(caller, (request.body as Static<typeof RestoreBody>).user_ids);
      return {};
    },
  });
  dualRoute(app, {
    ...base, method: 'GET', path: '/users/:id/export', operationId: 'ExportUser', status: 200,
    schema: { params: IdParams },
    async handler(request, { caller, wire }) {
      const exported = await lifecycle.exportUser(caller, idOf(request));
      return {
        user: wire.user(exported.user),
        messages: exported.messages.map((m) => wire.message(m)),
        reactions: exported.reactions.map((r) => wire.reaction(r, exported.user)),
      };
    },
  });
  dualRoute(app, {
    // node-sdk sends it to /api/v2/chat/users/{user_id}/event.
    ...base, v2Prefix: '/api/v2/chat', method: 'POST', path: '/users/:id/event', operationId: 'SendUserCustomEvent', status: 201,
    schema: { params: IdParams, body: EventBody },
    async handler(request, { caller }) {
      const { event } = request.body as Static<typeof EventBody>;
      // Legacy clients flatten the event's data, v2 nests it under `custom`: customOf takes both.
      await lifecycle.sendCustomEvent(caller, idOf(request), { type: event.type, custom: customOf(event, new Set(['type', 'custom'])) });
      return {};
    },
  });
  dualRoute(app, {
    method: 'POST', path: '/guest', v2Prefix: '/api/v2', operationId: 'CreateGuest', status: 201, anonymous: true,
    schema: { body: GuestBody },
    async handler(request, { caller, wire }) {
      const { user: input } = request.body as Static<typeof GuestBody>;
      // Without a token (stream-chat's setGuestUser) the caller is anonymousCaller: plugins/auth.ts.
      const user = await lifecycle.createGuest(caller, {
        id: input.id,
        name: input.name,
        image: input.image,
        language: input.language,
        custom: customOf(input, userReservedFields),
      });
      const { token } = await issuer.userToken(user.id, GUEST_TOKEN_TTL_SECONDS);
      return { access_token: token, user: wire.user(user) };
    },
  });
}
