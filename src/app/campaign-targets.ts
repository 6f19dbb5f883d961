import { TargetStatus, type CampaignTarget } from '../domain/campaign-target.js';
import { decodeCursor, encodeCursor } from '../domain/cursor.js';
import { inputError, notFound } from '../domain/errors.js';
import type { AppDeps } from './app-deps.js';
import { pageLimit, type Paged } from './paging.js';

export interface TargetQuery {
  filter?: Record<string, unknown>;
  limit?: number;
  next?: string;
}

const statuses = Object.values(TargetStatus) as string[];

/** `{status: "sent"}`, `{status: {$eq: "sent"}}` or `{status: {$in: [...]}}`; nothing else. */
function parseStatusFilter(filter: Record<string, unknown> | undefined): TargetStatus[] | null {
  if (!filter || Object.keys(filter).length === 0) return null;
  const unknown = Object.keys(filter).filter((k) => k !== 'status');
  if (unknown.length > 0) throw inputError(`invalid filter: field "${unknown[0]}" is not a campaign target field`, { filter: unknown[0] });
  const condition = filter.status;
  const values =
    typeof condition === 'string'
      ? [condition]
      : condition && typeof condition === 'object' && !Array.isArray(condition)
        ? Object.entries(condition).flatMap(([op, v]) => {
            if (op === '$eq') return [v];
            if (op === '$in' && Array.isArray(v)) return v;
            throw inputError(`invalid filter: field "status" does not support operator "${op}"`, { status: op });
          })
        : [];
  if (values.length === 0 || !values.every((v) => typeof v === 'string' && statuses.includes(v))) {
    throw inputError(`invalid filter: status must be one of ${statuses.join(', ')}`, { status: 'invalid' });
  }
  return values as TargetStatus[];
}

const isAfter = (v: Record<string, unknown>): v is { a: string } => typeof v.a === 'string';

/**
 * The per-target log: for every target, whether it was sent, skipped (and why) or failed,
 * with the message and channel — the answer to "why didn't X get it?".
 */
export class CampaignTargetsService {
  constructor(private readonly deps: AppDeps) {}

  async get(campaignId: string, targetId: string): Promise<CampaignTarget> {
    const target = await this.deps.storage.campaignTargets.get(campaignId, targetId);
    if (!target) {
      const exists = await this.deps.storage.campaigns.get(campaignId);
      throw notFound(exists ? `target "${targetId}" is not in campaign "${campaignId}"` : `campaign "${campaignId}" does not exist`);
    }
    return target;
  }

  async query(campaignId: string, query: TargetQuery): Promise<Paged<CampaignTarget>> {
    if (!(await this.deps.storage.campaigns.get(campaignId))) throw notFound(`campaign "${campaignId}" does not exist`);
    const wanted = parseStatusFilter(query.filter);
    const limit = pageLimit(query.limit, 1000, 10_000);
    const after = query.next ? decodeCursor(query.next, 'next', isAfter).a : null;
    const rows = await this.deps.storage.campaignTargets.query(campaignId, wanted, after, limit + 1);
    const items = rows.slice(0, limit);
    return { items, ...(rows.length > limit && { next: encodeCursor({ a: items[items.length - 1].target_id }) }) };
  }
}
