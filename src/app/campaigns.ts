import {
  allowedFrom,
  CampaignLimits,
  CampaignStatus,
  checkCampaignFields,
  emptyStats,
  inProgressUpdatable,
  type Campaign,
  type CampaignFields,
} from '../domain/campaign.js';
import { decodeOffset, offsetPager } from '../domain/cursor.js';
import { inputError, notFound } from '../domain/errors.js';
import { campaignFilterFields } from '../domain/filter/campaign-filter-fields.js';
import { parseFilter } from '../domain/filter/filter-parser.js';
import { parseSort } from '../domain/filter/sort-spec.js';
import type { AppDeps } from './app-deps.js';
import { campaignView, type CampaignView, type UsersPage } from './campaign-view.js';
import { checkResourceId, pageLimit, type Paged } from './paging.js';
import type { Stores } from './ports.js';

export type CampaignInput = Partial<CampaignFields> & { id?: string };

export interface CampaignQuery {
  filter?: unknown;
  sort?: unknown;
  limit?: number;
  next?: string;
  prev?: string;
  user_limit?: number;
}


const defaults = (): CampaignFields => ({
  name: '',
  description: '',
  sender_id: '',
  sender_mode: null,
  sender_visibility: null,
  create_channels: false,
  show_channels: false,
  skip_push: false,
  skip_webhook: false,
  segment_ids: [],
  user_ids: [],
  message_template: { text: '' },
  channel_template: null,
  max_messages_per_second: null,
  delivery_window: null,
});

/** The entries whose value is not undefined. */
export const definedOnly = <T extends object>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

/** Keeps only the fields a request gave: `undefined` never overwrites (JS sends partial bodies). */
function given(input: CampaignInput): Partial<CampaignFields> {
  const { id: _id, ...fields } = input;
  return definedOnly(fields) as Partial<CampaignFields>;
}

export class CampaignsService {
  constructor(private readonly deps: AppDeps) {}

  async create(input: CampaignInput): Promise<CampaignView> {
    const id = input.id ? checkResourceId(input.id, 'id') : this.deps.ids.next();
    const fields: CampaignFields = { ...defaults(), ...given(input) };
    checkCampaignFields(fields, this.deps.customData);
    const now = this.deps.clock.nowMicros();
    const campaign: Campaign = {
      ...fields,
      id,
      status: CampaignStatus.draft,
      scheduled_for: null,
      stop_at: null,
      stats: emptyStats(),
      recall_status: null,
      created_at: now,
      updated_at: now,
    };
    return this.deps.storage.transaction(async (stores) => {
      await this.checkReferences(stores, campaign);
      if (!(await stores.campaigns.insert(campaign))) {
        throw inputError(`a campaign with id "${id}" already exists`, { id: 'already exists' });
      }
      return campaignView(stores, campaign, {});
    });
  }

  async get(id: string, page: UsersPage = {}): Promise<CampaignView> {
    const campaign = await this.deps.storage.campaigns.get(id);
    if (!campaign) throw notFound(`campaign "${id}" does not exist`);
    return campaignView(this.deps.storage, campaign, page);
  }

  /**
   * Merges the given fields; allowed in draft, scheduled and stopped (docs/design.md), and in
   * progress for the throttle alone, which the sender reads again before every batch.
   */
  async update(id: string, input: CampaignInput): Promise<CampaignView> {
    return this.deps.storage.transaction(async (stores) => {
      const before = await stores.campaigns.get(id);
      if (!before) throw notFound(`campaign "${id}" does not exist`);
      const changes = given(input);
      if (before.status === CampaignStatus.inProgress) return this.updateInProgress(stores, before, changes);
      this.requireStatus(before, allowedFrom.update, 'updated');
      // Giving one audience replaces the other, so that an update can switch between them.
      if (changes.user_ids?.length && changes.segment_ids === undefined) changes.segment_ids = [];
      if (changes.segment_ids?.length && changes.user_ids === undefined) changes.user_ids = [];
      const campaign: Campaign = { ...before, ...changes, updated_at: this.deps.clock.nowMicros() };
      checkCampaignFields(campaign, this.deps.customData);
      await this.checkReferences(stores, campaign);
      if (!(await stores.campaigns.update(campaign, allowedFrom.update))) this.requireStatus(before, [], 'updated');
      // A stopped campaign may now have another audience: targets not yet sent are dropped, and
      // the resume expands the new audience (the sent ones stay sent, never twice).
      if (before.status === CampaignStatus.stopped) await stores.campaigns.dropPendingTargets(id);
      // Read back: a start or stop may have changed the status since `before` was read.
      return campaignView(stores, (await stores.campaigns.get(id)) ?? campaign, {});
    });
  }

