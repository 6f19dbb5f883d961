import { inputError } from './errors.js';
import type { FilterNode } from './filter/filter-ast.js';
import { channelFilterFields } from './filter/channel-filter-fields.js';
import { filterShapeError } from './filter/filter-errors.js';
import { parseFilter } from './filter/filter-parser.js';
import { messageFilterFields } from './filter/message-filter-fields.js';
import { parseSort, type SortSpec } from './filter/sort-spec.js';

/**
 * Stream's message search (GET /search): the request's payload checked and parsed into what
 * the store runs. Pages go by offset, or by the opaque `next`/`previous` cursors this module
 * makes, which carry the offset and the sort (as Stream's carry the sort): a cursor is only
 * as stable as an offset while messages are sent meanwhile.
 */

export interface SearchPayload {
  filter_conditions?: unknown;
  query?: unknown;
  message_filter_conditions?: unknown;
  limit?: unknown;
  offset?: unknown;
  next?: unknown;
  sort?: unknown;
}

export interface SearchPlan {
  channelFilter: FilterNode;
  messageFilter: FilterNode;
  /** Empty: by id (Stream's default [{relevance: -1}, {id: 1}], every match being as relevant). */
  sort: SortSpec;
  limit: number;
  offset: number;
  /** The sort as given, for the cursors. */
  rawSort: unknown;
}

export const SEARCH_DEFAULT_LIMIT = 100;
export const SEARCH_MAX_LIMIT = 1000;
export const SEARCH_MAX_OFFSET = 1000;

interface Cursor {
  offset: number;
  sort: unknown;
}

export function planSearch(payload: SearchPayload): SearchPlan {
  if (payload.filter_conditions === undefined || payload.filter_conditions === null) {
    throw inputError('filter_conditions is required', { filter_conditions: 'required' });
  }
  const hasQuery = payload.query !== undefined && payload.query !== null && payload.query !== '';
  const hasFilter = payload.message_filter_conditions !== undefined && payload.message_filter_conditions !== null;
  if (hasQuery && hasFilter) {
    throw inputError('only one of query or message_filter_conditions may be given', { query: 'conflicts with message_filter_conditions' });
  }
  if (!hasQuery && !hasFilter) throw inputError('either query or message_filter_conditions is required', { query: 'required' });
  if (hasQuery && typeof payload.query !== 'string') throw inputError('query must be a string', { query: 'invalid' });
  const messageFilter = hasQuery
    ? parseFilter({ text: { $q: payload.query } }, messageFilterFields)
    : parseFilter(rewriteMessageFilter(payload.message_filter_conditions), messageFilterFields);
  const channelFilter = parseFilter(payload.filter_conditions, channelFilterFields);

  const offset = integer(payload.offset, 0, SEARCH_MAX_OFFSET, 'offset');
  const cursor = payload.next === undefined || payload.next === null || payload.next === '' ? null : decodeCursor(payload.next);
  if (offset > 0 && (cursor || payload.sort !== undefined && payload.sort !== null)) {
    throw inputError('a non-zero offset cannot be used with sort or next', { offset: 'conflicts with sort or next' });
  }
  const rawSort = cursor ? cursor.sort : payload.sort;
  return {
    channelFilter,
    messageFilter,
    sort: parseSort(withoutRelevance(rawSort), messageFilterFields),
    limit: integer(payload.limit, SEARCH_DEFAULT_LIMIT, SEARCH_MAX_LIMIT, 'limit') || SEARCH_DEFAULT_LIMIT,
    offset: cursor ? cursor.offset : offset,
    rawSort,
  };
}

/** The cursors of a page: `next` when more matched, `previous` when it did not start at the first. */
export function searchCursors(plan: SearchPlan, more: boolean): { next?: string; previous?: string } {
  return {
    ...(more && { next: encodeCursor({ offset: plan.offset + plan.limit, sort: plan.rawSort }) }),
    ...(plan.offset > 0 && { previous: encodeCursor({ offset: Math.max(0, plan.offset - plan.limit), sort: plan.rawSort }) }),
  };
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodeCursor(raw: unknown): Cursor {
  const invalid = () => inputError('next is not a cursor of this search', { next: 'invalid' });
  if (typeof raw !== 'string' || raw.length > 4096) throw invalid();
  let cursor: unknown;
  try {
    cursor = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  const offset = (cursor as Cursor | null)?.offset;
  if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0 || offset > SEARCH_MAX_OFFSET + SEARCH_MAX_LIMIT) throw invalid();
  return { offset, sort: (cursor as Cursor).sort };
}

function integer(value: unknown, fallback: number, max: number, field: string): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
    throw inputError(`${field} must be an integer between 0 and ${max}`, { [field]: 'out of range' });
  }
  return value;
}

/** `relevance` orders nothing here: every match is as relevant. */
function withoutRelevance(sort: unknown): unknown {
  if (Array.isArray(sort)) return sort.filter((s) => (s as { field?: unknown } | null)?.field !== 'relevance');
  if (sort && typeof sort === 'object') return Object.fromEntries(Object.entries(sort).filter(([field]) => field !== 'relevance'));
  return sort;
}

/**
 * Stream's message filters name the author `user.id` and a pin `pinned` (a boolean); here they
 * are the `user_id` column and whether `pinned_at` is set.
 */
export function rewriteMessageFilter(doc: unknown): unknown {
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return doc;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(doc)) {
    if ((key === '$and' || key === '$or' || key === '$nor') && Array.isArray(value)) out[key] = value.map(rewriteMessageFilter);
    else if (key === 'user.id') out.user_id = value;
    else if (key === 'pinned') out.pinned_at = { $exists: pinnedValue(value) };
    else out[key] = value;
  }
  return out;
}

function pinnedValue(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  const eq = (value as { $eq?: unknown } | null)?.$eq;
  if (value && typeof value === 'object' && Object.keys(value).length === 1 && typeof eq === 'boolean') return eq;
  throw filterShapeError('field "pinned" takes true, false or {"$eq": true|false}');
}
