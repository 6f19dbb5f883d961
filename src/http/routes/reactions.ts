import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { ReactionChange, ReactionsService } from '../../app/reactions.js';
import { reactionReservedFields } from '../../domain/reaction.js';
import { QueryInt, queryInt } from '../query-values.js';
import { dualRoute } from '../route-family.js';
import { customOf, type WireEncoder } from '../../wire/wire-encoder.js';

const MessageParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 255 }) });
const ReactionParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 255 }), type: Type.String({ minLength: 1, maxLength: 255 }) });
const SendBody = Type.Object({
  reaction: Type.Object(
    {
      type: Type.String(),
      score: Type.Optional(Type.Integer()),
      user_id: Type.Optional(Type.String()),
      user: Type.Optional(Type.Object({ id: Type.String() }, { additionalProperties: true })),
    },
    { additionalProperties: true },
  ),
  enforce_unique: Type.Optional(Type.Boolean()),
  // Herald sends no push notifications: accepted, and nothing to skip.
  skip_push: Type.Optional(Type.Boolean()),
});
const DeleteQuery = Type.Object({ user_id: Type.Optional(Type.String()) }, { additionalProperties: true });
const ListQuery = Type.Object({ limit: Type.Optional(QueryInt), offset: Type.Optional(QueryInt) }, { additionalProperties: true });
const QueryBody = Type.Object(
  {
    filter: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    sort: Type.Optional(Type.Unknown()),
    limit: Type.Optional(Type.Integer()),
    next: Type.Optional(Type.String()),
    prev: Type.Optional(Type.String()),
    // Server-side, the user the query is made for; it changes nothing in what a query returns.
    user_id: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);

const changed = (wire: WireEncoder, c: ReactionChange) => ({
  message: wire.message({ message: c.message, user: c.author }),
  reaction: wire.reaction(c.reaction),
});

export function reactionRoutes(app: FastifyInstance, reactions: ReactionsService): void {
  dualRoute(app, {
    method: 'POST', path: '/messages/:id/reaction', v2Prefix: '/api/v2/chat', operationId: 'SendReaction', status: 201,
    schema: { params: MessageParams, body: SendBody },
    async handler(request, { caller, wire }) {
      const { id } = request.params as Static<typeof MessageParams>;
      const { reaction, enforce_unique } = request.body as Static<typeof SendBody>;
      const change = await reactions.send(
        caller,
        id,
        { type: reaction.type, score: reaction.score, user_id: reaction.user_id ?? reaction.user?.id, custom: customOf(reaction, reactionReservedFields) },
        { enforce_unique },
      );
      return changed(wire, change);
    },
  });

  dualRoute(app, {
    method: 'DELETE', path: '/messages/:id/reaction/:type', v2Prefix: '/api/v2/chat', operationId: 'DeleteReaction', status: 200,
    schema: { params: ReactionParams, querystring: DeleteQuery },
    async handler(request, { caller, wire }) {
      const { id, type } = request.params as Static<typeof ReactionParams>;
      const { user_id } = request.query as Static<typeof DeleteQuery>;
      return changed(wire, await reactions.delete(caller, id, type, user_id));
    },
  });

  dualRoute(app, {
    method: 'GET', path: '/messages/:id/reactions', v2Prefix: '/api/v2/chat', operationId: 'GetReactions', status: 200,
    schema: { params: MessageParams, querystring: ListQuery },
    async handler(request, { caller, wire }) {
      const { id } = request.params as Static<typeof MessageParams>;
      const query = request.query as Static<typeof ListQuery>;
      const found = await reactions.list(caller, id, {
        limit: queryInt(query.limit, 'limit', 0, 300),
        offset: queryInt(query.offset, 'offset', 0, 1000),
      });
      return { reactions: found.map((r) => wire.reaction(r)) };
    },
  });

  dualRoute(app, {
    method: 'POST', path: '/messages/:id/reactions', v2Prefix: '/api/v2/chat', operationId: 'QueryReactions', status: 201,
    schema: { params: MessageParams, body: QueryBody },
    async handler(request, { caller, wire }) {
      const { id } = request.params as Static<typeof MessageParams>;
      const body = request.body as Static<typeof QueryBody>;
      const page = await reactions.query(caller, id, body);
      return { reactions: page.items.map((r) => wire.reaction(r)), ...(page.next && { next: page.next }), ...(page.prev && { prev: page.prev }) };
    },
  });
}
