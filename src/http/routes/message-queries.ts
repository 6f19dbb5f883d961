import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { MessageQueriesService, PinnedInput } from '../../app/message-queries.js';
import type { Micros } from '../../domain/clock.js';
import { inputError } from '../../domain/errors.js';
import { parseMessageTime } from '../../domain/message-update.js';
import { parsePayload } from '../query-payload.js';
import { QueryInt, queryInt } from '../query-values.js';
import { dualRoute } from '../route-family.js';

const MessageParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 255 }) });
const ChannelParams = Type.Object({ type: Type.String({ minLength: 1, maxLength: 64 }), id: Type.String({ minLength: 1, maxLength: 64 }) });
const Text = Type.Optional(Type.String({ maxLength: 255 }));
const RepliesQuery = Type.Object(
  {
    limit: Type.Optional(QueryInt),
    id_lt: Text,
    id_lte: Text,
    id_gt: Text,
    id_gte: Text,
    id_around: Text,
    created_at_before: Text,
    created_at_before_or_equal: Text,
    created_at_after: Text,
    created_at_after_or_equal: Text,
    created_at_around: Text,
    sort: Type.Optional(Type.String({ maxLength: 1000 })),
  },
  { additionalProperties: true },
);
const PayloadQuery = Type.Object({ payload: Type.Optional(Type.String()) }, { additionalProperties: true });

const time = (value: unknown, field: string): Micros | undefined =>
  value === undefined || value === null ? undefined : parseMessageTime(value, field);

/** `[{field: 'created_at', direction: -1}]` (the SDKs' JSON) asks for the newest replies first. */
function newestFirst(raw: string | undefined): boolean {
  if (raw === undefined || raw === '') return false;
  let sort: unknown;
  try {
    sort = JSON.parse(raw);
  } catch {
    throw inputError('sort must be JSON', { sort: 'invalid JSON' });
  }
  const first = (Array.isArray(sort) ? sort[0] : sort) as { field?: unknown; direction?: unknown; created_at?: unknown } | undefined;
  if (first !== undefined && (first === null || typeof first !== 'object')) throw inputError('sort must be a list of {field, direction}', { sort: 'invalid' });
  const field = first?.field ?? (first && 'created_at' in first ? 'created_at' : undefined);
  if (field !== undefined && field !== 'created_at') throw inputError('replies sort only by created_at', { sort: 'unsupported field' });
  return (first?.direction ?? first?.created_at) === -1;
}

/** getPinnedMessages' payload: limit, offset, pinned_at bounds, sort by pinned_at. */
function pinnedInput(payload: Record<string, unknown>): PinnedInput {
  const int = (field: string) => {
    const v = payload[field];
    if (v !== undefined && v !== null && (typeof v !== 'number' || !Number.isInteger(v))) throw inputError(`${field} must be an integer`, { [field]: 'invalid' });
    return (v as number | null | undefined) ?? undefined;
  };
  const sort = Array.isArray(payload.sort) ? (payload.sort[0] as { field?: unknown; direction?: unknown } | undefined) : undefined;
  if (sort && sort.field !== 'pinned_at') throw inputError('pinned messages sort only by pinned_at', { sort: 'unsupported field' });
  for (const unsupported of ['id_around', 'pinned_at_around']) {
    if (payload[unsupported] !== undefined) throw inputError(`${unsupported} is not supported`, { [unsupported]: 'not supported' });
  }
  return {
    limit: int('limit'),
    offset: int('offset'),
    direction: sort?.direction === 1 ? 1 : -1,
    pinned_at_before: time(payload.pinned_at_before, 'pinned_at_before'),
    pinned_at_before_or_equal: time(payload.pinned_at_before_or_equal, 'pinned_at_before_or_equal'),
    pinned_at_after: time(payload.pinned_at_after, 'pinned_at_after'),
    pinned_at_after_or_equal: time(payload.pinned_at_after_or_equal, 'pinned_at_after_or_equal'),
  };
}

export function messageQueryRoutes(app: FastifyInstance, queries: MessageQueriesService): void {
  dualRoute(app, {
    method: 'GET', path: '/messages/:id/replies', v2Prefix: '/api/v2/chat', operationId: 'GetReplies', status: 200,
    schema: { params: MessageParams, querystring: RepliesQuery },
    async handler(request, { caller, wire }) {
      const { id } = request.params as Static<typeof MessageParams>;
      const q = request.query as Static<typeof RepliesQuery>;
      for (const unsupported of ['id_around', 'created_at_around'] as const) {
        if (q[unsupported] !== undefined) throw inputError(`${unsupported} is not supported`, { [unsupported]: 'not supported' });
      }
      const replies = await queries.replies(caller, id, {
        limit: queryInt(q.limit, 'limit', 0, 300),
        id_lt: q.id_lt,
        id_lte: q.id_lte,
        id_gt: q.id_gt,
        id_gte: q.id_gte,
        created_at_before: time(q.created_at_before, 'created_at_before'),
        created_at_before_or_equal: time(q.created_at_before_or_equal, 'created_at_before_or_equal'),
        created_at_after: time(q.created_at_after, 'created_at_after'),
        created_at_after_or_equal: time(q.created_at_after_or_equal, 'created_at_after_or_equal'),
        newest: newestFirst(q.sort),
      });
      return { messages: replies.map((m) => wire.message(m)) };
    },
  });

  dualRoute(app, {
    method: 'GET', path: '/channels/:type/:id/pinned_messages', v2Prefix: '/api/v2/chat', operationId: 'GetPinnedMessages',
    status: 200, schema: { params: ChannelParams, querystring: PayloadQuery },
    async handler(request, { caller, wire }) {
      const { type, id } = request.params as Static<typeof ChannelParams>;
      const raw = (request.query as Static<typeof PayloadQuery>).payload;
      const pinned = await queries.pinned(caller, type, id, pinnedInput(raw === undefined ? {} : parsePayload(raw)));
      return { messages: pinned.map((m) => wire.message(m)) };
    },
  });

  dualRoute(app, {
    method: 'GET', path: '/search', v2Prefix: '/api/v2/chat', operationId: 'Search', status: 200,
    schema: { querystring: PayloadQuery },
    async handler(request, { caller, wire }) {
      const found = await queries.search(caller, parsePayload((request.query as Static<typeof PayloadQuery>).payload));
      return {
        results: found.results.map((r) => ({ message: { ...wire.message(r), channel: wire.channel(r.channel, null) } })),
        ...(found.next && { next: found.next }),
        ...(found.previous && { previous: found.previous }),
      };
    },
  });
}
