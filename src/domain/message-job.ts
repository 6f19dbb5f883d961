import type { Micros } from './clock.js';
import type { MessageTemplate } from './campaign.js';

/**
 * Recall and edit of a campaign's sent messages: one kind of background job, walking the
 * campaign's ledger in target order from its cursor. Each page commits with the job's cursor
 * (compare-and-set), so a page is applied once however many workers crash or race.
 */
export const MessageJobKind = { recall: 'recall', edit: 'edit' } as const;
export type MessageJobKind = (typeof MessageJobKind)[keyof typeof MessageJobKind];

export const MessageJobStatus = { inProgress: 'in_progress', completed: 'completed' } as const;
export type MessageJobStatus = (typeof MessageJobStatus)[keyof typeof MessageJobStatus];

export interface MessageJob {
  id: string;
  campaign_id: string;
  kind: MessageJobKind;
  /** The edit's new template (the whole of it, merged); null for a recall. */
  message_template: MessageTemplate | null;
  /** No message.deleted / message.updated webhooks (the chat clients still hear of it). */
  skip_webhook: boolean;
  status: MessageJobStatus;
  /** The last target id done; null before the first page. */
  cursor: string | null;
  /** Sent targets walked so far (the recall's deletions are counted in the campaign's stats). */
  done: number;
  created_at: Micros;
  updated_at: Micros;
}
