import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { CampaignPreviewService } from '../../app/campaign-preview.js';
import { dualRoute } from '../route-family.js';

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 255 }) });
// Types here; ranges (sample 1..50, at most 50 target_ids) in the service, whose 400s name them.
const PreviewBody = Type.Object({
  sample: Type.Optional(Type.Integer()),
  target_ids: Type.Optional(Type.Array(Type.String())),
});

/**
 * Herald's addition: `POST /campaigns/{id}/preview`, a dry run in any status that writes
 * nothing. The answer is the same on both route families: it holds no times and no custom
 * data of Stream's objects, only counts, rendered texts and the template's own fields.
 */
export function campaignPreviewRoutes(app: FastifyInstance, preview: CampaignPreviewService): void {
  dualRoute(app, {
    v2Prefix: '/api/v2/chat', serverOnly: true, method: 'POST', path: '/campaigns/:id/preview', operationId: 'PreviewCampaign', status: 200,
    schema: { params: IdParams, body: PreviewBody },
    async handler(request) {
      const { id } = request.params as Static<typeof IdParams>;
      const body = (request.body ?? {}) as Static<typeof PreviewBody>;
      return { preview: await preview.preview(id, body) };
    },
  });
}
