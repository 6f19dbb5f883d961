import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { UnreadReport, UnreadService } from '../../app/unread.js';
import type { WireEncoder } from '../../wire/wire-encoder.js';
import { dualRoute } from '../route-family.js';

const UnreadQuery = Type.Object({ user_id: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })) }, { additionalProperties: true });
const BatchBody = Type.Object({ user_ids: Type.Array(Type.String({ minLength: 1, maxLength: 255 })) });

/** Stream's GetUnreadCountAPIResponse: `channel_id` holds the cid, as Stream's does; no thread is ever unread here. */
const encode = (wire: WireEncoder, r: UnreadReport) => ({
  total_unread_count: r.total,
  total_unread_threads_count: 0,
  channels: r.channels.map((c) => ({ channel_id: c.cid, unread_count: c.unread, last_read: wire.time(c.last_read) })),
  channel_type: r.byType.map((t) => ({ channel_type: t.type, channel_count: t.channels, unread_count: t.unread })),
  threads: [],
});

export function unreadRoutes(app: FastifyInstance, unread: UnreadService): void {
  dualRoute(app, {
    method: 'GET', path: '/unread', v2Prefix: '/api/v2/chat', operationId: 'UnreadCounts', status: 200,
    schema: { querystring: UnreadQuery },
    async handler(request, { caller, wire }) {
      return encode(wire, await unread.of(caller, (request.query as Static<typeof UnreadQuery>).user_id));
    },
  });
  dualRoute(app, {
    method: 'POST', path: '/unread_batch', v2Prefix: '/api/v2/chat', operationId: 'UnreadCountsBatch', status: 201,
    serverOnly: true, schema: { body: BatchBody },
    async handler(request, { caller, wire }) {
      const reports = await unread.batch(caller, (request.body as Static<typeof BatchBody>).user_ids);
      return { counts_by_user: Object.fromEntries([...reports].map(([id, r]) => [id, encode(wire, r)])) };
    },
  });
}
