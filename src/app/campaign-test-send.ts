import { allowedFrom, type Campaign } from '../domain/campaign.js';
import { SkipReason, TargetStatus } from '../domain/campaign-target.js';
import type { Channel } from '../domain/channel.js';
import { inputError, notFound } from '../domain/errors.js';
import { EventType } from '../domain/events.js';
import { FeedKind } from '../domain/feed.js';
import { MessageType, type Message } from '../domain/message.js';
import type { User } from '../domain/user.js';
import type { AppDeps } from './app-deps.js';
import {
  compileCampaign,
  joiningMembers,
  newChannelMembers,
  renderBase,
  renderUserTarget,
  type CompiledCampaign,
  type RenderBase,
  withRequestRenderBudget,
} from './campaign-rendering.js';
import type { HeraldEvent } from './event-ports.js';

/** At most this many recipients per test send: it is for a few colleagues, not an audience. */
export const MAX_TEST_RECIPIENTS = 20;

/** One recipient of a test send: the message it got, or why it got none. */
export interface TestSendEntry {
  user_id: string;
  /** The channel the message went to; for channel_missing, the one it would have gone to. */
  channel_cid: string | null;
  message_id: string | null;
  text: string | null;
  /** Set when the channel does not exist and the campaign does not create channels. */
  skipped?: typeof SkipReason.channelMissing;
  /** The rendering failure (a template over its budget for this user, say). */
  error?: string;
}

/** What the sender's planner would decide for one user target, rendered. */
interface Planned {
  userId: string;
  cid: string;
  channelType: string;
  channelId: string;
  text: string;
}

/**
 * The test send: renders a campaign for a few users and sends it to them now, as real chat
 * messages, with the sender's own rendering and channel rules (campaign-rendering.ts) so that
 * what a colleague receives is what the audience will. A test message carries
 * `test_campaign_id` instead of `campaign_id`, and nothing of it touches the ledger, the
 * stats, the status or updated_at of the campaign: a test never counts as a send. The
 * throttle and delivery_window do not apply either: a test is for now, for at most 20 people.
 */
export class CampaignTestSend {
  constructor(private readonly deps: AppDeps) {}

  async send(campaignId: string, userIds: readonly string[]): Promise<TestSendEntry[]> {
    const ids = checkRecipients(userIds);
    const campaign = await this.deps.storage.campaigns.get(campaignId);
    if (!campaign) throw notFound(`campaign "${campaignId}" does not exist`);
    // A start may race this check; that is harmless, as test messages never enter the ledger.
    if (!(allowedFrom.test as readonly string[]).includes(campaign.status)) {
      throw inputError(
        `campaign "${campaignId}" cannot be test-sent while ${campaign.status}: a test send is allowed in ${allowedFrom.test.join(', ')}`,
        { status: campaign.status },
      );
    }
    const users = await this.deps.storage.users.batchGet([campaign.sender_id, ...ids]);
    const byId = new Map(users.filter((u) => u.deleted_at === null).map((u) => [u.id, u]));
    const missing = ids.filter((id) => !byId.has(id));
    if (missing.length > 0) {
      throw inputError(`user_ids do not exist: ${missing.join(', ')}`, { user_ids: 'unknown users' });
    }
    const compiled = withRequestRenderBudget(compileCampaign(campaign), () => this.deps.clock.nowMicros());
    const sender = byId.get(campaign.sender_id);
    const base = renderBase(campaign, sender);
    const entries: TestSendEntry[] = [];
    // One transaction per recipient: each locks one channel only, so it never holds a channel
    // while it waits for another that a send batch (of another campaign) holds.
    for (const userId of ids) entries.push(await this.sendOne(campaign, compiled, base, userId, byId.get(userId)!, sender));
    return entries;
  }

  private async sendOne(campaign: Campaign, compiled: CompiledCampaign, base: RenderBase, userId: string, receiver: User, sender: User | undefined): Promise<TestSendEntry> {
    const rendered = renderUserTarget(campaign, compiled, base, userId, receiver);
    if (rendered.outcome) {
      const why = rendered.outcome.status === TargetStatus.failed ? rendered.outcome.error : rendered.outcome.reason;
      return { user_id: userId, channel_cid: rendered.cid || null, message_id: null, text: null, error: why ?? 'not sent' };
    }
    return this.deliver(campaign, { userId, cid: rendered.cid, channelType: rendered.channelType, channelId: rendered.channelId, text: rendered.text }, sender ?? null);
  }