  private async updateInProgress(stores: Stores, before: Campaign, changes: Partial<CampaignFields>): Promise<CampaignView> {
    const other = Object.keys(changes).filter((k) => !(inProgressUpdatable as readonly string[]).includes(k));
    if (other.length > 0) {
      throw inputError(`campaign "${before.id}" cannot be updated while in_progress: only ${inProgressUpdatable.join(', ')} may change; stop it first to change ${other.join(', ')}`, { [other[0]]: 'in_progress' });
    }
    const campaign: Campaign = { ...before, ...changes, updated_at: this.deps.clock.nowMicros() };
    checkCampaignFields(campaign, this.deps.customData);
    if (!(await stores.campaigns.update(campaign, [CampaignStatus.inProgress]))) {
      throw inputError(`campaign "${before.id}" changed status meanwhile; try again`, { status: 'conflict' });
    }
    return campaignView(stores, campaign, {});
  }

  async delete(id: string): Promise<void> {
    await this.deps.storage.transaction(async (stores) => {
      const campaign = await stores.campaigns.get(id);
      if (!campaign) throw notFound(`campaign "${id}" does not exist`);
      this.requireStatus(campaign, allowedFrom.delete, 'deleted');
      if (!(await stores.campaigns.delete(id, allowedFrom.delete))) this.requireStatus(campaign, [], 'deleted');
    });
  }

  async query(query: CampaignQuery): Promise<Paged<CampaignView>> {
    const filter = parseFilter(query.filter ?? {}, campaignFilterFields);
    const parsedSort = parseSort(query.sort, campaignFilterFields);
    const sort = parsedSort.length > 0 ? parsedSort : parseSort([{ field: 'created_at', direction: -1 }], campaignFilterFields);
    const limit = pageLimit(query.limit, 25, CampaignLimits.queryPage);
    const userLimit = pageLimit(query.user_limit, 10, CampaignLimits.usersPage, 'user_limit');
    const offset = decodeOffset(query.next ?? query.prev, query.next ? 'next' : 'prev');
    const found = await this.deps.storage.campaigns.query({ filter, sort, limit: limit + 1, offset });
    const items = await Promise.all(
      found.slice(0, limit).map((c) => campaignView(this.deps.storage, c, { limit: userLimit })),
    );
    return { items, ...offsetPager(offset, limit, items.length, found.length > limit) };
  }

  private requireStatus(campaign: Campaign, allowed: readonly string[], action: string): void {
    if (!allowed.includes(campaign.status)) {
      const hint = campaign.status === CampaignStatus.inProgress ? '; stop it first' : '';
      throw inputError(`campaign "${campaign.id}" cannot be ${action} while ${campaign.status}${hint}`, { status: campaign.status });
    }
  }

  /** An unknown sender or segment is refused at create and update, not discovered at send time. */
  private async checkReferences(stores: Stores, campaign: Campaign): Promise<void> {
    const [sender] = await stores.users.batchGet([campaign.sender_id]);
    if (!sender || sender.deleted_at !== null) {
      throw inputError(`sender_id "${campaign.sender_id}" does not exist`, { sender_id: 'unknown user' });
    }
    if (campaign.segment_ids.length > 0) {
      const found = new Set((await stores.segments.batchGet(campaign.segment_ids)).map((s) => s.id));
      const missing = campaign.segment_ids.filter((s) => !found.has(s));
      if (missing.length > 0) {
        throw inputError(`segment_ids do not exist: ${missing.join(', ')}`, { segment_ids: 'unknown segments' });
      }
    }
  }
}

export type { CampaignView, UsersPage };
