import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { backends } from './support/backends.js';
import { connectClient, disconnectAll, type ChatClient } from './support/chat-clients.js';
import { ShiftedClock, startHerald, type RunningHerald } from './support/herald-server.js';
import { json, rawCall, type RawAnswer } from './support/raw-client.js';
import { waitFor } from './support/waiting.js';

/**
 * How a campaign treats what its receivers decided through the chat API: a banned (app-wide
 * or in the target channel), deactivated or blocking receiver is skipped with the reason, as
 * Stream would refuse the message; one who muted the channel or the sender gets it silently
 * (no notification event, no unread count), its ledger row saying `muted`. The state is set
 * through the SDK methods an app uses, and read back through the per-target log.
 */
for (const { backend, skip } of await backends()) {
  describe(`campaign targets who banned, blocked or muted on ${backend.name}`, { skip }, () => {
    let h: RunningHerald;
    const clock = new ShiftedClock();
    const clients: ChatClient[] = [];
    const raw = (method: string, path: string, body?: unknown): Promise<RawAnswer> =>
      rawCall(h.baseURL, method, path, body === undefined ? {} : { body: json(body) });

    before(async () => {
      h = await startHerald(backend, { clock });
    });
    after(async () => {
      await disconnectAll(clients);
      await h?.close();
    });

    it('skips banned, deactivated and blocking receivers, and sends silently to muting ones', async () => {
      const ids = ['plain', 'banned', 'chanban', 'deact', 'blocker', 'mutech', 'muteuser', 'expired'];
      await h.chat.upsertUsers([{ id: 'boss', name: 'Boss' }, ...ids.map((id) => ({ id, name: id }))]);
      // The distinct channels of boss and chanban / mutech exist before the campaign: a channel
      // ban and a channel mute name one.
      const banChannel = h.chat.channel('messaging', { members: ['boss', 'chanban'], created_by_id: 'boss' });
      await banChannel.create();
      const muteChannel = h.chat.channel('messaging', { members: ['boss', 'mutech'], created_by_id: 'boss' });
      await muteChannel.create();

      await h.chat.banUser('banned', { banned_by_id: 'boss', reason: 'spam' });
      await banChannel.banUser('chanban', { banned_by_id: 'boss' });
      await h.chat.banUser('expired', { banned_by_id: 'boss', timeout: 1 });
      await h.chat.deactivateUser('deact');
      await h.chat.blockUser('boss', 'blocker');
      await muteChannel.mute({ user_id: 'mutech' });
      await h.chat.muteUser('boss', 'muteuser');
      // The one-minute ban has run out by the time the campaign sends.
      clock.offsetMs = 2 * 60_000;

      const plain = await connectClient(h.baseURL, 'plain');
      const muted = await connectClient(h.baseURL, 'mutech');
      clients.push(plain, muted);

      const created = await raw('POST', '/campaigns', {
        sender_id: 'boss', user_ids: ids, create_channels: true, channel_template: { type: 'messaging' },
        message_template: { text: 'Hello {{ receiver.name }}' },
      });
      assert.equal(created.status, 201, created.text);
      const id = created.body.campaign.id as string;
      assert.equal((await raw('POST', `/campaigns/${id}/start`, {})).status, 201);
      const done = await waitFor('campaign completed', async () => {
        const c = (await raw('GET', `/campaigns/${id}`)).body.campaign;
        return c.status === 'completed' && c;
      }, 60_000);
      assert.equal(done.stats.stats_messages_sent, 4, 'plain, mutech, muteuser and expired got it');

      const log = await raw('POST', `/campaigns/${id}/targets/query`, { limit: 100 });
      assert.equal(log.status, 201, log.text);
      const byId = new Map((log.body.targets as Array<{ target_id: string; status: string; reason?: string }>).map((t) => [t.target_id, t]));
      const outcome = (target: string) => [byId.get(target)?.status, byId.get(target)?.reason];
      assert.deepEqual(outcome('plain'), ['sent', undefined]);
      assert.deepEqual(outcome('expired'), ['sent', undefined], 'an expired ban is no ban');
      assert.deepEqual(outcome('banned'), ['skipped', 'banned']);
      assert.deepEqual(outcome('chanban'), ['skipped', 'banned'], 'banned from the channel the campaign posts in');
      assert.deepEqual(outcome('deact'), ['skipped', 'deactivated']);
      assert.deepEqual(outcome('blocker'), ['skipped', 'blocked']);
      assert.deepEqual(outcome('mutech'), ['sent', 'muted']);
      assert.deepEqual(outcome('muteuser'), ['sent', 'muted']);

      const silent = await sql<{ silent: number; n: number }>`
        select silent, count(*) as n from messages where campaign_id = ${id} group by silent order by silent`.execute(h.database.db);
      assert.deepEqual(silent.rows.map((r) => [Number(r.silent), Number(r.n)]), [[0, 2], [1, 2]]);

      // The plain receiver is told; the one who muted the channel gets no notification and no unread count.
      const [note] = await plain.waitFor('notification.message_new');
      assert.equal(note.message?.text, 'Hello plain');
      assert.equal(note.total_unread_count, 1);
      const unread = await muted.client.getUnreadCount('mutech');
      assert.equal(unread.total_unread_count, 0, 'a silent message is not unread');
      assert.equal(muted.of('notification.message_new').length, 0);
      const history = await muteChannel.query({ messages: { limit: 10 } });
      assert.equal(history.messages.at(-1)?.text, 'Hello mutech', 'the muted receiver still has the message');
      assert.equal(history.messages.at(-1)?.silent, true);
    });
  });
}
