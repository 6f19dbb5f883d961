import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { hookUrlsFor, type AppSettings } from '../domain/app-settings.js';
import type { Campaign } from '../domain/campaign.js';
import { isChannelTarget, SkipReason, TargetStatus } from '../domain/campaign-target.js';
import { checkChannelId, distinctChannelId, MAX_CHANNEL_ID_LENGTH, splitCid } from '../domain/channel.js';
import { EventType } from '../domain/events.js';
import { FeedKind } from '../domain/feed.js';
import { MAX_TEXT_LENGTH, MessageType } from '../domain/message.js';
import { compileTemplate, type RenderFn, type TemplateVars } from '../domain/template.js';
import type { User } from '../domain/user.js';
import type { AppDeps } from './app-deps.js';
import type { SnapshotEvent } from './event-ports.js';
import type { ChannelInfo, DeliveryItem, DeliveryPlan, DeliveryResult, LedgerStore } from './sender-ports.js';
import { campaignVars, channelVars, userVars } from './template-vars.js';

export interface DeliveryOptions {
  owner: string;
  batchSize: number;
  leaseMs: number;
}

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
}

const failed = (error: unknown) => ({
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

// Planning hands the event loop back every ~10 ms, and stops at a third of the lease: a batch
// of hostile templates (5,000 targets × a 50 ms render budget = 250 s) must still commit what
// it planned long before its 30 s lease runs out, and give the rest back for the next batch.
const YIELD_EVERY_MICROS = 10_000;
const PLAN_SHARE_OF_LEASE = 1 / 3;

/**
 * Sends one batch of a campaign: claims pending targets with a lease, plans every message in
 * JS (channels, rendered text, time-ordered ids), then commits the batch in ONE transaction —
 * messages, channels, members, ledger rows and stats together, so a crash loses only
 * uncommitted work, which the lease returns to the pool.
 */
export class Delivery {
  private readonly templates = new Map<string, CompiledCampaign>();

  constructor(
    private readonly deps: AppDeps,
    private readonly ledger: LedgerStore,
    private readonly options: DeliveryOptions,
  ) {}

  /** False when no target of this campaign was free to claim. */
  async step(campaign: Campaign): Promise<DeliveryResult | null> {
    const { owner, batchSize, leaseMs } = this.options;
    const targetIds = await this.ledger.claim(campaign.id, owner, this.deps.clock.nowMicros(), leaseMs, batchSize);
    if (targetIds.length === 0) return null;
    try {
      const plan = await this.plan(campaign, targetIds);
      const result = await this.ledger.commit(plan);
      if (plan.items.length < targetIds.length) await this.ledger.release(campaign.id, owner, targetIds.slice(plan.items.length));
      return result;
    } catch (error) {
      // We MUST give the targets back whether the batch failed in planning or in the commit:
      // the commit is all or nothing, so none of them was sent.
      await this.ledger.release(campaign.id, owner, targetIds);
      throw error;
    }
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

  async plan(campaign: Campaign, targetIds: readonly string[]): Promise<DeliveryPlan> {
    const compiled = this.compiled(campaign);
    const now = this.deps.clock.nowMicros();
    // skip_webhook silences the chat events the campaign causes (its own campaign.* events stay).
    const settings = campaign.skip_webhook ? null : await this.deps.storage.settings.get();
    const userIds = targetIds.filter((t) => !isChannelTarget(t));
    const cids = targetIds.filter(isChannelTarget);
    const [users, channels] = await Promise.all([
      this.deps.storage.users.batchGet([campaign.sender_id, ...userIds]),
      this.ledger.channelsByCid(cids),
    ]);
    const byId = new Map(users.filter((u) => u.deleted_at === null).map((u) => [u.id, u]));
    const channelByCid = new Map(channels.map((c) => [c.cid, c]));
    const sender = byId.get(campaign.sender_id);
    const base = { sender: sender ? userVars(sender) : { id: campaign.sender_id }, campaign: campaignVars(campaign) };
    const type = campaign.channel_template?.type ?? 'messaging';
    const template = campaign.channel_template;

    // One block of ids for the batch: its messages are then exactly the ids between the first
    // and the last, which is all its chat feed row needs to say (docs/design.md, Realtime).
    const messageIds = this.deps.ids.block(targetIds.length);
    const planned = { compiled, base, type, byId, channelByCid, campaign };
    const items: DeliveryItem[] = [];
    const deadline = now + this.options.leaseMs * 1000 * PLAN_SHARE_OF_LEASE;
    let yieldAt = now + YIELD_EVERY_MICROS;
    for (const targetId of targetIds) {
      const at = this.deps.clock.nowMicros();
      if (items.length > 0 && at > deadline) break;
      if (at > yieldAt) {
        await yieldToEventLoop();
        yieldAt = this.deps.clock.nowMicros() + YIELD_EVERY_MICROS;
      }
      items.push(this.planItem(targetId, messageIds[items.length], planned));
    }

    if (settings) this.planWebhooks(campaign, items, settings, now);
    return {
      campaignId: campaign.id,
      owner: this.options.owner,
      now,
      senderId: campaign.sender_id,
      createChannels: campaign.create_channels,
      senderMode: campaign.sender_mode,
      senderVisibility: campaign.sender_visibility,
      showChannels: campaign.show_channels,
      channel: {
        team: template?.team ?? null,
        customJson: JSON.stringify(template?.custom ?? {}),
        members: template?.members_template?.map((m) => ({ user_id: m.user_id, channel_role: m.channel_role ?? 'channel_member' })) ??
          template?.members?.map((user_id) => ({ user_id, channel_role: 'channel_member' })) ?? [],
      },
      message: {
        attachmentsJson: JSON.stringify(campaign.message_template.attachments ?? []),
        pollId: campaign.message_template.poll_id ?? null,
        customJson: JSON.stringify(campaign.message_template.custom ?? {}),
      },
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

  /** One target: its channel and rendered text, or the reason it is skipped or failed. */
  private planItem(targetId: string, messageId: string, p: PlanContext): DeliveryItem {
    const { compiled, base, type, campaign } = p;
    const template = campaign.channel_template;
    const item: DeliveryItem = { targetId, kind: 'user', cid: '', channelType: type, channelId: '', messageId, text: '' };
    try {
      if (isChannelTarget(targetId)) {
        const { type: channelType, id } = splitCid(targetId);
        const info = p.channelByCid.get(targetId);
        Object.assign(item, { kind: 'channel', cid: targetId, channelType, channelId: id });
        if (!info) return { ...item, outcome: { status: TargetStatus.skipped, reason: SkipReason.channelMissing } };
        item.text = compiled.text({ ...base, channel: channelVars(targetId, channelType, id, info.team, info.custom) });
      } else {
        const receiver = p.byId.get(targetId);
        if (!receiver) return { ...item, outcome: { status: TargetStatus.skipped, reason: SkipReason.userMissing } };
        const receiverVars = userVars(receiver);
        this.userChannel(item, campaign, compiled, base, receiverVars, type);
        const channel = channelVars(item.cid, type, item.channelId, template?.team ?? null, template?.custom ?? {});
        item.text = compiled.text({ ...base, receiver: receiverVars, channel });
        item.receiverId = targetId;
      }
      return item;
    } catch (error) {
      return { ...item, outcome: failed(error) };
    }
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
        ifCreated: wantsChannel && item.kind === 'user'
          ? snapshot({ type: EventType.channelCreated, channel: {
              cid: item.cid, type: item.channelType, id: item.channelId, created_by_id: campaign.sender_id, team: template?.team ?? null,
              frozen: false, disabled: false, member_count: 0, message_count: 1, last_message_at: now, custom: template?.custom ?? {},
              created_at: now, updated_at: now, deleted_at: null,
            } })
          : [],
      };
    }
  }

  /** The channel of a user target: the rendered template id, or the sender+receiver distinct channel. */
  private userChannel(item: DeliveryItem, campaign: Campaign, compiled: CompiledCampaign, base: object, receiver: Record<string, unknown>, type: string): void {
    const id = compiled.channelId
      ? checkChannelId(compiled.channelId({ ...base, receiver, channel: { type } }))
      : distinctChannelId([campaign.sender_id, item.targetId]);
    item.channelId = id;
    item.cid = `${type}:${id}`;
  }
}
