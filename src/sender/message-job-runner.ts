import type { AppDeps } from '../app/app-deps.js';
import { compileCampaign, renderBase, renderChannelTarget, renderUserTarget } from '../app/campaign-rendering.js';
import { isChannelTarget } from '../domain/campaign-target.js';
import { splitCid } from '../domain/channel.js';
import { EventType } from '../domain/events.js';
import { FeedKind } from '../domain/feed.js';
import { MessageJobKind, type MessageJob } from '../domain/message-job.js';
import type { Message } from '../domain/message.js';
import type { SenderStore } from './sender-ports.js';

// 500 messages a page: one transaction of ~500 primary-key updates, a few tens of ms, and one
// chat feed row that a realtime reader reads in one go (chat-feed.ts reads parts of 500).
const PAGE = 500;

/** Thrown inside a page's transaction to roll it back: another worker moved the job on. */
class JobMoved extends Error {}

export interface MessageJobOptions {
  owner: string;
  leaseMs: number;
}

/**
 * Runs recall and edit jobs (domain/message-job.ts), a page at a time, on any worker. A page
 * is read, rendered (edit) and then committed in one transaction that starts with the job's
 * compare-and-set on its cursor: a page is applied once, and a crash leaves the cursor where
 * the last committed page put it. Recall changes only messages not yet deleted, so a message
 * is deleted, and its event written, exactly once.
 */
export class MessageJobRunner {
  constructor(
    private readonly deps: AppDeps,
    private readonly store: Pick<SenderStore, 'channelsByCid'>,
    private readonly options: MessageJobOptions,
  ) {}

  /** One page of the oldest open job. True if there was one. */
  async step(): Promise<boolean> {
    const { storage, clock } = this.deps;
    const job = await storage.messageJobs.claim(this.options.owner, clock.nowMicros(), this.options.leaseMs);
    if (!job) return false;
    const page = await storage.campaignTargets.sentAfter(job.campaign_id, job.cursor, PAGE);
    const finished = page.length < PAGE;
    const to = page.length > 0 ? page[page.length - 1].target_id : job.cursor;
    const texts = job.kind === MessageJobKind.edit ? await this.render(job, page) : null;
    const targetOf = new Map(page.map((t) => [t.message_id, t.target_id]));
    const messageIds = page.map((t) => t.message_id);
    const now = clock.nowMicros();
    await storage
      .transaction(async (stores) => {
        if (!(await stores.messageJobs.advance(job, this.options.owner, to, page.length, finished, now))) throw new JobMoved();
        let changed: Message[];
        if (texts === null) {
          changed = await stores.messages.recall(messageIds, now);
          await stores.campaigns.recallProgress(job.campaign_id, changed.length, finished, now);
        } else {
          const { attachments = [], custom = {} } = job.message_template ?? {};
          changed = await stores.messages.edit(texts, { attachments, custom }, now);
        }
        const column = texts === null ? 'recalled_at' : 'edited_at';
        await stores.campaignTargets.markChanged(job.campaign_id, changed.map((m) => targetOf.get(m.id)!), column, now);
        if (changed.length === 0) return;
        const type = texts === null ? EventType.messageDeleted : EventType.messageUpdated;
        if (!job.skip_webhook) {
          const [sender] = await stores.users.batchGet([changed[0].user_id]);
          await this.deps.events.record(stores, changed.map((message) => ({ type, message, user: sender ?? null, channel: { cid: message.cid, ...splitCid(message.cid) } })));
        }
        // Last in the transaction (FeedStore.append): the chat clients hear of the page at commit.
        await stores.feed.append({ kind: FeedKind.messagesChanged, event: type, message_ids: changed.map((m) => m.id), at: now }, now);
      })
      .catch((error: unknown) => {
        if (!(error instanceof JobMoved)) throw error;
      });
    return true;
  }

  /** The edit's text for each message of the page, rendered as the sender renders it. */
  private async render(job: MessageJob, page: ReadonlyArray<{ target_id: string; message_id: string }>): Promise<Map<string, string>> {
    const texts = new Map<string, string>();
    const campaign = await this.deps.storage.campaigns.get(job.campaign_id);
    if (!campaign || page.length === 0) return texts;
    const edited = { ...campaign, message_template: job.message_template ?? campaign.message_template };
    const compiled = compileCampaign({ ...edited, updated_at: job.created_at });
    const userIds = page.map((t) => t.target_id).filter((t) => !isChannelTarget(t));
    const [users, channels] = await Promise.all([
      this.deps.storage.users.batchGet([campaign.sender_id, ...userIds]),
      this.store.channelsByCid(page.map((t) => t.target_id).filter(isChannelTarget)),
    ]);
    const byId = new Map(users.filter((u) => u.deleted_at === null).map((u) => [u.id, u]));
    const channelByCid = new Map(channels.map((c) => [c.cid, c]));
    const base = renderBase(edited, byId.get(campaign.sender_id));
    for (const { target_id, message_id } of page) {
      const rendered = isChannelTarget(target_id)
        ? renderChannelTarget(compiled, base, target_id, channelByCid.get(target_id))
        : renderUserTarget(edited, compiled, base, target_id, byId.get(target_id));
      // A target that no longer renders (user deleted since, say) keeps its message as it is.
      if (!rendered.outcome) texts.set(message_id, rendered.text);
    }
    return texts;
  }
}
