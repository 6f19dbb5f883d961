import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { backends } from './support/backends.js';
import { startHerald, startHeraldOn, TEST_API_KEY, type RunningHerald } from './support/herald-server.js';
import { json, rawCall } from './support/raw-client.js';
import { waitFor } from './support/waiting.js';
import { WebhookReceiver } from './support/webhook-receiver.js';

const campaignEvents = (receiver: WebhookReceiver, id: string) =>
  receiver.events().filter((e) => e.campaign?.id === id).map((e) => (e.type === 'campaign.updated' ? `updated:${e.campaign.status}` : e.type));

for (const { backend, skip } of await backends()) {
  describe(`webhooks on ${backend.name}`, { skip }, () => {
    let h: RunningHerald;
    let receiver: WebhookReceiver;
    let filtered: WebhookReceiver;

    const run = async (campaign: ReturnType<RunningHerald['chat']['campaign']>) => {
      await campaign.create();
      await campaign.start();
      await waitFor('completion', async () => (await campaign.get()).campaign.status === 'completed');
    };

    before(async () => {
      receiver = await new WebhookReceiver().start();
      filtered = await new WebhookReceiver().start();
      h = await startHerald(backend);
      await h.chat.upsertUsers([{ id: 'boss', name: 'Boss' }, { id: 'ann' }, { id: 'bob' }]);
    });
    after(async () => {
      await h?.close();
      await receiver?.stop();
      await filtered?.stop();
    });

    it('keeps webhook_url and event_hooks in the app settings, on both route families', async () => {
      await h.chat.updateAppSettings({
        webhook_url: receiver.url,
        event_hooks: [{ hook_type: 'webhook', enabled: true, webhook_url: filtered.url, event_types: ['campaign.completed', 'message.new'] }],
      } as never);
      const legacy = await h.chat.getAppSettings();
      assert.equal(legacy.app?.webhook_url, receiver.url);
      const v2 = await h.node.getApp();
      assert.equal(v2.app.event_hooks?.[0].webhook_url, filtered.url);
      assert.deepEqual(v2.app.event_hooks?.[0].event_types, ['campaign.completed', 'message.new']);
      const bad = await rawCall(h.baseURL, 'PATCH', '/app', { body: json({ webhook_url: 'ftp://nope' }) });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.code, 4);
    });

    it('sends the campaign event sequence, signed, for a run to completion and for a stop and resume', async () => {
      const c = h.chat.campaign({ sender_id: 'boss', user_ids: ['ann', 'bob'], create_channels: true, channel_template: { type: 'messaging' }, message_template: { text: 'hi' } });
      await run(c);
      await waitFor('campaign.completed delivered', async () => campaignEvents(receiver, c.id!).includes('campaign.completed'));
      assert.deepEqual(campaignEvents(receiver, c.id!), ['updated:in_progress', 'campaign.started', 'updated:completed', 'campaign.completed']);
      const completed = receiver.events('campaign.completed').find((e) => e.campaign.id === c.id)!;
      assert.equal(completed.campaign.stats.stats_messages_sent, 2);
      assert.match(completed.created_at, /^\d{4}-\d\d-\d\dT/);
      assert.ok(receiver.deliveries.every((d) => d.verified && d.apiKey === TEST_API_KEY && d.attempt >= 1));

      const r = h.chat.campaign({ sender_id: 'boss', user_ids: ['ann'], message_template: { text: 'later' } });
      await r.create();
      await r.start({ scheduledFor: new Date(Date.now() + 3_600_000).toISOString() });
      await r.stop();
      await r.start();
      await waitFor('resumed completion', async () => campaignEvents(receiver, r.id!).includes('campaign.completed'));
      assert.deepEqual(campaignEvents(receiver, r.id!), [
        'updated:scheduled', 'updated:stopped', 'updated:in_progress', 'campaign.started', 'updated:completed', 'campaign.completed',
      ]);
    });

    it('applies event-type filters and reports chat events of API writes', async () => {
      await h.chat.channel('messaging', 'hooked', { created_by_id: 'ann', members: ['ann', 'bob'] }).create();
      const sent = await h.chat.channel('messaging', 'hooked').sendMessage({ text: 'ping', user_id: 'ann' });
      await waitFor('message.new', async () => receiver.events('message.new').some((e) => e.message.id === sent.message.id));
      assert.ok(receiver.events('channel.created').some((e) => e.cid === 'messaging:hooked'));
      assert.deepEqual(receiver.events('member.added').filter((e) => e.cid === 'messaging:hooked').map((e) => e.member.user_id).sort(), ['ann', 'bob']);
      await waitFor('filtered message.new', async () => filtered.events('message.new').length > 0);
      assert.deepEqual([...new Set(filtered.events().map((e) => e.type))].sort(), ['campaign.completed', 'message.new']);
    });

    it('reports the chat events a campaign causes, unless skip_webhook', async () => {
      await h.chat.upsertUsers([{ id: 'w1' }, { id: 'w2' }]);
      const loud = h.chat.campaign({ sender_id: 'boss', user_ids: ['w1', 'w2'], create_channels: true, channel_template: { type: 'messaging', id: 'loud-{{ receiver.id }}' }, message_template: { text: 'Hi {{ receiver.id }}' } });
      await run(loud);
      await waitFor('campaign message.new', async () => receiver.events('message.new').filter((e) => e.message.campaign_id === loud.id).length === 2);
      const texts = receiver.events('message.new').filter((e) => e.message.campaign_id === loud.id).map((e) => e.message.text).sort();
      assert.deepEqual(texts, ['Hi w1', 'Hi w2']);
      assert.deepEqual(receiver.events('channel.created').filter((e) => e.cid.startsWith('messaging:loud-')).map((e) => e.cid).sort(), ['messaging:loud-w1', 'messaging:loud-w2']);

      const quiet = h.chat.campaign({ sender_id: 'boss', user_ids: ['w1', 'w2'], skip_webhook: true, create_channels: true, channel_template: { type: 'messaging', id: 'quiet-{{ receiver.id }}' }, message_template: { text: 'shh' } });
      await run(quiet);
      await waitFor('quiet campaign.completed', async () => campaignEvents(receiver, quiet.id!).includes('campaign.completed'));
      await sleep(300);
      assert.equal(receiver.events('message.new').filter((e) => e.message.campaign_id === quiet.id).length, 0);
      assert.equal(receiver.events('channel.created').filter((e) => e.cid.startsWith('messaging:quiet-')).length, 0);
    });

    it('encodes a campaign\'s chat events as the API\'s, the same bytes on every attempt, timed out or failed', async () => {
      const other = await startHerald(backend, { webhooks: { maxRetryDelayMs: 200, attemptTimeoutMs: 300 } });
      const flaky = await new WebhookReceiver().start();
      try {
        flaky.mode = 'hang';
        await other.chat.updateAppSettings({ webhook_url: flaky.url } as never);
        await other.chat.upsertUsers([{ id: 'boss', name: 'Boss' }, { id: 'ann', name: 'Ann' }]);
        const c = other.chat.campaign({ sender_id: 'boss', user_ids: ['ann'], create_channels: true, channel_template: { type: 'messaging', id: 'snap-{{ receiver.id }}', custom: { topic: 'news' } }, message_template: { text: 'Hi {{ receiver.name }}', custom: { promo: 7 } } });
        await run(c);
        await waitFor('a timed-out attempt', async () => flaky.deliveries.some((d) => d.event.type === 'message.new'));
        flaky.mode = 'fail';
        await waitFor('failed attempts', async () => flaky.deliveries.filter((d) => d.event.type === 'message.new').length >= 3);
        flaky.mode = 'ok';
        const fromCampaign = await waitFor('campaign message.new', async () => flaky.events('message.new').find((e) => e.message.campaign_id === c.id));
        const created = await waitFor('campaign channel.created', async () => flaky.events('channel.created').find((e) => e.cid === 'messaging:snap-ann'));
        for (const event of [fromCampaign, created]) {
          const attempts = flaky.deliveries.filter((d) => d.event.type === event.type);
          assert.ok(attempts.length >= 2 && attempts.every((d) => d.verified && d.body === attempts[0].body), `${event.type}: one body on every attempt`);
          assert.deepEqual(attempts.map((d) => d.attempt), attempts.map((_, i) => i + 1));
        }

        // The same shape as a message.new of the API, with the sender's profile.
        const sent = await other.chat.channel('messaging', 'snap-ann').sendMessage({ text: 'reply', user_id: 'ann' });
        const fromApi = await waitFor('API message.new', async () => flaky.events('message.new').find((e) => e.message.id === sent.message.id));
        assert.deepEqual(Object.keys(fromCampaign).sort(), Object.keys(fromApi).sort());
        const ownKeys = new Set(['campaign_id', 'promo']);
        assert.deepEqual(Object.keys(fromCampaign.message).filter((k) => !ownKeys.has(k)).sort(), Object.keys(fromApi.message).sort());
        assert.equal(fromCampaign.cid, 'messaging:snap-ann');
        assert.equal(fromCampaign.channel_id, 'snap-ann');
        assert.equal(fromCampaign.message.text, 'Hi Ann');
        assert.equal(fromCampaign.message.promo, 7);
        assert.equal(fromCampaign.user.name, 'Boss');
        assert.equal(fromCampaign.message.user.name, 'Boss');
        const stored = await other.chat.getMessage(fromCampaign.message_id);
        assert.equal(fromCampaign.message.created_at, stored.message.created_at);
        assert.equal(fromCampaign.created_at, stored.message.created_at);
        assert.equal(created.channel.created_by.name, 'Boss');
        assert.equal(created.channel.topic, 'news');
        assert.ok(created.channel.config, 'the channel type config is in the event');
      } finally {
        await other.close();
        await flaky.stop();
      }
    });

    it('claims on from the last claim, and picks up a row that landed behind it', async () => {
      const manual = await startHerald(backend, { loops: [] });
      const sink = await new WebhookReceiver().start();
      try {
        const { outbox } = manual.herald.deps.storage;
        const now = Date.now() * 1000;
        const row = (n: number) => ({ id: `evt-${String(n).padStart(4, '0')}`, hook_url: sink.url, event_type: 'test.event', ordering_key: null, body: JSON.stringify({ type: 'test.event', n }), body_format: 'wire' as const });
        await outbox.append(Array.from({ length: 600 }, (_, n) => row(n + 100)), now);
        assert.equal(await manual.herald.deliverer!.deliverDue(), true);
        assert.equal(sink.accepted.length, 256, 'one full claim');
        // Committed late: due earlier than everything the cursor has passed.
        await outbox.append([row(1)], now - 1_000_000);
        while (await manual.herald.deliverer!.deliverDue());
        const ids = sink.accepted.map((d) => d.id);
        assert.equal(ids.length, 601);
        assert.equal(new Set(ids).size, 601, 'each event once');
        assert.ok(ids.includes('evt-0001'));
        assert.equal((await outbox.claimDue('check', Date.now() * 1000, 1000, 10)).length, 0, 'delivered rows are gone');
      } finally {
        await manual.close();
        await sink.stop();
      }
    });

    it('dead-letters an event after the retry window and retries it on request', async () => {
      const dead = await startHerald(backend, { webhooks: { retryWindowMs: 1500, maxRetryDelayMs: 200 } });
      const down = await new WebhookReceiver().start();
      try {
        down.mode = 'fail';
        await dead.chat.updateAppSettings({ webhook_url: down.url } as never);
        await dead.chat.upsertUsers([{ id: 'x' }]);
        await dead.chat.channel('messaging', 'dl', { created_by_id: 'x', members: ['x'] }).create();
        const listed = await waitFor('a dead letter', async () => {
          const page = await rawCall(dead.baseURL, 'GET', '/app/webhooks/failed?limit=10');
          return page.body.webhooks.length >= 2 && page.body.webhooks;
        });
        assert.ok(listed.every((w: Record<string, any>) => w.attempts >= 2 && w.last_error === 'HTTP 500'));
        assert.ok(down.deliveries.length >= 4, 'it was retried before giving up');
        down.mode = 'ok';
        const target = listed.find((w: Record<string, any>) => w.event_type === 'channel.created');
        const retried = await rawCall(dead.baseURL, 'POST', `/app/webhooks/failed/${target.id}/retry`);
        assert.equal(retried.status, 201);
        await waitFor('the retried delivery', async () => down.accepted.some((d) => d.id === target.id));
        const missing = await rawCall(dead.baseURL, 'POST', '/app/webhooks/failed/nope/retry');
        assert.equal(missing.status, 404);
      } finally {
        await dead.close();
        await down.stop();
      }
    });

    it('loses nothing while the receiver is down, across a restart of Herald', { timeout: 240_000 }, async () => {
      const outageMs = 60_000;
      const down = await new WebhookReceiver().start();
      let first: RunningHerald | undefined = await startHerald(backend, { webhooks: { maxRetryDelayMs: 2000 } });
      let second: RunningHerald | undefined;
      try {
        await first.chat.updateAppSettings({ webhook_url: down.url } as never);
        await first.chat.upsertUsers([{ id: 'boss' }, ...Array.from({ length: 20 }, (_, i) => ({ id: `o${i}` }))]);
        await down.stop(); // refusing connections
        const ids: string[] = [];
        for (let i = 0; i < 5; i++) {
          const c = first.chat.campaign({ sender_id: 'boss', user_ids: [`o${i}`, `o${i + 10}`], create_channels: true, channel_template: { type: 'messaging' }, message_template: { text: 'x' } });
          await c.create();
          await c.start();
          ids.push(c.id!);
        }
        await sleep(outageMs / 3);
        await first.close(true); // restart Herald in the middle of the outage
        second = await startHeraldOn(first.created, { webhooks: { maxRetryDelayMs: 2000 } });
        first = undefined;
        await sleep(outageMs / 3);
        down.mode = 'fail';
        await down.start(); // answering 500 for the last third
        await sleep(outageMs / 3);
        down.mode = 'ok';
        const expected = await second.herald.deps.storage.outbox.listDead(null, 1000);
        assert.equal(expected.length, 0, 'nothing was dead-lettered inside the retry window');
        await waitFor('every campaign.completed', async () => ids.every((id) => down.events('campaign.completed').some((e) => e.campaign.id === id)), 60_000);
        for (const id of ids) {
          assert.deepEqual(campaignEvents(down, id), ['updated:in_progress', 'campaign.started', 'updated:completed', 'campaign.completed']);
        }
        const successes = down.accepted.map((d) => d.id);
        assert.equal(new Set(successes).size, successes.length, 'each id succeeded at most once');
        assert.ok(down.deliveries.some((d) => d.status === 500), 'the receiver did answer 500 during the outage');
      } finally {
        await first?.close();
        await second?.close();
        await down.stop();
      }
    });
  });
}
