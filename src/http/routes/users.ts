import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { UsersService } from '../../app/users.js';
import { userReservedFields, type User, type UserInput } from '../../domain/user.js';
import { parsePayload } from '../query-payload.js';
import { dualRoute } from '../route-family.js';
import { customOf, type WireEncoder } from '../../wire/wire-encoder.js';

const UserObject = Type.Object(
  {
    id: Type.String(),
    name: Type.Optional(Type.String()),
    image: Type.Optional(Type.String()),
    role: Type.Optional(Type.String()),
    teams: Type.Optional(Type.Array(Type.String())),
    language: Type.Optional(Type.String()),
    invisible: Type.Optional(Type.Boolean()),
    custom: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { additionalProperties: true },
);
const UpsertBody = Type.Object({ users: Type.Record(Type.String(), UserObject) });
const PartialBody = Type.Object({
  users: Type.Array(
    Type.Object({
      id: Type.String(),
      set: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
      unset: Type.Optional(Type.Array(Type.String())),
    }),
  ),
});
const QueryString = Type.Object({ payload: Type.Optional(Type.String()) }, { additionalProperties: true });
const DeleteMode = Type.Union([Type.Literal('soft'), Type.Literal('pruning'), Type.Literal('hard')]);
const DeleteBody = Type.Object({
  user_ids: Type.Array(Type.String(), { minItems: 1 }),
  user: Type.Optional(DeleteMode),
  messages: Type.Optional(DeleteMode),
  conversations: Type.Optional(DeleteMode),
});
const TaskParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 255 }) });

const toInput = (u: Static<typeof UserObject>): UserInput => ({
  id: u.id,
  name: u.name,
  image: u.image,
  role: u.role,
  teams: u.teams,
  language: u.language,
  invisible: u.invisible,
  custom: customOf(u, userReservedFields),
});

const usersById = (wire: WireEncoder, users: readonly User[]) =>
  Object.fromEntries(users.map((u) => [u.id, wire.user(u)]));

export function userRoutes(app: FastifyInstance, users: UsersService): void {
  dualRoute(app, {
    method: 'POST', path: '/users', v2Prefix: '/api/v2', operationId: 'UpdateUsers', status: 201,
    schema: { body: UpsertBody },
    async handler(request, { caller, wire }) {
      const body = request.body as Static<typeof UpsertBody>;
      const saved = await users.upsert(caller, Object.values(body.users).map(toInput));
      return { users: usersById(wire, saved), membership_deletion_task_id: '' };
    },
  });

  dualRoute(app, {
    method: 'PATCH', path: '/users', v2Prefix: '/api/v2', operationId: 'UpdateUsersPartial', status: 200,
    schema: { body: PartialBody },
    async handler(request, { caller, wire }) {
      const body = request.body as Static<typeof PartialBody>;
      const saved = await users.partialUpdate(caller, body.users);
      return { users: usersById(wire, saved), membership_deletion_task_id: '' };
    },
  });

  dualRoute(app, {
    method: 'GET', path: '/users', v2Prefix: '/api/v2', operationId: 'QueryUsers', status: 200,
    schema: { querystring: QueryString },
    async handler(request, { caller, wire }) {
      const payload = parsePayload((request.query as Static<typeof QueryString>).payload);
      const found = await users.query(caller, {
        filter_conditions: payload.filter_conditions ?? undefined,
        sort: payload.sort ?? undefined,
        limit: (payload.limit as number | null) ?? undefined,
        offset: (payload.offset as number | null) ?? undefined,
        include_deactivated_users: payload.include_deactivated_users === true,
      });
      return { users: found.map((u) => wire.user(u)) };
    },
  });

  dualRoute(app, {
    method: 'POST', path: '/users/delete', v2Prefix: '/api/v2', operationId: 'DeleteUsers', status: 201,
    serverOnly: true,
    schema: { body: DeleteBody },
    async handler(request, { caller }) {
      const body = request.body as Static<typeof DeleteBody>;
      // 'pruning' is a hard delete that keeps nothing of the user; Herald treats it as hard.
      const mode = body.user === undefined || body.user === 'soft' ? 'soft' : 'hard';
      const messages = body.messages === undefined ? undefined : body.messages === 'soft' ? 'soft' : 'hard';
      const task = await users.delete(caller, body.user_ids, mode, messages);
      return { task_id: task.id };
    },
  });

  dualRoute(app, {
    method: 'GET', path: '/tasks/:id', v2Prefix: '/api/v2', operationId: 'GetTask', status: 200,
    serverOnly: true,
    schema: { params: TaskParams },
    async handler(request, { caller, wire }) {
      const task = await users.getTask(caller, (request.params as Static<typeof TaskParams>).id);
      return wire.task(task);
    },
  });
}
