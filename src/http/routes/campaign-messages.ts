import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { CampaignMessagesService } from '../../app/campaign-messages.js';
import { campaignResponse } from '../../wire/campaign-encoding.js';
import { dualRoute } from '../route-family.js';

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 255 }) });
const Obj = Type.Record(Type.String(), Type.Unknown());
const RecallBody = Type.Object({ skip_webhook: Type.Optional(Type.Boolean()) });
const EditBody = Type.Object({
  message_template: Type.Object({
    text: Type.Optional(Type.String()),
    attachments: Type.Optional(Type.Array(Obj)),
    custom: Type.Optional(Obj),
  }),
  skip_webhook: Type.Optional(Type.Boolean()),
});

/** Herald's recall and edit of a campaign's sent messages (README, Campaign controls). */
export function campaignMessageRoutes(app: FastifyInstance, messages: CampaignMessagesService): void {
  const base = { v2Prefix: '/api/v2/chat', serverOnly: true } as const;
  const id = (request: { params: unknown }) => (request.params as Static<typeof IdParams>).id;
  dualRoute(app, {
    ...base, method: 'POST', path: '/campaigns/:id/recall', operationId: 'RecallCampaign', status: 201,
    schema: { params: IdParams, body: RecallBody },
    async handler(request, { wire }) {
      return campaignResponse(wire, await messages.recall(id(request), (request.body ?? {}) as Static<typeof RecallBody>));
    },
  });
  dualRoute(app, {
    ...base, method: 'POST', path: '/campaigns/:id/messages/update', operationId: 'UpdateCampaignMessages', status: 201,
    schema: { params: IdParams, body: EditBody },
    async handler(request, { wire }) {
      return campaignResponse(wire, await messages.edit(id(request), request.body as Static<typeof EditBody>));
    },
  });
}
