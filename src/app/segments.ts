import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { splitCid } from '../domain/channel.js';
import { decodeCursor, decodeOffset, encodeCursor, offsetPager } from '../domain/cursor.js';
import { inputError, notFound } from '../domain/errors.js';
import { parseFilter } from '../domain/filter/filter-parser.js';
import { segmentFilterFields, segmentTargetFilterFields } from '../domain/filter/segment-filter-fields.js';
import { parseSort } from '../domain/filter/sort-spec.js';
import {
  checkSegmentDefinition,
  checkSegmentText,
  SegmentLimits,
  SegmentSource,
  SegmentType,
  sourceOf,
  type Segment,
} from '../domain/segment.js';
import type { AppDeps } from './app-deps.js';
import { checkResourceId, pageLimit, type Paged } from './paging.js';
import type { SegmentTarget } from './ports.js';

export interface SegmentInput {
  id?: string;
  type?: string;
  name?: string;
  description?: string;
  filter?: Record<string, unknown>;
  all_users?: boolean;
  all_sender_channels?: boolean;
}

export interface SegmentQuery {
  filter?: unknown;
  sort?: unknown;
  limit?: number;
  next?: string;
  prev?: string;
}

// Sizing reads 10,000 keys a step and yields between steps: the event loop (and SQLite's one
// connection) is never held for more than a few milliseconds by a million-user segment.
const SIZE_CHUNK = 10_000;
// Users and channels change under a filter too: sizes older than this are computed again.
const SIZE_MAX_AGE_MS = 10 * 60_000;

type TargetCursor = { a: string } | { b: string };
const isTargetCursor = (v: Record<string, unknown>): v is TargetCursor =>
  typeof v.a === 'string' || typeof v.b === 'string';

export class SegmentsService {
  constructor(private readonly deps: AppDeps) {}

  async create(input: SegmentInput): Promise<Segment> {
    if (input.type !== SegmentType.user && input.type !== SegmentType.channel) {
      throw inputError(`type must be one of user, channel; got ${JSON.stringify(input.type ?? null)}`, { type: 'invalid' });
    }
    const id = input.id ? checkResourceId(input.id, 'id') : this.deps.ids.next();
    checkSegmentText('name', input.name);
    checkSegmentText('description', input.description);
    checkSegmentDefinition({ ...input, type: input.type });
    const now = this.deps.clock.nowMicros();
    const segment: Segment = {
      id,
      type: input.type,
      name: input.name ?? '',
      description: input.description ?? '',
      filter: input.filter ?? null,
      all_users: input.all_users ?? false,
      all_sender_channels: input.all_sender_channels ?? false,
      size: 0,
      // Explicit targets start exact at 0; other sizes are unknown until the sizer has run.
      size_computed_at: input.filter || input.all_users ? null : now,
      created_at: now,
      updated_at: now,
      deleted_at: null,
    };
    if (!(await this.deps.storage.segments.insert(segment))) {
      throw inputError(`a segment with id "${id}" already exists`, { id: 'already exists' });
    }
    return segment;
  }

  async get(id: string): Promise<Segment> {
    const segment = await this.deps.storage.segments.get(id);
    if (!segment) throw notFound(`segment "${id}" does not exist`);
    return segment;
  }

  async update(id: string, input: Pick<SegmentInput, 'name' | 'description' | 'filter'>): Promise<Segment> {
    checkSegmentText('name', input.name);
    checkSegmentText('description', input.description);
    return this.deps.storage.transaction(async (stores) => {
      const segment = await stores.segments.get(id);
      if (!segment) throw notFound(`segment "${id}" does not exist`);
      if (input.filter !== undefined) {
        const source = sourceOf(segment);
        if (source === SegmentSource.allUsers || source === SegmentSource.allSenderChannels) {
          throw inputError(`filter and ${source} are mutually exclusive`, { filter: 'mutually exclusive' });
        }
        if (source === SegmentSource.targets && segment.size > 0) {
          throw inputError('filter cannot be set on a segment that has explicit targets', { filter: 'mutually exclusive' });
        }
        checkSegmentDefinition({ type: segment.type, filter: input.filter });
      }
      const filterChanged = input.filter !== undefined && JSON.stringify(input.filter) !== JSON.stringify(segment.filter);
      const updated: Segment = {
        ...segment,
        name: input.name ?? segment.name,
        description: input.description ?? segment.description,
        filter: input.filter ?? segment.filter,
        size_computed_at: filterChanged ? null : segment.size_computed_at,
        updated_at: this.deps.clock.nowMicros(),
      };
      await stores.segments.update(updated);
      return updated;
    });
  }

