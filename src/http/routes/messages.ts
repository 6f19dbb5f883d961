import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { MessagesService } from '../../app/messages.js';
import { messageReservedFields, MAX_ATTACHMENTS } from '../../domain/message.js';
import { inputError } from '../../domain/errors.js';
import { checkJsonInput } from '../../domain/json-input.js';
import { dualRoute } from '../route-family.js';
import { customOf } from '../../wire/wire-encoder.js';

const Params = Type.Object({ type: Type.String({ minLength: 1, maxLength: 64 }), id: Type.String({ minLength: 1, maxLength: 64 }) });
const MessageParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 255 }) });
const SendBody = Type.Object({
  message: Type.Object(
    {
      id: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
      text: Type.Optional(Type.String()),
      user_id: Type.Optional(Type.String()),
      user: Type.Optional(Type.Object({ id: Type.String() }, { additionalProperties: true })),
      type: Type.Optional(Type.String()),
      attachments: Type.Optional(Type.Array(Type.Record(Type.String(), Type.Unknown()), { maxItems: MAX_ATTACHMENTS })),
      poll_id: Type.Optional(Type.String()),
      parent_id: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
      show_in_channel: Type.Optional(Type.Boolean()),
      quoted_message_id: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
    },
    { additionalProperties: true },
  ),
  skip_push: Type.Optional(Type.Boolean()),
  skip_enrich_url: Type.Optional(Type.Boolean()),
  keep_channel_hidden: Type.Optional(Type.Boolean()),
});
const IdsQuery = Type.Object({ ids: Type.String({ minLength: 1 }) }, { additionalProperties: true });

function parseIds(raw: string): string[] {
  const text = raw.trim();
  if (!text.startsWith('[')) return text.split(',').map((s) => s.trim()).filter(Boolean);
  let ids: unknown;
  try {
    ids = JSON.parse(text);
  } catch {
    // the error below
  }
  if (!Array.isArray(ids) || !ids.every((i) => typeof i === 'string')) {
    throw inputError('ids must be a comma-separated list or a JSON array of strings', { ids: 'invalid' });
  }
  checkJsonInput(ids, ['ids']);
  return ids;
}

export function messageRoutes(app: FastifyInstance, messages: MessagesService): void {
  dualRoute(app, {
    method: 'POST', path: '/channels/:type/:id/message', v2Prefix: '/api/v2/chat', operationId: 'SendMessage', status: 201,
    schema: { params: Params, body: SendBody },
    async handler(request, { caller, wire }) {
      const { type, id } = request.params as Static<typeof Params>;
      const { message } = request.body as Static<typeof SendBody>;
      const sent = await messages.send(caller, type, id, {
        id: message.id,
        text: message.text,
        user_id: message.user_id ?? message.user?.id,
        type: message.type,
        attachments: message.attachments,
        poll_id: message.poll_id,
        parent_id: message.parent_id,
        show_in_channel: message.show_in_channel,
        quoted_message_id: message.quoted_message_id,
        custom: customOf(message, messageReservedFields),
      });
      return { message: wire.message(sent) };
    },
  });

  dualRoute(app, {
    method: 'GET', path: '/channels/:type/:id/messages', v2Prefix: '/api/v2/chat', operationId: 'GetManyMessages',
    status: 200, schema: { params: Params, querystring: IdsQuery },
    async handler(request, { caller, wire }) {
      const { type, id } = request.params as Static<typeof Params>;
      // The SDKs send ids comma-separated; a JSON array is accepted too.
      const ids = parseIds((request.query as Static<typeof IdsQuery>).ids);
      const found = await messages.batchGet(caller, type, id, ids);
      return { messages: found.map((m) => wire.message(m)) };
    },
  });

  dualRoute(app, {
    method: 'GET', path: '/messages/:id', v2Prefix: '/api/v2/chat', operationId: 'GetMessage', status: 200,
    schema: { params: MessageParams },
    async handler(request, { caller, wire }) {
      const found = await messages.get(caller, (request.params as Static<typeof MessageParams>).id);
      return { message: wire.message(found) };
    },
  });
}
