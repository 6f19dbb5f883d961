import { SenderMode, SenderVisibility, type Campaign } from '../domain/campaign.js';
import { SkipReason, TargetStatus } from '../domain/campaign-target.js';
import { checkChannelId, ChannelRole, distinctChannelId, MAX_CHANNEL_ID_LENGTH, splitCid } from '../domain/channel.js';
import { MAX_TEXT_LENGTH } from '../domain/message.js';
import { compileTemplate, type RenderFn, type TemplateVars } from '../domain/template.js';
import type { User } from '../domain/user.js';
import { campaignVars, channelVars, userVars } from './template-vars.js';

/**
 * How a campaign becomes one target's message: its channel, its rendered text, the members of a
 * channel it creates. The sender's planner, the preview and the test send all use these, so
 * what the preview shows is what the sender sends.
 */

export interface Outcome {
  status: typeof TargetStatus.skipped | typeof TargetStatus.failed;
  reason?: string;
  error?: string;
}

export const channelMissing: Outcome = { status: TargetStatus.skipped, reason: SkipReason.channelMissing };
export const userMissing: Outcome = { status: TargetStatus.skipped, reason: SkipReason.userMissing };

export const failedWith = (error: unknown): Outcome => ({
  status: TargetStatus.failed,
  error: (error instanceof Error ? error.message : String(error)).slice(0, 500),
});

/** A member row a send writes, its flags decided here. */
export interface MemberRow {
  user_id: string;
  channel_role: string;
  hidden: boolean;
  archived: boolean;
}

export interface CompiledCampaign {
  /** The campaign's id and updated_at: a changed template compiles again. */
  version: string;
  text: RenderFn;
  channelId: RenderFn | null;
}

/** A channel target's channel, for its template variables. */
export interface ChannelInfo {
  cid: string;
  custom: Record<string, unknown>;
  team: string | null;
}

/** What every target of a campaign shares in its template variables. */
export interface RenderBase {
  sender: Record<string, unknown>;
  campaign: Record<string, unknown>;
}

/** One target, rendered: where its message goes and what it says; or why it gets none. */
export type RenderedTarget =
  | { outcome: Outcome; cid: string; channelType: string; channelId: string }
  | { outcome?: undefined; kind: 'user' | 'channel'; cid: string; channelType: string; channelId: string; text: string };

/**
 * A template's renderer whose errors name the field. A template that no longer compiles (one
 * stored before a rule existed, say) fails each target with the reason instead of failing the
 * whole batch, which would give the batch back and retry it forever.
 */
function fieldRenderer(source: string, field: string, maxOutputChars: number): RenderFn {
  const named = (error: unknown) => new Error(`${field}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
  let render: RenderFn;
  try {
    render = compileTemplate(source, maxOutputChars);
  } catch (error) {
    const reason = named(error);
    return () => {
      throw reason;
    };
  }
  return (vars: TemplateVars) => {
    try {
      return render(vars);
    } catch (error) {
      throw named(error);
    }
  };
}

export function compileCampaign(campaign: Campaign): CompiledCampaign {
  return {
    version: `${campaign.id}@${campaign.updated_at}`,
    text: fieldRenderer(campaign.message_template.text, 'message_template.text', MAX_TEXT_LENGTH),
    channelId: campaign.channel_template?.id ? fieldRenderer(campaign.channel_template.id, 'channel_template.id', MAX_CHANNEL_ID_LENGTH) : null,
  };
}

/**
 * What the renders of one request (a preview, a test send) may spend in all: this many ms,
 * plus 1 ms per render. A template can be accepted at create time (rendered with empty
 * variables) and be slow for every real receiver: up to two time budgets, ~100 ms, each. That
 * made a preview of 50 samples answer in 5 s, holding the event loop, and its channel pass
 * over the whole audience far longer. Past the allowance, the request's other targets fail
 * at once with the reason; a template that takes microseconds never comes near it.
 */
export const REQUEST_RENDER_MS = 500;

export function withRequestRenderBudget(compiled: CompiledCampaign, nowMicros: () => number): CompiledCampaign {
  let spentMs = 0;
  let renders = 0;
  const guard = (render: RenderFn, field: string): RenderFn => (vars) => {
    if (spentMs > REQUEST_RENDER_MS + renders) {
      throw new Error(`${field}: not rendered: this request's renders took more than ${Math.round(spentMs)} ms (the template is too slow for these receivers)`);
    }
    const started = nowMicros();
    try {
      return render(vars);
    } finally {
      spentMs += (nowMicros() - started) / 1000;
      renders++;
    }
  };
  return {
    version: compiled.version,
    text: guard(compiled.text, 'message_template.text'),
    channelId: compiled.channelId && guard(compiled.channelId, 'channel_template.id'),
  };
}

