import { allowedFrom, CampaignStatus, checkCampaignFields, type Campaign, type MessageTemplate } from '../domain/campaign.js';
import { inputError, notFound } from '../domain/errors.js';
import { MessageJobKind, MessageJobStatus, type MessageJob } from '../domain/message-job.js';
import type { AppDeps } from './app-deps.js';
import { definedOnly, type CampaignsService, type CampaignView } from './campaigns.js';

export interface RecallInput {
  /** No message.deleted webhooks for this recall (the campaign's own skip_webhook counts too). */
  skip_webhook?: boolean;
}

export interface EditInput {
  message_template?: { text?: string; attachments?: unknown[]; custom?: Record<string, unknown> };
  skip_webhook?: boolean;
}

/**
 * Recall and edit of what a campaign sent (README, Campaign controls). Each asks for a
 * message job in one transaction with the campaign's change; the workers walk the ledger
 * (sender/message-job-runner.ts).
 */
export class CampaignMessagesService {
  constructor(
    private readonly deps: AppDeps,
    private readonly campaigns: CampaignsService,
  ) {}

  /** Deletes every message the campaign sent. A second recall changes nothing. */
  async recall(id: string, input: RecallInput): Promise<CampaignView> {
    await this.deps.storage.transaction(async (stores) => {
      const campaign = await stores.campaigns.get(id);
      if (!campaign) throw notFound(`campaign "${id}" does not exist`);
      if (campaign.recall_status !== null) return;
      this.requireOver(campaign, 'recalled');
      const now = this.deps.clock.nowMicros();
      if (!(await stores.campaigns.startRecall(id, allowedFrom.recall, now))) {
        throw inputError(`campaign "${id}" changed status meanwhile; try again`, { status: 'conflict' });
      }
      await stores.messageJobs.insert(this.job(campaign, MessageJobKind.recall, null, input.skip_webhook, now));
    });
    return this.campaigns.get(id);
  }

  /**
   * Re-renders the campaign's messages with a new template (merged over the current one) and
   * makes it the campaign's template, so a resumed campaign sends the edited text too.
   */
  async edit(id: string, input: EditInput): Promise<CampaignView> {
    const changes = input.message_template;
    if (!changes || (changes.text === undefined && changes.attachments === undefined && changes.custom === undefined)) {
      throw inputError('message_template with text, attachments or custom is required', { message_template: 'required' });
    }
    await this.deps.storage.transaction(async (stores) => {
      const campaign = await stores.campaigns.get(id);
      if (!campaign) throw notFound(`campaign "${id}" does not exist`);
      this.requireOver(campaign, 'edited');
      if (campaign.recall_status !== null) {
        throw inputError(`campaign "${id}" was recalled: its messages are deleted and cannot be edited`, { recall_status: campaign.recall_status });
      }
      const template: MessageTemplate = { ...campaign.message_template, ...definedOnly(changes) };
      checkCampaignFields({ ...campaign, message_template: template }, this.deps.customData);
      const now = this.deps.clock.nowMicros();
      if (!(await stores.campaigns.replaceTemplate(id, template, allowedFrom.recall, now))) {
        throw inputError(`campaign "${id}" changed status meanwhile; try again`, { status: 'conflict' });
      }
      // The newest edit wins: the one before stops where it is, this one goes over every message.
      await stores.messageJobs.closeOpen(id, MessageJobKind.edit, now);
      await stores.messageJobs.insert(this.job(campaign, MessageJobKind.edit, template, input.skip_webhook, now));
    });
    return this.campaigns.get(id);
  }

  private requireOver(campaign: Campaign, action: string): void {
    if (!(allowedFrom.recall as readonly string[]).includes(campaign.status)) {
      const hint = campaign.status === CampaignStatus.inProgress ? '; stop it first' : '';
      throw inputError(`campaign "${campaign.id}" cannot be ${action} while ${campaign.status}${hint}`, { status: campaign.status });
    }
  }

  private job(campaign: Campaign, kind: MessageJobKind, template: MessageTemplate | null, skipWebhook: boolean | undefined, now: number): MessageJob {
    return {
      id: this.deps.ids.next(),
      campaign_id: campaign.id,
      kind,
      message_template: template,
      skip_webhook: skipWebhook ?? campaign.skip_webhook,
      status: MessageJobStatus.inProgress,
      cursor: null,
      done: 0,
      created_at: now,
      updated_at: now,
    };
  }
}
