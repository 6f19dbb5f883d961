import { sql, type Kysely, type Selectable } from 'kysely';
import type { OutboxPosition, OutboxRow, OutboxStore, PreparedDelivery } from '../app/ports.js';
import { BodyFormat, OutboxStatus } from '../domain/events.js';
import type { DialectCaps } from './dialects/dialect-caps.js';
import { chunks } from './row-mapping.js';
import type { Schema, WebhookOutboxTable } from './schema.js';

const fromRow = (r: Selectable<WebhookOutboxTable>): OutboxRow => ({
  id: r.id,
  hook_url: r.hook_url,
  event_type: r.event_type,
  ordering_key: r.ordering_key,
  body: r.body,
  body_format: r.body_format as BodyFormat,
  status: r.status as OutboxStatus,
  attempts: r.attempts,
  next_attempt_at: r.next_attempt_at,
  last_error: r.last_error,
  created_at: r.created_at,
});

export class KyselyOutboxStore implements OutboxStore {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly caps: DialectCaps,
  ) {}

  async append(rows: readonly PreparedDelivery[], now: number): Promise<void> {
    for (const slice of chunks(rows, 500)) {
      await this.db
        .insertInto('webhook_outbox')
        .values(slice.map((r) => ({ ...r, next_attempt_at: now, created_at: now, updated_at: now })))
        .execute();
    }
  }

  async claimDue(owner: string, now: number, leaseMs: number, limit: number, after?: OutboxPosition | null): Promise<OutboxRow[]> {
    // Due, not leased, and first in line for its (campaign, hook): a later campaign event
    // waits while an earlier one is still being retried.
    const from = after ? sql`(next_attempt_at, id) > (${after.next_attempt_at}, ${after.id}) and` : sql``;
    const due = sql`${from} status = 'pending' and next_attempt_at <= ${now} and (locked_until is null or locked_until < ${now})
      and (ordering_key is null or not exists (select 1 from webhook_outbox e where e.status = 'pending'
        and e.ordering_key = webhook_outbox.ordering_key and e.hook_url = webhook_outbox.hook_url and e.id < webhook_outbox.id))`;
    const skipLocked = this.caps.supportsSkipLocked ? sql`for update skip locked` : sql``;
    const pick = sql`select id from webhook_outbox where ${due} order by next_attempt_at, id limit ${limit} ${skipLocked}`;
    const lease = sql`locked_by = ${owner}, locked_until = ${now + leaseMs * 1000}`;
    // On PostgreSQL the picked ids are an array computed once (an InitPlan), then found by
    // primary key: as `id in (…)`, an estimate of one due row after the cursor made it a
    // nested loop that re-ran the pick for every row of the table (a claim ran for minutes).
    const claim = (db: Kysely<Schema>) =>
      this.caps.name === 'postgres'
        ? sql<Selectable<WebhookOutboxTable>>`update webhook_outbox set ${lease} where id = any(array(${pick})) returning *`.execute(db)
        : sql<Selectable<WebhookOutboxTable>>`update webhook_outbox set ${lease} where id in (${pick}) returning *`.execute(db);
    const rows =
      this.caps.name === 'postgres'
        ? await this.db.transaction().execute(async (trx) => {
            // Walk the due index in order, whatever the statistics say. A campaign fills the
            // outbox faster than autovacuum analyzes it, and a fresh table's estimate of a few
            // hundred due rows made PostgreSQL sort all 100k of them for every claim of 256:
            // 84 ms a claim instead of 0.4 ms, and 800 deliveries/s instead of 4,000.
            await sql`set local enable_sort = off`.execute(trx);
            return claim(trx);
          })
        : await claim(this.db);
    const order = (a: OutboxRow, b: OutboxRow) => a.next_attempt_at - b.next_attempt_at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
    return rows.rows.map(fromRow).sort(order);
  }

  async finish(id: string, owner: string, outcome: { status: OutboxStatus; nextAttemptAt: number; error: string | null; body: string }, now: number): Promise<void> {
    await this.db
      .updateTable('webhook_outbox')
      .set((eb) => ({
        status: outcome.status,
        attempts: eb('attempts', '+', 1),
        next_attempt_at: outcome.nextAttemptAt,
        last_error: outcome.error,
        body: outcome.body,
        body_format: BodyFormat.wire,
        locked_by: null,
        locked_until: null,
        updated_at: now,
      }))
      .where('id', '=', id)
      .where('locked_by', '=', owner)
      .execute();
  }

  async batchDelivered(ids: readonly string[], owner: string): Promise<void> {
    if (ids.length === 0) return;
    // Nothing reads a delivered row again: keeping them would grow the outbox by every event.
    await this.db
      .deleteFrom('webhook_outbox')
      .where(this.caps.inTextList(sql.ref('id'), ids))
      .where('locked_by', '=', owner)
      .execute();
  }

  async listDead(after: string | null, limit: number): Promise<OutboxRow[]> {
    let q = this.db.selectFrom('webhook_outbox').selectAll().where('status', '=', OutboxStatus.dead);
    if (after !== null) q = q.where('id', '>', after);
    return (await q.orderBy('id').limit(limit).execute()).map(fromRow);
  }

  async revive(id: string, now: number): Promise<boolean> {
    const result = await this.db
      .updateTable('webhook_outbox')
      .set({ status: OutboxStatus.pending, attempts: 0, next_attempt_at: now, created_at: now, last_error: null, updated_at: now })
      .where('id', '=', id)
      .where('status', '=', OutboxStatus.dead)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }
}