  /**
   * Writes what the sender's dialect writers write for a user target (sender-store
   * writeItem), through the app's stores, plus the chat events of an API write: the webhook
   * outbox rows and the chat feed rows that connected clients hear.
   */
  private deliver(campaign: Campaign, p: Planned, sender: User | null): Promise<TestSendEntry> {
    const entry = { user_id: p.userId, channel_cid: p.cid, text: p.text };
    return this.deps.storage.transaction(async (stores) => {
      const now = this.deps.clock.nowMicros();
      const events: HeraldEvent[] = [];
      let channel = await stores.channels.get(p.cid);
      let added: string[] = [];
      let created = false;
      if (!channel) {
        if (!campaign.create_channels) return { ...entry, message_id: null, skipped: SkipReason.channelMissing };
        ({ channel, created } = await stores.channels.getOrInsert(newChannel(campaign, p, now)));
        if (created) {
          added = await stores.channels.addMembers(p.cid, newChannelMembers(campaign, p.userId), now);
          channel = { ...channel, member_count: added.length };
          events.push({ type: EventType.channelCreated, channel, createdBy: sender });
        }
      }
      // An existing channel (or one a concurrent request created first): the sender joins in
      // sender_mode include, and show_channels shows it again to the receiver.
      if (!created) {
        added = await stores.channels.addMembers(p.cid, joiningMembers(campaign), now);
        if (campaign.show_channels) await stores.channels.setHidden(p.cid, p.userId, false, now);
      }
      const message = testMessage(campaign, p, this.deps.ids.next(), now);
      await stores.messages.insert(message);
      // skip_webhook silences the chat events the campaign causes, as in the real send.
      if (!campaign.skip_webhook) {
        events.push({ type: EventType.messageNew, message, user: sender, channel });
        await this.deps.events.record(stores, events);
      }
      // The feed rows come last (FeedStore.append): the members added are told first, so that a
      // new member hears notification.added_to_channel before the message, as in a real send.
      if (added.length > 0) await stores.feed.append({ kind: FeedKind.membersAdded, cid: p.cid, user_ids: added, by: null, at: now }, now);
      await stores.feed.append({ kind: FeedKind.message, message_id: message.id, cid: p.cid }, now);
      return { ...entry, message_id: message.id };
    });
  }
}

/** 1 to 20 user ids; a repeated id gets one message. */
function checkRecipients(userIds: readonly string[]): string[] {
  const ids = [...new Set(userIds)];
  if (ids.length === 0 || ids.length > MAX_TEST_RECIPIENTS) {
    throw inputError(`user_ids must hold 1 to ${MAX_TEST_RECIPIENTS} user ids; got ${ids.length}`, { user_ids: 'out of range' });
  }
  return ids;
}

const newChannel = (campaign: Campaign, p: Planned, now: number): Channel => ({
  cid: p.cid,
  type: p.channelType,
  id: p.channelId,
  created_by_id: campaign.sender_id,
  team: campaign.channel_template?.team ?? null,
  frozen: false,
  disabled: false,
  member_count: 0,
  message_count: 0,
  last_message_at: null,
  custom: campaign.channel_template?.custom ?? {},
  created_at: now,
  updated_at: now,
  deleted_at: null,
});

/**
 * The campaign's message for one recipient, marked as a test: `test_campaign_id` in its custom
 * data (the wire shows it where it shows custom fields) and no campaign_id, so that nothing
 * counts it as part of the send, a read of it included.
 */
function testMessage(campaign: Campaign, p: Planned, id: string, now: number): Message {
  const { attachments = [], poll_id = null, custom = {} } = campaign.message_template;
  // A template's own `campaign_id` field would make a test look like the real send on the wire.
  const { campaign_id: _dropped, ...rest } = custom;
  return {
    id,
    cid: p.cid,
    user_id: campaign.sender_id,
    type: MessageType.regular,
    text: p.text,
    attachments,
    poll_id,
    custom: { ...rest, test_campaign_id: campaign.id },
    campaign_id: null,
    created_at: now,
    updated_at: now,
    deleted_at: null,
  };
}
