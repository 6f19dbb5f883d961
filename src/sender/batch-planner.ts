import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { AppDeps } from '../app/app-deps.js';
import {
  channelMissing,
  compileCampaign,
  joiningMembers,
  newChannelMembers,
  renderBase,
  renderChannelTarget,
  renderUserTarget,
  type ChannelInfo,
  type CompiledCampaign,
  type MemberRow,
  type RenderBase,
} from '../app/campaign-rendering.js';
import type { SnapshotEvent } from '../app/event-ports.js';
import { hookUrlsFor, type AppSettings } from '../domain/app-settings.js';
import type { Campaign } from '../domain/campaign.js';
import { isChannelTarget, SilentReason, SkipReason, TargetStatus } from '../domain/campaign-target.js';
import type { Micros } from '../domain/clock.js';
import { nextOpening, zoneOf, type DeliveryWindow } from '../domain/delivery-window.js';
import { EventType } from '../domain/events.js';
import { FeedKind } from '../domain/feed.js';
import { MessageType } from '../domain/message.js';
import type { User } from '../domain/user.js';
import type { DeliveryItem, DeliveryPlan, ReceiverRules, SenderStore } from './sender-ports.js';

/**
 * Why a user target gets no message, as Stream would refuse it: a deactivated receiver, one
 * banned app-wide or from the target channel, one who blocked the sender. Checked after
 * rendering, which names the channel. (A channel target reaches whoever its members are.)
 */
function refusalOf(targetId: string, cid: string, p: PlanContext): string | null {
  if (p.byId.get(targetId)?.deactivated_at != null) return SkipReason.deactivated;
  const bans = p.rules.banned.get(targetId);
  if (bans && (bans.has('') || bans.has(cid))) return SkipReason.banned;
  if (p.rules.blockedSender.has(targetId)) return SkipReason.blocked;
  return null;
}

/** What planning one target needs, read once per batch. */
interface PlanContext {
  campaign: Campaign;
  compiled: CompiledCampaign;
  base: RenderBase;
  byId: ReadonlyMap<string, User>;
  channelByCid: ReadonlyMap<string, ChannelInfo>;
  rules: ReceiverRules;
  join: readonly MemberRow[];
  now: Micros;
  window: DeliveryWindow | null;
  /** When the window next opens in each zone seen in the batch (null: open now); ~2 µs a zone. */
  openings: Map<string, Micros | null>;
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
    private readonly store: Pick<SenderStore, 'channelsByCid' | 'receiverRules'>,
    private readonly options: PlannerOptions,
  ) {}

  /** `appSettings`: as the sender read them for this round (its throttle and webhooks). */
  async plan(campaign: Campaign, targetIds: readonly string[], appSettings: AppSettings): Promise<DeliveryPlan> {
    const compiled = this.compiled(campaign);
    const now = this.deps.clock.nowMicros();
    // skip_webhook silences the chat events the campaign causes (its own campaign.* events stay).
    const settings = campaign.skip_webhook ? null : appSettings;
    const userIds = targetIds.filter((t) => !isChannelTarget(t));
    const [users, channels, rules] = await Promise.all([
      this.deps.storage.users.batchGet([campaign.sender_id, ...userIds]),
      this.store.channelsByCid(targetIds.filter(isChannelTarget)),
      this.store.receiverRules(campaign.sender_id, userIds, now),
    ]);
    const byId = new Map(users.filter((u) => u.deleted_at === null).map((u) => [u.id, u]));
    const context: PlanContext = {
      campaign,
      compiled,
      base: renderBase(campaign, byId.get(campaign.sender_id)),
      byId,
      channelByCid: new Map(channels.map((c) => [c.cid, c])),
      rules,
      join: joiningMembers(campaign),
      now,
      window: campaign.delivery_window,
      openings: new Map(),
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
    let compiled = this.templates.get(campaign.id);
    if (compiled?.version !== `${campaign.id}@${campaign.updated_at}`) this.templates.set(campaign.id, (compiled = compileCampaign(campaign)));
    return compiled;
  }

  /**
   * When the target's delivery window next opens, or null when it is open (or there is none).
   * A user's zone is in its custom data; a channel's, and an unknown user's, is the default.
   */
  private deferral(targetId: string, p: PlanContext): Micros | null {
    if (!p.window) return null;
    const receiver = isChannelTarget(targetId) ? undefined : p.byId.get(targetId);
    // A missing user is skipped now, not deferred to be skipped later.
    if (!receiver && !isChannelTarget(targetId)) return null;
    const zone = receiver ? zoneOf(p.window, receiver.custom) : p.window.default_timezone;
    let opening = p.openings.get(zone);
    if (opening === undefined) p.openings.set(zone, (opening = nextOpening(p.window, zone, p.now)));
    return opening;
  }

  /** One target: its rendered channel and text (campaign-rendering.ts) and the rules of its send. */
  private planItem(targetId: string, messageId: string, p: PlanContext): DeliveryItem {
    const { campaign } = p;
    const deferUntil = this.deferral(targetId, p);
    if (deferUntil !== null) {
      return { targetId, messageId, cid: '', channelType: '', channelId: '', text: '', join: [], ifMissing: channelMissing, reach: 'receiver', deferUntil };
    }
    const rendered = isChannelTarget(targetId)
      ? renderChannelTarget(p.compiled, p.base, targetId, p.channelByCid.get(targetId))
      : renderUserTarget(campaign, p.compiled, p.base, targetId, p.byId.get(targetId));
    const item: DeliveryItem = {
      targetId, messageId, cid: rendered.cid, channelType: rendered.channelType, channelId: rendered.channelId, text: '',
      join: p.join, ifMissing: channelMissing, reach: isChannelTarget(targetId) ? 'members' : 'receiver',
    };
    if (rendered.outcome) return { ...item, outcome: rendered.outcome };
    if (rendered.kind === 'user') {
      const refusal = refusalOf(targetId, rendered.cid, p);
      if (refusal) return { ...item, outcome: { status: TargetStatus.skipped, reason: refusal } };
      if (p.rules.mutedSender.has(targetId) || p.rules.mutedChannels.get(targetId)?.has(rendered.cid)) {
        item.silent = true;
        item.sentReason = SilentReason.muted;
      }
    }
    item.text = rendered.text;
    if (rendered.kind === 'user') {
      if (campaign.create_channels) item.create = { members: newChannelMembers(campaign, targetId) };
      if (campaign.show_channels) item.unhide = targetId;
    }
    return item;
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
      if (item.outcome || item.deferUntil !== undefined) continue;
      item.webhooks = {
        always: wantsMessage
          ? snapshot({ type: EventType.messageNew, message: {
              id: item.messageId, cid: item.cid, user_id: campaign.sender_id, type: MessageType.regular, text: item.text, attachments,
              poll_id, custom, campaign_id: campaign.id, created_at: now, updated_at: now, deleted_at: null, silent: item.silent,
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
