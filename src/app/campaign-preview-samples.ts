import type { Campaign } from '../domain/campaign.js';
import { isChannelTarget, SkipReason } from '../domain/campaign-target.js';
import { formatVarPath, isMissingAt, type VarPath } from '../domain/template-variables.js';
import type { User } from '../domain/user.js';
import type { AppDeps } from './app-deps.js';
import {
  failedWith,
  renderChannelTarget,
  renderUserTarget,
  type ChannelInfo,
  type CompiledCampaign,
  type RenderBase,
  type RenderedTarget,
} from './campaign-rendering.js';
import type { AudienceStore } from './audience-ports.js';
import { userVars } from './template-vars.js';

/** What every part of a preview shares. */
export interface PreviewContext {
  campaign: Campaign;
  compiled: CompiledCampaign;
  base: RenderBase;
  /** The `receiver.*` paths the message text reads. */
  paths: VarPath[];
}

/**
 * One target's message as the sender would write it now. A target the sender would not send
 * to says why: `skipped` (user_missing, channel_missing; the text it would have had is kept
 * when it rendered) or `error` (a template that fails for it). Otherwise `channel` says whether
 * the message lands in a channel that exists or in one the send creates.
 */
export interface PreviewSample {
  target_id: string;
  /** A send started now would reach it: in the audience, and not finished in the ledger. */
  in_audience: boolean;
  channel_cid: string | null;
  channel?: 'existing' | 'to_create';
  text: string | null;
  attachments: unknown[];
  custom: Record<string, unknown>;
  /** The message's `receiver.*` variables that are missing or null for this target. */
  missing_variables: string[];
  skipped?: string;
  error?: string;
}

type Decision = Pick<PreviewSample, 'channel' | 'skipped' | 'error'>;

/** The first `first` targets of the audience in id order, or the given targets, rendered. */
export async function previewSamples(deps: AppDeps, context: PreviewContext, which: readonly string[] | { first: number }): Promise<PreviewSample[]> {
  const { storage } = deps;
  const { campaign, compiled, base } = context;
  const targets = 'first' in which ? await firstTargets(storage.audience, campaign, which.first) : which;
  const inAudience = 'first' in which ? new Set(targets) : await storage.audience.batchInAudience(campaign, targets);
  // As the planner reads them: users that are not deleted, channels that are not deleted.
  const users = await storage.users.batchGet(targets.filter((t) => !isChannelTarget(t)));
  const byId = new Map(users.filter((u) => u.deleted_at === null).map((u) => [u.id, u]));
  const channels = new Map<string, ChannelInfo>();
  for (const cid of targets.filter(isChannelTarget)) {
    const channel = await storage.channels.get(cid);
    if (channel) channels.set(cid, { cid: channel.cid, custom: channel.custom, team: channel.team });
  }
  const rendered = targets.map((t): RenderedTarget => {
    try {
      return isChannelTarget(t) ? renderChannelTarget(compiled, base, t, channels.get(t)) : renderUserTarget(campaign, compiled, base, t, byId.get(t));
    } catch (error) {
      // A cid that does not split (`messaging:`): the planner could not send it either.
      return { cid: '', channelType: '', channelId: '', outcome: failedWith(error) };
    }
  });
  const states = await storage.audience.batchChannelStates([...new Set(rendered.flatMap((r) => (r.outcome ? [] : [r.cid])))]);
  // Decided in target id order, the order the sender claims in: of several targets of one new
  // channel, the first creates it.
  const decisions: Decision[] = [];
  const created = new Set<string>();
  for (const i of targets.map((_, i) => i).sort((a, b) => (targets[a] < targets[b] ? -1 : 1))) {
    decisions[i] = decide(rendered[i], states.get(rendered[i].cid), campaign.create_channels, created);
  }
  const { attachments = [], custom = {} } = campaign.message_template;
  return targets.map((target_id, i) => {
    const r = rendered[i];
    const receiver: User | undefined = isChannelTarget(target_id) ? undefined : byId.get(target_id);
    const vars = receiver && userVars(receiver);
    return {
      target_id,
      in_audience: inAudience.has(target_id),
      channel_cid: r.cid || null,
      text: r.outcome ? null : r.text,
      attachments,
      custom,
      missing_variables: context.paths.filter((p) => !vars || isMissingAt(vars, p)).map((p) => formatVarPath('receiver', p)),
      ...decisions[i],
    };
  });
}

function decide(r: RenderedTarget, state: 'live' | 'deleted' | undefined, create: boolean, created: Set<string>): Decision {
  if (r.outcome) return r.outcome.reason ? { skipped: r.outcome.reason } : { error: r.outcome.error ?? 'failed' };
  if (state === 'live' || created.has(r.cid)) return { channel: 'existing' };
  if (state === 'deleted' || !create || r.kind !== 'user') return { skipped: SkipReason.channelMissing };
  created.add(r.cid);
  return { channel: 'to_create' };
}

async function firstTargets(audience: AudienceStore, campaign: Campaign, count: number): Promise<string[]> {
  const found: string[] = [];
  let after: string | null = null;
  do {
    const page = await audience.page(campaign, after, count);
    found.push(...page.rows.map((r) => r.target));
    after = page.next;
  } while (found.length < count && after !== null);
  return found.slice(0, count);
}
