import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Campaign } from '../domain/campaign.js';
import { inputError, notFound } from '../domain/errors.js';
import { formatVarPath, templatePaths, templateReads } from '../domain/template-variables.js';
import type { AppDeps } from './app-deps.js';
import { channelTypeOf, compileCampaign, renderBase, userTargetChannel, withRequestRenderBudget } from './campaign-rendering.js';
import { previewSamples, type PreviewContext, type PreviewSample } from './campaign-preview-samples.js';
import type { AudienceCounts } from './audience-ports.js';
import { userVarSource, userVars } from './template-vars.js';

export const PreviewLimits = { sample: 50, defaultSample: 5, targetIds: 50, targetIdLength: 255 } as const;

/**
 * When no campaign has completed yet, the estimate assumes 10,000 messages a second: the
 * middle of the sends measured on a 2-core machine (docs/benchmarks.md: 6,000–42,000/s by
 * backend, size and webhooks). The first completed campaign's measured rate replaces it.
 */
export const DEFAULT_SEND_RATE_PER_SECOND = 10_000;

// Targets a page of the JS pass over a template-named channel's audience. Each page holds the
// event loop while it is read and rendered: 10,000 held the API's other requests for ~0.55 s
// at a time (bench/preview.bench.ts, 950k targets on 2 cores).
const CHANNEL_PASS_PAGE = 2_000;

export interface PreviewRequest {
  sample?: number;
  target_ids?: string[];
}

export interface ChannelCounts {
  existing: number;
  to_create: number;
  skipped: number;
  failed: number;
}

export interface CampaignPreview {
  audience: { total: number; user_ids: number; segments: Array<{ segment_id: string; count: number }> };
  channels: ChannelCounts;
  samples: PreviewSample[];
  missing_variables: Array<{ variable: string; targets: number }>;
  estimated_seconds: number;
}

function checkRequest(request: PreviewRequest): { sample: number; targetIds: string[] | null } {
  const sample = request.sample ?? PreviewLimits.defaultSample;
  if (!Number.isInteger(sample) || sample < 1 || sample > PreviewLimits.sample) {
    throw inputError(`sample must be an integer from 1 to ${PreviewLimits.sample}`, { sample: 'out of range' });
  }
  const ids = request.target_ids;
  if (ids === undefined) return { sample, targetIds: null };
  if (ids.length === 0 || ids.length > PreviewLimits.targetIds) {
    throw inputError(`target_ids must have 1 to ${PreviewLimits.targetIds} items`, { target_ids: 'out of range' });
  }
  if (!ids.every((t) => typeof t === 'string' && t.length > 0 && t.length <= PreviewLimits.targetIdLength)) {
    throw inputError(`target_ids must be non-empty strings of at most ${PreviewLimits.targetIdLength} characters`, { target_ids: 'invalid' });
  }
  return { sample, targetIds: [...new Set(ids)] };
}

/**
 * `POST /campaigns/{id}/preview`: what starting the campaign now would do, in any status,
 * writing nothing. The audience, its channels and its missing variables are counted in the
 * database over the whole audience (storage/audience-store.ts); the samples are rendered by the
 * sender's own functions (campaign-rendering.ts). The reads are not one snapshot (a read
 * transaction would take SQLite's write lock for the whole preview), so figures taken while a
 * send runs may disagree by what it did meanwhile.
 */
export class CampaignPreviewService {
  constructor(private readonly deps: AppDeps) {}

  async preview(id: string, request: PreviewRequest): Promise<CampaignPreview> {
    const { sample, targetIds } = checkRequest(request);
    const { storage } = this.deps;
    const campaign = await storage.campaigns.get(id);
    if (!campaign) throw notFound(`campaign "${id}" does not exist`);
    const [sender] = await storage.users.batchGet([campaign.sender_id]);
    const context: PreviewContext = {
      campaign,
      compiled: withRequestRenderBudget(compileCampaign(campaign), () => this.deps.clock.nowMicros()),
      base: renderBase(campaign, sender?.deleted_at === null ? sender : undefined),
      paths: templatePaths(campaign.message_template.text, 'receiver'),
    };
    const counts = await storage.audience.count(campaign, {
      distinctChannelType: context.compiled.channelId ? null : channelTypeOf(campaign),
      receiverVars: context.paths.map(userVarSource),
    });
    return {
      audience: {
        total: counts.total,
        user_ids: campaign.user_ids.length,
        segments: campaign.segment_ids.map((segment_id) => ({ segment_id, count: counts.segments.get(segment_id) ?? 0 })),
      },
      channels: await this.channels(context, counts),
      samples: await previewSamples(this.deps, context, targetIds ?? { first: sample }),
      missing_variables: context.paths.map((path, i) => ({ variable: formatVarPath('receiver', path), targets: counts.missing[i] })),
      estimated_seconds: await this.estimatedSeconds(campaign, counts.total),
    };
  }

