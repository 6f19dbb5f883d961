import { CampaignStatus } from '../domain/campaign.js';
import { EventType } from '../domain/events.js';
import { campaignView } from './campaign-view.js';
import type { EventSink, HeraldEvent } from './event-ports.js';
import type { Stores } from './ports.js';

/**
 * Records the webhook events of a campaign's status change, in the caller's transaction:
 * `campaign.updated` for every change, then `campaign.started` when sending begins and
 * `campaign.completed` when it ends. Each carries the whole campaign with status and stats.
 */
export async function recordStatusChange(events: EventSink, stores: Stores, campaignIds: readonly string[]): Promise<void> {
  const recorded: HeraldEvent[] = [];
  for (const id of campaignIds) {
    const campaign = await stores.campaigns.get(id);
    if (!campaign) continue;
    const view = await campaignView(stores, campaign);
    recorded.push({ type: EventType.campaignUpdated, campaign: view });
    if (campaign.status === CampaignStatus.inProgress) recorded.push({ type: EventType.campaignStarted, campaign: view });
    if (campaign.status === CampaignStatus.completed) recorded.push({ type: EventType.campaignCompleted, campaign: view });
  }
  await events.record(stores, recorded);
}