  async delete(id: string): Promise<void> {
    await this.get(id);
    const users = await this.deps.storage.segments.campaignsUsing(id);
    if (users.length > 0) {
      throw inputError(`segment "${id}" is used by campaigns that are scheduled or in progress: ${users.join(', ')}`, {
        id: 'in use',
      });
    }
    await this.deps.storage.segments.delete(id);
  }

  async query(query: SegmentQuery): Promise<Paged<Segment>> {
    if (query.filter === undefined) throw inputError('filter is a required field', { filter: 'required' });
    const filter = parseFilter(query.filter, segmentFilterFields);
    const parsedSort = parseSort(query.sort, segmentFilterFields);
    const sort = parsedSort.length > 0 ? parsedSort : parseSort([{ field: 'created_at', direction: -1 }], segmentFilterFields);
    const limit = pageLimit(query.limit, 25, SegmentLimits.queryPage);
    const offset = decodeOffset(query.next ?? query.prev, query.next ? 'next' : 'prev');
    const found = await this.deps.storage.segments.query({ filter, sort, limit: limit + 1, offset });
    return { items: found.slice(0, limit), ...offsetPager(offset, limit, Math.min(found.length, limit), found.length > limit) };
  }

  async addTargets(id: string, targetIds: readonly string[]): Promise<number> {
    if (targetIds.length === 0 || targetIds.length > SegmentLimits.addTargets) {
      throw inputError(`target_ids must have 1 to ${SegmentLimits.addTargets} items`, { target_ids: 'out of range' });
    }
    return this.deps.storage.transaction(async (stores) => {
      const segment = await stores.segments.get(id);
      if (!segment) throw notFound(`segment "${id}" does not exist`);
      const source = sourceOf(segment);
      if (source !== SegmentSource.targets) {
        throw inputError(`targets cannot be added to a segment defined by ${source}`, { target_ids: 'mutually exclusive' });
      }
      targetIds.forEach((t) => checkTarget(segment, t));
      const now = this.deps.clock.nowMicros();
      const added = await stores.segments.addTargets(id, targetIds, now);
      // Campaigns already sending to this segment get the new targets too, exactly once.
      await stores.campaigns.appendSegmentTargets(id, targetIds, now);
      return added;
    });
  }

  async deleteTargets(id: string, targetIds: readonly string[]): Promise<number> {
    if (targetIds.length === 0 || targetIds.length > SegmentLimits.deleteTargets) {
      throw inputError(`target_ids must have 1 to ${SegmentLimits.deleteTargets} items`, { target_ids: 'out of range' });
    }
    return this.deps.storage.transaction(async (stores) => {
      if (!(await stores.segments.get(id))) throw notFound(`segment "${id}" does not exist`);
      return stores.segments.deleteTargets(id, targetIds, this.deps.clock.nowMicros());
    });
  }

  async targetExists(id: string, targetId: string): Promise<void> {
    await this.get(id);
    if (!(await this.deps.storage.segments.targetExists(id, targetId))) {
      throw notFound(`target "${targetId}" is not in segment "${id}"`);
    }
  }