  /**
   * Where each target's message would go. Every target lands in exactly one count:
   * existing + to_create + skipped + failed = total. `skipped` holds what the sender skips:
   * users that do not exist (user_missing) and channels that do not exist and are not created,
   * or were deleted (channel_missing). `failed`: the sender as its own receiver of a distinct
   * channel, or a channel_template.id that does not render to a valid id. A channel that an
   * earlier target of the same send creates counts as existing for the later ones.
   */
  private async channels(context: PreviewContext, counts: AudienceCounts): Promise<ChannelCounts> {
    const { campaign, compiled, base } = context;
    const create = campaign.create_channels;
    const userTargets = counts.total - counts.channelTargets;
    const result: ChannelCounts = {
      existing: counts.liveChannelTargets,
      to_create: 0,
      skipped: userTargets - counts.knownUsers + counts.channelTargets - counts.liveChannelTargets,
      failed: 0,
    };
    const users = counts.knownUsers;
    if (!compiled.channelId) {
      // Distinct channels, decided in the database over the whole audience.
      const absent = users - counts.sender - counts.distinctLive - counts.distinctDeleted;
      result.existing += counts.distinctLive;
      result.skipped += counts.distinctDeleted + (create ? 0 : absent);
      result.to_create = create ? absent : 0;
      result.failed = counts.sender;
      return result;
    }
    if (!templateReads(campaign.channel_template!.id!, 'receiver')) {
      // One channel for every user target: rendered once.
      let cid: string;
      try {
        cid = userTargetChannel(campaign, compiled, base, '', {}).cid;
      } catch {
        return { ...result, failed: users };
      }
      this.place(cid, (await this.deps.storage.audience.batchChannelStates([cid])).get(cid), users, create, new Set(), result);
      return result;
    }
    return this.channelsRendered(context, result);
  }

  /**
   * A channel id that depends on the receiver is rendered in JS, as the sender renders it,
   * over the whole audience read in keyset pages of 2,000 with a lookup of their cids: every
   * user travels to JS (row, JSON parse, render, cid probe), ~14 µs a target on 2 cores (13 s
   * at 950k) where the distinct channels' single statement costs ~1.4 µs (docs/benchmarks.md,
   * Preview). Each page ends with a turn of the event loop: on SQLite the database's promises
   * are already settled when awaited, so without it the whole pass (14–18 s at 950k) held every
   * other request (measured by bench/preview.bench.ts's GETs beside the preview); now at most
   * one page's reads and renders do.
   */
  private async channelsRendered(context: PreviewContext, result: ChannelCounts): Promise<ChannelCounts> {
    const { campaign, compiled, base } = context;
    const created = new Set<string>();
    let after: string | null = null;
    do {
      const page = await this.deps.storage.audience.page(campaign, after, CHANNEL_PASS_PAGE);
      const cids: string[] = [];
      for (const row of page.rows) {
        if (!row.user) continue; // channel targets and missing users: counted in the database
        try {
          cids.push(userTargetChannel(campaign, compiled, base, row.target, userVars(row.user)).cid);
        } catch {
          result.failed++;
        }
      }
      const states = await this.deps.storage.audience.batchChannelStates([...new Set(cids)]);
      for (const cid of cids) this.place(cid, states.get(cid), 1, campaign.create_channels, created, result);
      after = page.next;
      await yieldToEventLoop();
    } while (after !== null);
    return result;
  }

  /** `targets` user targets whose channel is `cid`, in state `state`, into the counts. */
  private place(cid: string, state: 'live' | 'deleted' | undefined, targets: number, create: boolean, created: Set<string>, into: ChannelCounts): void {
    if (targets === 0) return;
    if (state === 'live' || created.has(cid)) into.existing += targets;
    else if (state === 'deleted' || !create) into.skipped += targets;
    else {
      created.add(cid);
      into.to_create += 1;
      into.existing += targets - 1;
    }
  }

  /**
   * total ÷ rate, where the rate is the smallest of the campaign's max_messages_per_second, the
   * app's campaign_max_messages_per_second and the send rate measured last (messages sent by
   * the campaign that completed last ÷ its stats_started_at → stats_completed_at), or
   * DEFAULT_SEND_RATE_PER_SECOND when no campaign has completed. Delivery windows and other
   * campaigns sending at the same time are not counted.
   */
  private async estimatedSeconds(campaign: Campaign, total: number): Promise<number> {
    if (total === 0) return 0;
    const [settings, measured] = await Promise.all([this.deps.storage.settings.get(), this.deps.storage.audience.recentSendRate()]);
    const rates = [campaign.max_messages_per_second, settings.campaign_max_messages_per_second, measured ?? DEFAULT_SEND_RATE_PER_SECOND].filter((r): r is number => typeof r === 'number' && r > 0);
    return Math.ceil((total / Math.min(...rates)) * 1000) / 1000;
  }
}

