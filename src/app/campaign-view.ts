import { CampaignLimits, type Campaign } from '../domain/campaign.js';
import { decodeOffset, offsetPager } from '../domain/cursor.js';
import type { Segment } from '../domain/segment.js';
import type { User } from '../domain/user.js';
import { pageLimit } from './paging.js';
import type { Stores } from './ports.js';

const DEFAULT_USERS_PAGE = 100;

/** A campaign as the API returns it: with its sender, segments and one page of its users. */
export interface CampaignView {
  campaign: Campaign;
  sender: User | null;
  segments: Segment[];
  users: User[];
  usersPager: { next?: string; prev?: string };
}

export interface UsersPage {
  limit?: number;
  next?: string;
  prev?: string;
}

/** A campaign with its sender, segments and one page of its users, as the API shows it. */
export async function campaignView(stores: Stores, campaign: Campaign, page: UsersPage = {}): Promise<CampaignView> {
  const limit = pageLimit(page.limit, DEFAULT_USERS_PAGE, CampaignLimits.usersPage);
  const offset = decodeOffset(page.next ?? page.prev, page.next ? 'next' : 'prev');
  const ids = campaign.user_ids.slice(offset, offset + limit);
  const [found, [sender], segments] = await Promise.all([
    stores.users.batchGet(ids),
    stores.users.batchGet([campaign.sender_id]),
    stores.segments.batchGet(campaign.segment_ids),
  ]);
  const byId = new Map(found.map((u) => [u.id, u]));
  return {
    campaign,
    sender: sender ?? null,
    segments,
    users: ids.flatMap((id) => byId.get(id) ?? []),
    usersPager: offsetPager(offset, limit, ids.length, offset + ids.length < campaign.user_ids.length),
  };
}
