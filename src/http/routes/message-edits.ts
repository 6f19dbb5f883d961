import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { MarkUnreadService } from '../../app/mark-unread.js';
import type { MessageEditsService } from '../../app/message-edits.js';
import { inputError } from '../../domain/errors.js';
import { MAX_ATTACHMENTS, messageReservedFields } from '../../domain/message.js';
import { parseMessageTime } from '../../domain/message-update.js';
import { QueryBool, queryBool } from '../query-values.js';
import { dualRoute } from '../route-family.js';
import { customOf } from '../../wire/wire-encoder.js';

const MessageParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 255 }) });
const ChannelParams = Type.Object({ type: Type.String({ minLength: 1, maxLength: 64 }), id: Type.String({ minLength: 1, maxLength: 64 }) });
const UserRef = Type.Optional(Type.Object({ id: Type.String() }, { additionalProperties: true }));
const OptionalId = Type.Optional(Type.Union([Type.String({ maxLength: 255 }), Type.Null()]));
const UpdateBody = Type.Object({
  // stream-chat sends the whole message back, read-only fields included: unknown keys are custom data.
  message: Type.Object(
    {
      id: Type.Optional(Type.String()),
      text: Type.Optional(Type.String()),
      user_id: Type.Optional(Type.String()),
      user: UserRef,
      attachments: Type.Optional(Type.Array(Type.Record(Type.String(), Type.Unknown()), { maxItems: MAX_ATTACHMENTS })),
      pinned: Type.Optional(Type.Boolean()),
      pin_expires: Type.Optional(Type.Unknown()),
      pinned_at: Type.Optional(Type.Unknown()),
      quoted_message_id: OptionalId,
      parent_id: OptionalId,
      show_in_channel: Type.Optional(Type.Boolean()),
    },
    { additionalProperties: true },
  ),
  skip_enrich_url: Type.Optional(Type.Boolean()),
  skip_push: Type.Optional(Type.Boolean()),
});
const PartialBody = Type.Object({
  set: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  unset: Type.Optional(Type.Array(Type.String())),
  user_id: Type.Optional(Type.String()),
  user: UserRef,
  skip_enrich_url: Type.Optional(Type.Boolean()),
  skip_push: Type.Optional(Type.Boolean()),
});
const DeleteQuery = Type.Object(
  { hard: Type.Optional(QueryBool), delete_for_me: Type.Optional(QueryBool), deleted_by: Type.Optional(Type.String({ maxLength: 255 })) },
  { additionalProperties: true },
);
const UnreadBody = Type.Object({
  message_id: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
  message_timestamp: Type.Optional(Type.Union([Type.String(), Type.Integer()])),
  thread_id: Type.Optional(Type.String({ maxLength: 255 })),
  user_id: Type.Optional(Type.String()),
  user: UserRef,
});

export function messageEditRoutes(app: FastifyInstance, edits: MessageEditsService, unread: MarkUnreadService): void {
  dualRoute(app, {
    method: 'POST', path: '/messages/:id', v2Prefix: '/api/v2/chat', operationId: 'UpdateMessage', status: 201,
    schema: { params: MessageParams, body: UpdateBody },
    async handler(request, { caller, wire }) {
      const { id } = request.params as Static<typeof MessageParams>;
      const { message } = request.body as Static<typeof UpdateBody>;
      if (message.id !== undefined && message.id !== id) throw inputError('message.id must be the id in the path', { id: 'mismatch' });
      const updated = await edits.update(caller, id, message.user_id ?? message.user?.id, {
        text: message.text,
        attachments: message.attachments,
        custom: customOf(message, messageReservedFields),
        pinned: message.pinned,
        pinned_at: message.pinned_at,
        pin_expires: message.pin_expires,
        quoted_message_id: message.quoted_message_id,
        show_in_channel: message.show_in_channel,
        parent_id: message.parent_id,
      });
      return { message: wire.message(updated) };
    },
  });

  dualRoute(app, {
    method: 'PUT', path: '/messages/:id', v2Prefix: '/api/v2/chat', operationId: 'UpdateMessagePartial', status: 201,
    schema: { params: MessageParams, body: PartialBody },
    async handler(request, { caller, wire }) {
      const { id } = request.params as Static<typeof MessageParams>;
      const body = request.body as Static<typeof PartialBody>;
      const updated = await edits.patch(caller, id, body.user_id ?? body.user?.id, body.set ?? {}, body.unset ?? []);
      return { message: wire.message(updated) };
    },
  });

  dualRoute(app, {
    method: 'DELETE', path: '/messages/:id', v2Prefix: '/api/v2/chat', operationId: 'DeleteMessage', status: 200,
    schema: { params: MessageParams, querystring: DeleteQuery },
    async handler(request, { caller, wire }) {
      const { id } = request.params as Static<typeof MessageParams>;
      const query = request.query as Static<typeof DeleteQuery>;
      const deleted = await edits.delete(caller, id, {
        hard: queryBool(query.hard) ?? false,
        delete_for_me: queryBool(query.delete_for_me),
        deleted_by: query.deleted_by,
      });
      return { message: wire.message(deleted) };
    },
  });

  dualRoute(app, {
    method: 'POST', path: '/channels/:type/:id/unread', v2Prefix: '/api/v2/chat', operationId: 'MarkUnread', status: 201,
    schema: { params: ChannelParams, body: UnreadBody },
    async handler(request, { caller }) {
      const { type, id } = request.params as Static<typeof ChannelParams>;
      const body = request.body as Static<typeof UnreadBody>;
      await unread.markUnread(caller, type, id, {
        user_id: body.user_id ?? body.user?.id,
        message_id: body.message_id,
        message_timestamp: body.message_timestamp === undefined ? undefined : parseMessageTime(body.message_timestamp, 'message_timestamp'),
        thread_id: body.thread_id,
      });
      return {};
    },
  });
}
