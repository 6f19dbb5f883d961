import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { SegmentsService } from '../../app/segments.js';
import { dualRoute } from '../route-family.js';
import { encodeSegment, encodeSegmentTarget } from '../../wire/campaign-encoding.js';

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 255 }) });
const TargetParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 255 }), target_id: Type.String({ minLength: 1 }) });
const FilterObject = Type.Record(Type.String(), Type.Unknown());
const CreateBody = Type.Object({
  id: Type.Optional(Type.String({ maxLength: 255 })),
  type: Type.Optional(Type.String()),
  name: Type.Optional(Type.String()),
  description: Type.Optional(Type.String()),
  filter: Type.Optional(FilterObject),
  all_users: Type.Optional(Type.Boolean()),
  all_sender_channels: Type.Optional(Type.Boolean()),
});
const UpdateBody = Type.Object({
  name: Type.Optional(Type.String()),
  description: Type.Optional(Type.String()),
  filter: Type.Optional(FilterObject),
});
const Paging = {
  sort: Type.Optional(Type.Unknown()),
  limit: Type.Optional(Type.Integer()),
  next: Type.Optional(Type.String()),
  prev: Type.Optional(Type.String()),
};
const QueryBody = Type.Object({ filter: Type.Optional(FilterObject), ...Paging });
const CountBody = Type.Object({ type: Type.Optional(Type.String()), filter: Type.Optional(FilterObject), all_users: Type.Optional(Type.Boolean()) });
const TargetsBody = Type.Object({ target_ids: Type.Array(Type.String()) });
/**
 * The spec names the targets query's fields `Filter` and `Sort` (a Go struct without tags)
 * while every SDK sends `filter` and `sort`; Go matches keys case-insensitively, so both
 * spellings are accepted.
 */
const TargetsQueryBody = Type.Object({
  filter: Type.Optional(FilterObject),
  Filter: Type.Optional(FilterObject),
  Sort: Type.Optional(Type.Unknown()),
  ...Paging,
});

export function segmentRoutes(app: FastifyInstance, segments: SegmentsService): void {
  const base = { v2Prefix: '/api/v2/chat', serverOnly: true } as const;

  dualRoute(app, {
    ...base, method: 'POST', path: '/segments', operationId: 'CreateSegment', status: 201, schema: { body: CreateBody },
    async handler(request, { wire }) {
      return { segment: encodeSegment(wire, await segments.create(request.body as Static<typeof CreateBody>)) };
    },
  });
  dualRoute(app, {
    // Herald's addition: a filter's matches now, counted as a segment's size is (README).
    ...base, method: 'POST', path: '/segments/count', operationId: 'CountSegmentMatches', status: 201, schema: { body: CountBody },
    async handler(request) {
      return { count: await segments.countMatches(request.body as Static<typeof CountBody>) };
    },
  });
  dualRoute(app, {
    ...base, method: 'GET', path: '/segments/:id', operationId: 'GetSegment', status: 200, schema: { params: IdParams },
    async handler(request, { wire }) {
      return { segment: encodeSegment(wire, await segments.get((request.params as Static<typeof IdParams>).id)) };
    },
  });
  dualRoute(app, {
    ...base, method: 'PUT', path: '/segments/:id', operationId: 'UpdateSegment', status: 201,
    schema: { params: IdParams, body: UpdateBody },
    async handler(request, { wire }) {
      const { id } = request.params as Static<typeof IdParams>;
      return { segment: encodeSegment(wire, await segments.update(id, request.body as Static<typeof UpdateBody>)) };
    },
  });
  dualRoute(app, {
    ...base, method: 'DELETE', path: '/segments/:id', operationId: 'DeleteSegment', status: 200, schema: { params: IdParams },
    async handler(request) {
      await segments.delete((request.params as Static<typeof IdParams>).id);
      return {};
    },
  });
  dualRoute(app, {
    ...base, method: 'POST', path: '/segments/query', operationId: 'QuerySegments', status: 201, schema: { body: QueryBody },
    async handler(request, { wire }) {
      const page = await segments.query(request.body as Static<typeof QueryBody>);
      return { segments: page.items.map((s) => encodeSegment(wire, s)), next: page.next, prev: page.prev };
    },
  });
  for (const [action, operationId, apply] of [
    ['addtargets', 'AddSegmentTargets', (id: string, ids: string[]) => segments.addTargets(id, ids)],
    ['deletetargets', 'DeleteSegmentTargets', (id: string, ids: string[]) => segments.deleteTargets(id, ids)],
  ] as const) {
    dualRoute(app, {
      ...base, method: 'POST', path: `/segments/:id/${action}`, operationId, status: 201,
      schema: { params: IdParams, body: TargetsBody },
      async handler(request) {
        await apply((request.params as Static<typeof IdParams>).id, (request.body as Static<typeof TargetsBody>).target_ids);
        return {};
      },
    });
  }
  dualRoute(app, {
    ...base, method: 'GET', path: '/segments/:id/target/:target_id', operationId: 'SegmentTargetExists', status: 200,
    schema: { params: TargetParams },
    async handler(request) {
      const { id, target_id } = request.params as Static<typeof TargetParams>;
      await segments.targetExists(id, target_id);
      return {};
    },
  });
  dualRoute(app, {
    ...base, method: 'POST', path: '/segments/:id/targets/query', operationId: 'QuerySegmentTargets', status: 201,
    schema: { params: IdParams, body: TargetsQueryBody },
    async handler(request, { wire }) {
      const { id } = request.params as Static<typeof IdParams>;
      const { Filter, Sort, ...body } = request.body as Static<typeof TargetsQueryBody>;
      const page = await segments.queryTargets(id, { ...body, filter: body.filter ?? Filter, sort: body.sort ?? Sort });
      return { targets: page.items.map((t) => encodeSegmentTarget(wire, t)), next: page.next, prev: page.prev };
    },
  });
}