  /** Keyset pages of explicit targets by target id: the last page costs what the first does. */
  async queryTargets(id: string, query: SegmentQuery): Promise<Paged<SegmentTarget>> {
    await this.get(id);
    const filter = parseFilter(query.filter ?? {}, segmentTargetFilterFields);
    const sort = parseSort(query.sort, segmentTargetFilterFields);
    const direction = sort[0]?.direction ?? 1;
    const limit = pageLimit(query.limit, 100, SegmentLimits.targetsPage);
    const cursorText = query.next ?? query.prev;
    const cursor = cursorText ? decodeCursor(cursorText, query.next ? 'next' : 'prev', isTargetCursor) : undefined;
    const after = cursor && 'a' in cursor ? cursor.a : undefined;
    const before = cursor && 'b' in cursor ? cursor.b : undefined;
    const rows = await this.deps.storage.segments.queryTargets(id, { filter, direction, after, before, limit: limit + 1 });
    const more = rows.length > limit;
    // Reading backwards, the extra row is the first one; forwards, the last one.
    const items = before !== undefined ? rows.slice(rows.length - Math.min(rows.length, limit)) : rows.slice(0, limit);
    const first = items[0]?.target_id;
    const last = items[items.length - 1]?.target_id;
    const hasNext = before !== undefined ? items.length > 0 : more;
    const hasPrev = before !== undefined ? more : after !== undefined && items.length > 0;
    return {
      items,
      ...(hasNext && last !== undefined && { next: encodeCursor({ a: last }) }),
      ...(hasPrev && first !== undefined && { prev: encodeCursor({ b: first }) }),
    };
  }

  /**
   * Recomputes the size of one segment whose filter or all_users size is stale. Returns false
   * when there was nothing to do. Safe to run in several processes: the size is saved only if
   * the segment did not change while it was counted.
   */
  async refreshNextSize(): Promise<boolean> {
    const now = this.deps.clock.nowMicros();
    const segment = await this.deps.storage.segments.nextDirty(now - SIZE_MAX_AGE_MS * 1000);
    if (!segment) return false;
    let size: number;
    try {
      size = await this.sizeOf(segment);
    } catch (error) {
      // Keep the old size and retry only when it is next due: one segment whose count fails
      // must not stop every other segment from being sized.
      await this.deps.storage.segments.saveSize(segment.id, segment.size, this.deps.clock.nowMicros(), segment.updated_at);
      throw error;
    }
    await this.deps.storage.segments.saveSize(segment.id, size, this.deps.clock.nowMicros(), segment.updated_at);
    return true;
  }

  /**
   * Herald's `POST /segments/count`: how many users (or channels) a filter matches now, counted
   * as the sizer counts a saved segment, so that a console can show an exact live count while
   * a filter is typed. Nothing is saved.
   */
  async countMatches(input: Pick<SegmentInput, 'type' | 'filter' | 'all_users'>): Promise<number> {
    if (input.type !== SegmentType.user && input.type !== SegmentType.channel) {
      throw inputError(`type must be one of user, channel; got ${JSON.stringify(input.type ?? null)}`, { type: 'invalid' });
    }
    if (!input.filter && !input.all_users) throw inputError('filter or all_users is required', { filter: 'required' });
    checkSegmentDefinition({ ...input, type: input.type });
    const now = this.deps.clock.nowMicros();
    return this.sizeOf({
      id: '', type: input.type, name: '', description: '', filter: input.filter ?? null, all_users: input.all_users ?? false,
      all_sender_channels: false, size: 0, size_computed_at: null, created_at: now, updated_at: now, deleted_at: null,
    });
  }

  /** A filter or all_users segment's size, counted in chunks by key with the event loop let go between them. */
  private async sizeOf(segment: Segment): Promise<number> {
    let size = 0;
    let after: string | null = null;
    do {
      const chunk: { count: number; lastKey: string | null } = await this.deps.storage.segments.countChunk(segment, after, SIZE_CHUNK);
      size += chunk.count;
      after = chunk.lastKey;
      await yieldToEventLoop();
    } while (after !== null);
    return size;
  }
}

function checkTarget(segment: Segment, target: string): void {
  if (typeof target !== 'string' || target.length === 0 || target.length > SegmentLimits.idLength) {
    throw inputError(`target_ids must be non-empty strings of at most ${SegmentLimits.idLength} characters`, { target_ids: 'invalid' });
  }
  // Channel segments hold channel cids (type:id).
  if (segment.type === SegmentType.channel) splitCid(target);
}
