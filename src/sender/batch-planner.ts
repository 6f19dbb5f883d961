import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { AppDeps } from '../app/app-deps.js';
import type { SnapshotEvent } from '../app/event-ports.js';
import { campaignVars, channelVars, userVars } from '../app/template-vars.js';
import { hookUrlsFor, type AppSettings } from '../domain/app-settings.js';
import { SenderMode, SenderVisibility, type Campaign } from '../domain/campaign.js';
import { isChannelTarget, SkipReason, TargetStatus } from '../domain/campaign-target.js';
import { checkChannelId, ChannelRole, distinctChannelId, MAX_CHANNEL_ID_LENGTH, splitCid } from '../domain/channel.js';
import { EventType } from '../domain/events.js';
import { FeedKind } from '../domain/feed.js';
import { MAX_TEXT_LENGTH, MessageType } from '../domain/message.js';
import { compileTemplate, type RenderFn, type TemplateVars } from '../domain/template.js';
import type { User } from '../domain/user.js';
import type { ChannelInfo, DeliveryItem, DeliveryPlan, MemberRow, Outcome, SenderStore } from './sender-ports.js';

interface CompiledCampaign {
  version: string;
  text: RenderFn;
  channelId: RenderFn | null;
}

/** What planning one target needs, read once per batch. */
interface PlanContext {
  campaign: Campaign;
  compiled: CompiledCampaign;
  base: { sender: Record<string, unknown>; campaign: Record<string, unknown> };
  type: string;
  byId: ReadonlyMap<string, User>;
  channelByCid: ReadonlyMap<string, ChannelInfo>;
  /** Members added to an existing channel: the sender, in sender_mode include. */
  join: readonly MemberRow[];
}

const CHANNEL_MISSING: Outcome = { status: TargetStatus.skipped, reason: SkipReason.channelMissing };
const USER_MISSING: Outcome = { status: TargetStatus.skipped, reason: SkipReason.userMissing };

const failed = (error: unknown): Outcome => ({
  status: TargetStatus.failed,
  error: (error instanceof Error ? error.message : String(error)).slice(0, 500),
});

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

export interface PlannerOptions {
  /** Planning stops after this long, and the batch commits what it planned (a third of the lease). */
  planBudgetMs: number;
}

// Planning hands the event loop back every ~10 ms, and stops at its budget: a batch of hostile
// templates (5,000 targets × a 50 ms render budget = 250 s) must still commit what it planned
// in bounded time and leave the rest pending for the next batch.
const YIELD_EVERY_MICROS = 10_000;

/**
 * Plans one batch of a campaign in JS, before its write transaction: every target's channel,
 * rendered text and time-ordered message id, and every rule of the send (skip reasons,
 * sender_mode, sender_visibility, show_channels, who is reached). The dialects' writers only
 * execute the plan.
 */
export class BatchPlanner {
  private readonly templates = new Map<string, CompiledCampaign>();

  constructor(
    private readonly deps: AppDeps,
    private readonly store: Pick<SenderStore, 'channelsByCid'>,
    private readonly options: PlannerOptions,
  ) {}

  async plan(campaign: Campaign, targetIds: readonly string[]): Promise<DeliveryPlan> {
    const compiled = this.compiled(campaign);
    const now = this.deps.clock.nowMicros();
    // skip_webhook silences the chat events the campaign causes (its own campaign.* events stay).
    const settings = campaign.skip_webhook ? null : await this.deps.storage.settings.get();
    const userIds = targetIds.filter((t) => !isChannelTarget(t));
    const [users, channels] = await Promise.all([
      this.deps.storage.users.batchGet([campaign.sender_id, ...userIds]),
      this.store.channelsByCid(targetIds.filter(isChannelTarget)),
    ]);
    const byId = new Map(users.filter((u) => u.deleted_at === null).map((u) => [u.id, u]));
    const sender = byId.get(campaign.sender_id);
    const context: PlanContext = {
      campaign,
      compiled,
      base: { sender: sender ? userVars(sender) : { id: campaign.sender_id }, campaign: campaignVars(campaign) },
      type: campaign.channel_template?.type ?? 'messaging',
      byId,
      channelByCid: new Map(channels.map((c) => [c.cid, c])),
      join: campaign.sender_mode === SenderMode.include ? [member(campaign.sender_id, ChannelRole.member)] : [],
    };
    // One block of ids for the batch: its messages are then exactly the ids between the first
    // and the last, which is all its chat feed row needs to say (docs/design.md, Realtime).
    const messageIds = this.deps.ids.block(targetIds.length);
    const items: DeliveryItem[] = [];
    const deadline = now + this.options.planBudgetMs * 1000;
    let yieldAt = now + YIELD_EVERY_MICROS;
    for (const targetId of targetIds) {
      const at = this.deps.clock.nowMicros();
      if (items.length > 0 && at > deadline) break;
      if (at > yieldAt) {
        await yieldToEventLoop();
        yieldAt = this.deps.clock.nowMicros() + YIELD_EVERY_MICROS;
      }
      items.push(this.planItem(targetId, messageIds[items.length], context));
    }
    if (settings) this.planWebhooks(campaign, items, settings, now);
    const template = campaign.channel_template;
    const { attachments = [], poll_id = null, custom = {} } = campaign.message_template;
    return {
      campaignId: campaign.id,
      now,
      senderId: campaign.sender_id,
      channel: { team: template?.team ?? null, customJson: JSON.stringify(template?.custom ?? {}) },
      message: { attachmentsJson: JSON.stringify(attachments), pollId: poll_id, customJson: JSON.stringify(custom) },
      items,
      feed: {
        kind: FeedKind.campaignBatch,
        campaign_id: campaign.id,
        first_message_id: messageIds[0],
        last_message_id: messageIds[Math.max(items.length - 1, 0)],
        at: now,
      },
    };
  }