export const renderBase = (campaign: Campaign, sender: User | undefined): RenderBase => ({
  sender: sender ? userVars(sender) : { id: campaign.sender_id },
  campaign: campaignVars(campaign),
});

export const channelTypeOf = (campaign: Campaign): string => campaign.channel_template?.type ?? 'messaging';

/**
 * A user target's channel: the rendered template id, or the sender+receiver distinct channel.
 * Throws when there is none (an id that does not render or check; the sender as receiver).
 */
export function userTargetChannel(campaign: Campaign, compiled: CompiledCampaign, base: RenderBase, targetId: string, receiverVars: Record<string, unknown>) {
  const type = channelTypeOf(campaign);
  const channelId = compiled.channelId
    ? checkChannelId(compiled.channelId({ ...base, receiver: receiverVars, channel: { type } }))
    : distinctChannelId([campaign.sender_id, targetId]);
  return { cid: `${type}:${channelId}`, type, channelId };
}

/** A user target: the rendered template id or the sender+receiver distinct channel, then the text. */
export function renderUserTarget(campaign: Campaign, compiled: CompiledCampaign, base: RenderBase, targetId: string, receiver: User | undefined): RenderedTarget {
  const type = channelTypeOf(campaign);
  const empty = { cid: '', channelType: type, channelId: '' };
  if (!receiver) return { ...empty, outcome: userMissing };
  try {
    const receiverVars = userVars(receiver);
    const { cid, channelId } = userTargetChannel(campaign, compiled, base, targetId, receiverVars);
    const template = campaign.channel_template;
    const channel = channelVars(cid, type, channelId, template?.team ?? null, template?.custom ?? {});
    return { kind: 'user', cid, channelType: type, channelId, text: compiled.text({ ...base, receiver: receiverVars, channel }) };
  } catch (error) {
    return { ...empty, outcome: failedWith(error) };
  }
}

/** A channel target: its text, or channel_missing when the channel is gone. */
export function renderChannelTarget(compiled: CompiledCampaign, base: RenderBase, cid: string, info: ChannelInfo | undefined): RenderedTarget {
  const { type, id } = splitCid(cid);
  const where = { cid, channelType: type, channelId: id };
  if (!info) return { ...where, outcome: channelMissing };
  try {
    return { ...where, kind: 'channel', text: compiled.text({ ...base, channel: channelVars(cid, type, id, info.team, info.custom) }) };
  } catch (error) {
    return { ...where, outcome: failedWith(error) };
  }
}

const member = (user_id: string, channel_role: string): MemberRow => ({ user_id, channel_role, hidden: false, archived: false });

/**
 * The members of a channel the campaign creates: the receiver; the sender as owner (unless
 * sender_mode exclude), hidden or archived for itself as sender_visibility says; then the
 * template's members.
 */
export function newChannelMembers(campaign: Campaign, receiverId: string): MemberRow[] {
  const members = [member(receiverId, ChannelRole.member)];
  if (campaign.sender_mode !== SenderMode.exclude && campaign.sender_id !== receiverId) {
    members.push({
      ...member(campaign.sender_id, ChannelRole.owner),
      hidden: campaign.sender_visibility === SenderVisibility.hidden,
      archived: campaign.sender_visibility === SenderVisibility.archived,
    });
  }
  const template = campaign.channel_template;
  const extra = template?.members_template?.map((m) => member(m.user_id, m.channel_role ?? ChannelRole.member)) ??
    template?.members?.map((id) => member(id, ChannelRole.member)) ?? [];
  for (const m of extra) if (!members.some((x) => x.user_id === m.user_id)) members.push(m);
  return members;
}

/** Members added to a channel that exists already: the sender, in sender_mode include. */
export const joiningMembers = (campaign: Campaign): MemberRow[] =>
  campaign.sender_mode === SenderMode.include ? [member(campaign.sender_id, ChannelRole.member)] : [];
