import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Sender } from '../src/sender/sender.js';
import type { Clock } from '../src/domain/clock.js';
import { backends } from './support/backends.js';
import { ledgerCounts, messagesPerChannel } from './support/campaign-counts.js';
import { startHerald, type RunningHerald } from './support/herald-server.js';

/** A clock that moves 1 ms each time it is read: planning "takes" 1 ms a target. */
class SteppingClock implements Clock {
  private micros = Date.now() * 1000;
  nowMicros(): number {
    this.micros += 1000;
    return this.micros;
  }
}

/**
 * A batch stops planning at a third of its lease, commits what it planned and leaves the rest
 * pending: hostile templates (5,000 targets × a 50 ms budget) cannot keep a batch past its
 * lease. The rest go out in later batches, each exactly once.
 */
for (const { backend, skip } of await backends()) {
  describe(`a batch's planning deadline on ${backend.name}`, { skip }, () => {
    let h: RunningHerald;
    before(async () => {
      h = await startHerald(backend, { loops: [] });
      await h.chat.upsertUsers([{ id: 'boss' }, ...Array.from({ length: 50 }, (_, i) => ({ id: `t${String(i).padStart(2, '0')}` }))]);
    });
    after(async () => h?.close());

    it('commits the planned part of a batch and sends the rest later, exactly once', async () => {
      const userIds = Array.from({ length: 50 }, (_, i) => `t${String(i).padStart(2, '0')}`);
      const c = h.chat.campaign({ sender_id: 'boss', user_ids: userIds, create_channels: true, channel_template: { type: 'messaging' }, message_template: { text: 'hi' } });
      const { campaign: created } = await c.create();
      await c.start();
      const campaign = (await h.herald.deps.storage.campaigns.get(created.id))!;
      // A 30 ms lease: planning stops after 10 ms, that is about 10 targets of this clock.
      const deps = { ...h.herald.deps, clock: new SteppingClock() };
      const sender = new Sender(deps, h.herald.senderStore, { batchSize: 5000, pageSize: 1000, leaseMs: 30, concurrency: 1 });
      while (await sender.expander.step(campaign));

      const first = await sender.sendBatch(campaign);
      assert.ok(first !== 'throttled', 'an unthrottled campaign is never throttled');
      assert.ok(first && first.sent >= 1 && first.sent < 50, `first batch sent ${first?.sent}`);
      assert.deepEqual(await ledgerCounts(h.database, campaign.id), { sent: first.sent, pending: 50 - first.sent });

      let batches = 1;
      while (await sender.sendBatch(campaign)) batches += 1;
      assert.ok(batches >= 3, `${batches} batches`);
      assert.deepEqual(await ledgerCounts(h.database, campaign.id), { sent: 50 });
      const perChannel = await messagesPerChannel(h.database, campaign.id);
      assert.equal(perChannel.size, 50);
      assert.ok([...perChannel.values()].every((n) => n === 1), 'one message per target');
    });
  });
}
