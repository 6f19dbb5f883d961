import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { FlagQuery, FlagsService, FlagView } from '../../app/flags.js';
import type { Paged } from '../../app/paging.js';
import { inputError } from '../../domain/errors.js';
import { parsePayload } from '../query-payload.js';
import { dualRoute } from '../route-family.js';
import { encodeFlag } from '../../wire/flag-encoding.js';
import type { WireEncoder } from '../../wire/wire-encoder.js';

const Target = {
  target_message_id: Type.Optional(Type.String({ maxLength: 255 })),
  target_user_id: Type.Optional(Type.String({ maxLength: 255 })),
  // Moderation v2 (stream-chat's client.moderation.flag, node-sdk's moderation.flag).
  entity_type: Type.Optional(Type.String({ maxLength: 255 })),
  entity_id: Type.Optional(Type.String({ maxLength: 255 })),
  user_id: Type.Optional(Type.String()),
  user: Type.Optional(Type.Object({ id: Type.String() }, { additionalProperties: true })),
};
const FlagBody = Type.Object(
  {
    ...Target,
    // Derived from the target by Herald; the SDKs send it (often empty), so it is accepted.
    entity_creator_id: Type.Optional(Type.String()),
    reason: Type.Optional(Type.String()),
    custom: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { additionalProperties: true },
);
const UnflagBody = Type.Object(Target, { additionalProperties: true });
const QueryBody = Type.Object(
  {
    filter_conditions: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    filter: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    sort: Type.Optional(Type.Unknown()),
    limit: Type.Optional(Type.Integer()),
    offset: Type.Optional(Type.Integer()),
    next: Type.Optional(Type.String()),
    prev: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);
const CountBody = Type.Object(
  { entity_creator_id: Type.String({ minLength: 1, maxLength: 255 }), entity_type: Type.Optional(Type.String({ maxLength: 255 })) },
  { additionalProperties: true },
);
const PayloadQuery = Type.Object({ payload: Type.Optional(Type.String()) }, { additionalProperties: true });

const flagAnswer = (wire: WireEncoder, view: FlagView) => ({
  flag: encodeFlag(wire, view),
  // Herald's flag id stands for Stream's review queue item (FlagMessageResponse) and v2's item_id.
  review_queue_item_id: view.flag.id,
  item_id: view.flag.id,
});

const flagsPage = (wire: WireEncoder, page: Paged<FlagView>) => ({
  flags: page.items.map((v) => encodeFlag(wire, v)),
  ...(page.next && { next: page.next }),
  ...(page.prev && { prev: page.prev }),
});

/** The query fields of either family: legacy filter_conditions with offset, v2 filter with next/prev. */
function flagQueryOf(body: Record<string, unknown>): FlagQuery {
  const number = (key: string): number | undefined => {
    const value = body[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value)) throw inputError(`${key} must be a whole number`, { [key]: 'invalid' });
    return value;
  };
  const text = (key: string): string | undefined => (typeof body[key] === 'string' ? (body[key] as string) : undefined);
  return {
    filter: body.filter_conditions ?? body.filter ?? undefined,
    sort: body.sort ?? undefined,
    limit: number('limit'),
    offset: number('offset'),
    next: text('next'),
    prev: text('prev'),
  };
}

export function flagRoutes(app: FastifyInstance, flags: FlagsService): void {
  dualRoute(app, {
    method: 'POST', path: '/moderation/flag', v2Prefix: '/api/v2', operationId: 'Flag', status: 201,
    schema: { body: FlagBody },
    async handler(request, { caller, wire }) {
      const body = request.body as Static<typeof FlagBody>;
      const view = await flags.flag(caller, {
        target_message_id: body.target_message_id,
        target_user_id: body.target_user_id,
        entity_type: body.entity_type,
        entity_id: body.entity_id,
        reason: body.reason,
        user_id: body.user_id ?? body.user?.id,
        custom: body.custom ?? {},
      });
      return flagAnswer(wire, view);
    },
  });

  dualRoute(app, {
    method: 'POST', path: '/moderation/unflag', v2Prefix: '/api/v2', operationId: 'Unflag', status: 201,
    schema: { body: UnflagBody },
    async handler(request, { caller, wire }) {
      const body = request.body as Static<typeof UnflagBody>;
      const view = await flags.unflag(caller, {
        target_message_id: body.target_message_id,
        target_user_id: body.target_user_id,
        entity_type: body.entity_type,
        entity_id: body.entity_id,
        user_id: body.user_id ?? body.user?.id,
      });
      return flagAnswer(wire, view);
    },
  });

  dualRoute(app, {
    method: 'GET', path: '/moderation/flags/message', v2Prefix: '/api/v2/chat', operationId: 'QueryMessageFlags', status: 200,
    schema: { querystring: PayloadQuery },
    async handler(request, { caller, wire }) {
      const { payload } = request.query as Static<typeof PayloadQuery>;
      const query = flagQueryOf(payload === undefined ? {} : parsePayload(payload));
      return flagsPage(wire, await flags.query(caller, query, { messagesOnly: true, maxLimit: 300 }));
    },
  });

  dualRoute(app, {
    method: 'POST', path: '/moderation/flags', v2Prefix: '/api/v2', operationId: 'QueryModerationFlags', status: 201,
    schema: { body: QueryBody },
    async handler(request, { caller, wire }) {
      const query = flagQueryOf(request.body as Record<string, unknown>);
      return flagsPage(wire, await flags.query(caller, query, { messagesOnly: false, maxLimit: 300 }));
    },
  });

  dualRoute(app, {
    method: 'POST', path: '/moderation/flag_count', v2Prefix: '/api/v2', operationId: 'GetFlagCount', status: 201,
    schema: { body: CountBody },
    async handler(request, { caller }) {
      const { entity_creator_id, entity_type } = request.body as Static<typeof CountBody>;
      return { count: await flags.countOf(caller, entity_creator_id, entity_type) };
    },
  });
}
