import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Sender } from '../src/sender/sender.js';
import type { SenderStore } from '../src/sender/sender-ports.js';
import { backends } from './support/backends.js';
import { ledgerCounts, messagesPerChannel } from './support/campaign-counts.js';
import { startHerald, type RunningHerald } from './support/herald-server.js';

const USERS = Array.from({ length: 40 }, (_, i) => `turn${String(i).padStart(2, '0')}`);

/**
 * A campaign's turn of a round (sender/sender.ts): its lanes send batch after batch, expanding
 * pages just ahead of them, and a lane stops at the first batch after the campaign stops.
 */
for (const { backend, skip } of await backends()) {
  describe(`a campaign's turn of a sender round on ${backend.name}`, { skip }, () => {
    let h: RunningHerald;
    before(async () => {
      h = await startHerald(backend, { loops: [] });
      await h.chat.upsertUsers([{ id: 'boss' }, ...USERS.map((id) => ({ id }))]);
    });
    after(async () => h?.close());

    const startCampaign = async () => {
      const c = h.chat.campaign({ sender_id: 'boss', user_ids: USERS, create_channels: true, channel_template: { type: 'messaging' }, message_template: { text: 'hi {{ receiver.id }}' } });
      const { campaign } = await c.create();
      await c.start();
      return { c, id: campaign.id as string };
    };

    it('expands and sends the whole audience in one round when it fits the turn, then completes, exactly once', async () => {
      const { c, id } = await startCampaign();
      const concurrency = h.database.caps.supportsSkipLocked ? 2 : 1;
      // 40 targets in batches of 5 from pages of 10: eight batches and four pages in one turn.
      const sender = new Sender(h.herald.deps, h.herald.senderStore, { batchSize: 5, pageSize: 10, leaseMs: 30_000, concurrency });
      assert.equal(await sender.sendRound(), true);
      assert.deepEqual(await ledgerCounts(h.database, id), { sent: USERS.length });
      assert.equal((await c.get()).campaign.status, 'in_progress', 'completion waits for a turn that finds nothing');
      await sender.sendRound();
      assert.equal((await c.get()).campaign.status, 'completed');
      const perChannel = await messagesPerChannel(h.database, id);
      assert.equal(perChannel.size, USERS.length);
      assert.ok([...perChannel.values()].every((n) => n === 1), 'one message per target');
    });

    it('ends the turn at the first batch after a stop, and a resume sends the rest', async () => {
      const { c, id } = await startCampaign();
      // The real store; the campaign is stopped through the API right after its first batch.
      const real = h.herald.senderStore;
      let batches = 0;
      const store: SenderStore = Object.create(real);
      store.sendBatch = async (claim, plan) => {
        const result = await real.sendBatch(claim, plan);
        if (++batches === 1) await c.stop();
        return result;
      };
      const sender = new Sender(h.herald.deps, store, { batchSize: 5, pageSize: 10, leaseMs: 30_000, concurrency: 1 });
      await sender.sendRound();
      assert.equal(batches, 1, 'no batch after the stop');
      // Expansion stopped too: the one page of 10 that the first batch needed.
      assert.deepEqual(await ledgerCounts(h.database, id), { sent: 5, pending: 5 });
      assert.equal((await c.get()).campaign.status, 'stopped');

      await c.start();
      for (let round = 0; round < 20 && (await c.get()).campaign.status !== 'completed'; round++) await sender.sendRound();
      assert.equal((await c.get()).campaign.status, 'completed');
      assert.deepEqual(await ledgerCounts(h.database, id), { sent: USERS.length });
      assert.ok([...(await messagesPerChannel(h.database, id)).values()].every((n) => n === 1), 'one message per target');
    });
  });
}
