import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { CampaignTestSend } from '../../app/campaign-test-send.js';
import { dualRoute } from '../route-family.js';

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 255 }) });
// The count (1 to 20) is the service's rule, checked there with a message that says so.
const TestBody = Type.Object({ user_ids: Type.Array(Type.String({ minLength: 1, maxLength: 255 })) });

/**
 * Herald's addition: `POST /campaigns/{id}/test` sends the campaign to a few users now, as
 * real messages marked `test_campaign_id`, outside the ledger and the stats. It answers
 * `{messages: [{user_id, channel_cid, message_id, text, skipped?, error?}]}`.
 */
export function campaignTestSendRoutes(app: FastifyInstance, testSend: CampaignTestSend): void {
  dualRoute(app, {
    method: 'POST', path: '/campaigns/:id/test', v2Prefix: '/api/v2/chat', operationId: 'TestCampaign', status: 201, serverOnly: true,
    schema: { params: IdParams, body: TestBody },
    async handler(request) {
      const { id } = request.params as Static<typeof IdParams>;
      const { user_ids } = request.body as Static<typeof TestBody>;
      return { messages: await testSend.send(id, user_ids) };
    },
  });
}