  private compiled(campaign: Campaign): CompiledCampaign {
    const version = `${campaign.id}@${campaign.updated_at}`;
    let compiled = this.templates.get(campaign.id);
    if (compiled?.version !== version) {
      compiled = {
        version,
        text: fieldRenderer(campaign.message_template.text, 'message_template.text', MAX_TEXT_LENGTH),
        channelId: campaign.channel_template?.id
          ? fieldRenderer(campaign.channel_template.id, 'channel_template.id', MAX_CHANNEL_ID_LENGTH)
          : null,
      };
      this.templates.set(campaign.id, compiled);
    }
    return compiled;
  }

  /** One target: its channel and rendered text, or the reason it is skipped or failed. */
  private planItem(targetId: string, messageId: string, p: PlanContext): DeliveryItem {
    const { compiled, base, type, campaign } = p;
    const template = campaign.channel_template;
    const item: DeliveryItem = {
      targetId, cid: '', channelType: type, channelId: '', messageId, text: '', join: p.join, ifMissing: CHANNEL_MISSING, reach: 'receiver',
    };
    try {
      if (isChannelTarget(targetId)) {
        const { type: channelType, id } = splitCid(targetId);
        Object.assign(item, { cid: targetId, channelType, channelId: id, reach: 'members' });
        const info = p.channelByCid.get(targetId);
        if (!info) return { ...item, outcome: CHANNEL_MISSING };
        item.text = compiled.text({ ...base, channel: channelVars(targetId, channelType, id, info.team, info.custom) });
        return item;
      }
      const receiver = p.byId.get(targetId);
      if (!receiver) return { ...item, outcome: USER_MISSING };
      const receiverVars = userVars(receiver);
      const channelId = compiled.channelId
        ? checkChannelId(compiled.channelId({ ...base, receiver: receiverVars, channel: { type } }))
        : distinctChannelId([campaign.sender_id, targetId]);
      Object.assign(item, { cid: `${type}:${channelId}`, channelId });
      const channel = channelVars(item.cid, type, channelId, template?.team ?? null, template?.custom ?? {});
      item.text = compiled.text({ ...base, receiver: receiverVars, channel });
      if (campaign.create_channels) item.create = { members: this.newChannelMembers(campaign, targetId) };
      if (campaign.show_channels) item.unhide = targetId;
      return item;
    } catch (error) {
      return { ...item, outcome: failed(error) };
    }
  }

  /**
   * The members of a channel the campaign creates: the receiver; the sender as owner (unless
   * sender_mode exclude), hidden or archived for itself as sender_visibility says; then the
   * template's members.
   */
  private newChannelMembers(campaign: Campaign, receiverId: string): MemberRow[] {
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

  /** message.new for every message, channel.created for every channel the send may create. */
  private planWebhooks(campaign: Campaign, items: DeliveryItem[], settings: AppSettings, now: number): void {
    const wantsMessage = hookUrlsFor(settings, EventType.messageNew).length > 0;
    const wantsChannel = campaign.create_channels && hookUrlsFor(settings, EventType.channelCreated).length > 0;
    if (!wantsMessage && !wantsChannel) return;
    const template = campaign.channel_template;
    const { attachments = [], poll_id = null, custom = {} } = campaign.message_template;
    const snapshot = (event: SnapshotEvent) => this.deps.events.snapshot(settings, event);
    for (const item of items) {
      if (item.outcome) continue;
      item.webhooks = {
        always: wantsMessage
          ? snapshot({ type: EventType.messageNew, message: {
              id: item.messageId, cid: item.cid, user_id: campaign.sender_id, type: MessageType.regular, text: item.text, attachments,
              poll_id, custom, campaign_id: campaign.id, created_at: now, updated_at: now, deleted_at: null,
            } })
          : [],
        ifCreated: wantsChannel && item.create
          ? snapshot({ type: EventType.channelCreated, channel: {
              cid: item.cid, type: item.channelType, id: item.channelId, created_by_id: campaign.sender_id, team: template?.team ?? null,
              frozen: false, disabled: false, member_count: 0, message_count: 1, last_message_at: now, custom: template?.custom ?? {},
              created_at: now, updated_at: now, deleted_at: null,
            } })
          : [],
      };
    }
  }
}

const member = (user_id: string, channel_role: string): MemberRow => ({ user_id, channel_role, hidden: false, archived: false });
