import type { AppDeps } from '../app/app-deps.js';
import type { Campaign } from '../domain/campaign.js';
import type { AudienceSource, SenderStore } from './sender-ports.js';

/** The campaign's audience sources in expansion order (docs/design.md): user_ids, then each segment. */
export function audienceSources(campaign: Campaign): AudienceSource[] {
  return [
    ...(campaign.user_ids.length > 0 ? [{ kind: 'user_ids' as const, ids: campaign.user_ids }] : []),
    ...campaign.segment_ids.map((segmentId) => ({ kind: 'segment' as const, segmentId })),
  ];
}

export interface AudienceOptions {
  owner: string;
  /** Keys read and appended per step. */
  pageSize: number;
  leaseMs: number;
}

/**
 * Expands a campaign's audience into its ledger one keyset page at a time. The state (source
 * and last key) is saved with each page, so a crashed worker's successor resumes where it
 * stopped; the ledger's unique key drops targets seen before (another segment, an earlier run).
 */
export class AudienceExpander {
  constructor(
    private readonly deps: AppDeps,
    private readonly store: SenderStore,
    private readonly options: AudienceOptions,
  ) {}

  /** One page; false when there was nothing to expand (done, or another worker holds it). */
  async step(campaign: Campaign): Promise<boolean> {
    const { owner, pageSize, leaseMs } = this.options;
    const lease = await this.store.claimAudience(campaign.id, owner, this.deps.clock.nowMicros(), leaseMs);
    if (!lease) return false;
    const sources = audienceSources(campaign);
    const { appended, done } = await this.store.expandPage(campaign, sources, lease, owner, pageSize, this.deps.clock.nowMicros());
    if (appended && done) await this.store.releaseAudience(campaign.id, owner);
    return appended;
  }
}
