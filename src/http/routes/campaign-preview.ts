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

const Count = Type.Integer({ minimum: 0 });
const Sample = Type.Object({
  target_id: Type.String(),
  in_audience: Type.Boolean({ description: 'a send started now would reach it' }),
  channel_cid: Type.Union([Type.String(), Type.Null()]),
  channel: Type.Optional(Type.Union([Type.Literal('existing'), Type.Literal('to_create')])),
  text: Type.Union([Type.String(), Type.Null()]),
  attachments: Type.Array(Type.Unknown()),
  custom: Type.Record(Type.String(), Type.Unknown()),
  missing_variables: Type.Array(Type.String()),
  skipped: Type.Optional(Type.String({ description: 'user_missing or channel_missing' })),
  error: Type.Optional(Type.String()),
});
const PreviewResponse = Type.Object({
  preview: Type.Object({
    audience: Type.Object({
      total: Count,
      user_ids: Count,
      segments: Type.Array(Type.Object({ segment_id: Type.String(), count: Count })),
    }),
    channels: Type.Object({ existing: Count, to_create: Count, skipped: Count, failed: Count }),
    samples: Type.Array(Sample),
    missing_variables: Type.Array(Type.Object({ variable: Type.String(), targets: Count })),
    estimated_seconds: Type.Number({ minimum: 0 }),
  }),
  duration: Type.String(),
}, { description: 'What starting the campaign now would do (README, Preview)' });

/**
 * Herald's addition: `POST /campaigns/{id}/preview`, a dry run in any status that writes
 * nothing. The answer is the same on both route families: it holds no times and no custom
 * data of Stream's objects, only counts, rendered texts and the template's own fields.
 */
export function campaignPreviewRoutes(app: FastifyInstance, preview: CampaignPreviewService): void {
  dualRoute(app, {
    v2Prefix: '/api/v2/chat', serverOnly: true, method: 'POST', path: '/campaigns/:id/preview', operationId: 'PreviewCampaign', status: 200,
    schema: { params: IdParams, body: PreviewBody, response: PreviewResponse },
    async handler(request) {
      const { id } = request.params as Static<typeof IdParams>;
      const body = (request.body ?? {}) as Static<typeof PreviewBody>;
      return { preview: await preview.preview(id, body) };
    },
  });
}
