import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { uuidv7 } from 'uuidv7';

/**
 * The floor of the send benchmark: a minimal hand-written loop doing the same per-target SQL
 * as the sender (a channel, two members, a message, a ledger row) straight on the driver, in
 * batches of 5,000 per transaction (docs/design.md's hand-tuned loop). Herald's figure is reported
 * as a fraction of it.
 */
const BATCH = 5000;
const ids = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `floor${String(from + i).padStart(8, '0')}`);

export function sqliteFloor(file: string, targets: number): number {
  const db = new SqliteDatabase(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('cache_size = -65536');
  const channel = db.prepare(`insert into channels (cid, type, id, created_by_id, member_count, message_count, last_message_at,
    custom, created_at, updated_at) values (?, 'messaging', ?, 'sender', 2, 1, ?, '{}', ?, ?) returning pk`);
  const member = db.prepare(`insert into channel_members (channel_pk, user_id, channel_role, created_at, updated_at) values (?, ?, 'channel_member', ?, ?)`);
  const message = db.prepare(`insert into messages (id, channel_pk, user_id, type, text, attachments, custom, campaign_id, created_at, updated_at)
    values (?, ?, 'sender', 'regular', ?, '[]', '{}', 'floor', ?, ?)`);
  const ledger = db.prepare(`insert into campaign_targets (campaign_id, target_id, status, message_id, channel_cid, updated_at)
    values ('floor', ?, 'sent', ?, ?, ?)`);
  const started = performance.now();
  for (let at = 0; at < targets; at += BATCH) {
    const batch = ids(Math.min(BATCH, targets - at), at);
    db.transaction(() => {
      const now = Date.now() * 1000;
      for (const target of batch) {
        const cid = `messaging:f-${target}`;
        const { pk } = channel.get(cid, `f-${target}`, now, now, now) as { pk: number };
        member.run(pk, target, now, now);
        member.run(pk, 'sender', now, now);
        const id = uuidv7();
        message.run(id, pk, `Hi ${target}`, now, now);
        ledger.run(target, id, cid, now);
      }
    }).immediate();
  }
  const seconds = (performance.now() - started) / 1000;
  db.close();
  return targets / seconds;
}

async function postgresFloorLoop(url: string, targets: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: url, options: '-c jit=off' });
  await client.connect();
  for (let at = 0; at < targets.length; at += BATCH) {
    const batch = targets.slice(at, at + BATCH);
    const now = Date.now() * 1000;
    const cids = batch.map((t) => `messaging:f-${t}`);
    await client.query('begin');
    const channels = await client.query<{ pk: string; cid: string }>(
      `insert into channels (cid, type, id, created_by_id, member_count, message_count, last_message_at, custom, created_at, updated_at)
       select x.cid, 'messaging', substr(x.cid, 11), 'sender', 2, 1, $2, '{}'::jsonb, $2, $2 from unnest($1::text[]) as x(cid)
       returning pk, cid`, [cids, now]);
    const pkOf = new Map(channels.rows.map((r) => [r.cid, r.pk]));
    const pks = cids.map((c) => pkOf.get(c)!);
    await client.query(`insert into channel_members (channel_pk, user_id, channel_role, created_at, updated_at)
      select x.pk, x.u, 'channel_member', $3, $3 from unnest($1::bigint[], $2::text[]) as x(pk, u)`,
      [[...pks, ...pks], [...batch, ...batch.map(() => 'sender')], now]);
    const messageIds = batch.map(() => uuidv7());
    await client.query(`insert into messages (id, channel_pk, user_id, type, text, attachments, custom, campaign_id, created_at, updated_at)
      select x.id, x.pk, 'sender', 'regular', x.text, '[]'::jsonb, '{}'::jsonb, 'floor', $4, $4
      from unnest($1::text[], $2::bigint[], $3::text[]) as x(id, pk, text)`, [messageIds, pks, batch.map((t) => `Hi ${t}`), now]);
    await client.query(`insert into campaign_targets (campaign_id, target_id, status, message_id, channel_cid, updated_at)
      select 'floor', x.t, 'sent', x.m, x.c, $4 from unnest($1::text[], $2::text[], $3::text[]) as x(t, m, c)`,
      [batch, messageIds, cids, now]);
    await client.query('commit');
  }
  await client.end();
}

/** The PostgreSQL floor with `loops` connections side by side, as Herald runs `loops` workers. */
export async function postgresFloor(url: string, targets: number, loops: number): Promise<number> {
  const all = ids(targets);
  const share = Math.ceil(targets / loops);
  const started = performance.now();
  await Promise.all(Array.from({ length: loops }, (_, i) => postgresFloorLoop(url, all.slice(i * share, (i + 1) * share))));
  return targets / ((performance.now() - started) / 1000);
}
