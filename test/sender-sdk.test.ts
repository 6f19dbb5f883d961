import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { distinctChannelId } from '../src/domain/channel.js';
import { backends } from './support/backends.js';
import { ledgerCounts, messagesPerChannel } from './support/campaign-counts.js';
import { ShiftedClock, startHerald, type RunningHerald } from './support/herald-server.js';
import { json, rawCall } from './support/raw-client.js';
import { waitFor } from './support/waiting.js';

const users = (prefix: string, n: number, extra: (i: number) => Record<string, unknown> = () => ({})) =>
  Array.from({ length: n }, (_, i) => ({ id: `${prefix}${String(i).padStart(4, '0')}`, name: `${prefix} ${i}`, ...extra(i) }));

for (const { backend, skip } of await backends()) {
  describe(`sending campaigns through the SDKs on ${backend.name}`, { skip }, () => {
    let h: RunningHerald;
    const completed = (id: string) =>
      waitFor(`campaign ${id} to complete`, async () => {
        const { campaign } = await h.chat.getCampaign(id);
        return campaign.status === 'completed' && campaign;
      });

    const upsertMany = async (list: Array<{ id: string } & Record<string, unknown>>) => {
      for (let i = 0; i < list.length; i += 100) await h.chat.upsertUsers(list.slice(i, i + 100));
    };

    before(async () => {
      h = await startHerald(backend);
      await h.chat.upsertUsers([{ id: 'boss', name: 'Boss', title: 'CEO' }]);
    });
    after(async () => h?.close());

    it('starts now: one message per receiver, rendered text and channel ids, stats and the per-target log', async () => {
      const audience = users('now', 30, (i) => ({ city: i % 2 ? 'Oslo' : 'Rome' }));
      await h.chat.upsertUsers(audience);
      const campaign = h.chat.campaign({
        sender_id: 'boss',
        user_ids: audience.map((u) => u.id),
        create_channels: true,
        channel_template: { type: 'messaging', id: 'promo-{{ receiver.id }}', custom: { topic: 'spring' } },
        message_template: { text: 'Hi {{ receiver.name }} in {{ receiver.city }}, {{ sender.title }} here', custom: { promo: true } },
      });
      await campaign.create();
      const started = await campaign.start();
      assert.ok(['in_progress', 'completed'].includes(started.campaign.status));
      const done = await completed(campaign.id!);
      assert.equal(done.stats.progress, 1);
      assert.equal(done.stats.stats_messages_sent, 30);
      assert.equal(done.stats.stats_users_sent, 30);
      assert.equal(done.stats.stats_channels_created, 30);
      assert.ok(done.stats.stats_started_at && done.stats.stats_completed_at);

      const perChannel = await messagesPerChannel(h.database, campaign.id!);
      assert.equal(perChannel.size, 30);
      assert.ok([...perChannel.values()].every((n) => n === 1), 'exactly one message per receiver');
      const [state] = await h.chat.queryChannels({ cid: 'messaging:promo-now0001' }, {}, { message_limit: 10 });
      assert.equal(state.data?.topic, 'spring');
      const message = state.state.messages[0];
      assert.equal(message.text, 'Hi now 1 in Oslo, CEO here');
      assert.equal(message.campaign_id, campaign.id);
      assert.equal(message.promo, true);
      assert.deepEqual(Object.keys(state.state.members).sort(), ['boss', 'now0001']);

      const target = await rawCall(h.baseURL, 'GET', `/campaigns/${campaign.id}/targets/now0001`);
      assert.equal(target.status, 200);
      assert.equal(target.body.target.status, 'sent');
      assert.equal(target.body.target.message_id, message.id);
      assert.equal(target.body.target.channel_cid, 'messaging:promo-now0001');
      const v2 = await rawCall(h.baseURL, 'POST', `/api/v2/chat/campaigns/${campaign.id}/targets/query`, { body: json({ filter: { status: { $in: ['sent'] } }, limit: 20 }) });
      assert.equal(v2.body.targets.length, 20);
      assert.ok(v2.body.next);
      assert.match(v2.text, /"updated_at":\d{19}/);
      const rest = await rawCall(h.baseURL, 'POST', `/campaigns/${campaign.id}/targets/query`, { body: json({ next: v2.body.next }) });
      assert.equal(rest.body.targets.length, 10);
      const missing = await rawCall(h.baseURL, 'GET', `/campaigns/${campaign.id}/targets/nobody`);
      assert.equal(missing.status, 404);
      assert.equal(missing.body.code, 16);
    });

    it('counts stats_users_read when a receiver marks the campaign channel read', async () => {
      await h.chat.upsertUsers([{ id: 'reader', name: 'Reader' }]);
      const c = h.chat.campaign({ sender_id: 'boss', user_ids: ['reader'], create_channels: true, channel_template: { type: 'messaging' }, message_template: { text: 'read me' } });
      await c.create();
      await c.start();
      await completed(c.id!);
      const cid = `messaging:${distinctChannelId(['boss', 'reader'])}`;
      const [type, id] = cid.split(':');
      await h.chat.channel(type, id).markRead({ user_id: 'reader' });
      const { campaign } = await h.chat.getCampaign(c.id!);
      assert.equal(campaign.stats.stats_users_read, 1);
    });

    it('starts at a schedule and stops at stop_at', async () => {
      await h.chat.upsertUsers(users('sched', 3));
      const c = h.chat.campaign({ sender_id: 'boss', user_ids: ['sched0000', 'sched0001', 'sched0002'], create_channels: true, channel_template: { type: 'messaging' }, message_template: { text: 'later' } });
      await c.create();
      const soon = new Date(Date.now() + 1500).toISOString();
      const started = await c.start({ scheduledFor: soon });
      assert.equal(started.campaign.status, 'scheduled');
      assert.ok(started.campaign.scheduled_for);
      assert.equal((await messagesPerChannel(h.database, c.id!)).size, 0, 'nothing is sent before the schedule');
      const done = await completed(c.id!);
      assert.equal(done.stats.stats_messages_sent, 3);
      assert.ok(new Date(done.stats.stats_started_at!).getTime() >= new Date(soon).getTime() - 5);

      const late = h.chat.campaign({ sender_id: 'boss', user_ids: ['sched0000'], message_template: { text: 'never' } });
      await late.create();
      // stop_at 1 ms after the schedule: a scheduler tick (every 500 ms) between the two would
      // rightly start the campaign and send; once both have passed, stopping comes first.
      const at = Date.now() + 800;
      const start = await late.start({ scheduledFor: new Date(at).toISOString(), stopAt: new Date(at + 1).toISOString() });
      assert.equal(start.campaign.status, 'scheduled');
      assert.ok((start.campaign as unknown as Record<string, unknown>).stop_at);
      const stopped = await waitFor('stop_at', async () => {
        const { campaign } = await late.get();
        return campaign.status === 'stopped' && campaign;
      });
      assert.equal(stopped.stats.stats_messages_sent, 0);
    });

    it('stops and resumes without sending twice or skipping anyone', async () => {
      await upsertMany(users('res', 400));
      const c = h.chat.campaign({ sender_id: 'boss', user_ids: users('res', 400).map((u) => u.id), create_channels: true, channel_template: { type: 'messaging', id: 'res-{{receiver.id}}' }, message_template: { text: 'once' } });
      await c.create();
      await c.start();
      const stop = await rawCall(h.baseURL, 'POST', `/campaigns/${c.id}/stop`, { body: 'null' });
      assert.equal(stop.status, 201);
      assert.ok(['stopped', 'completed'].includes(stop.body.campaign.status));
      const again = await rawCall(h.baseURL, 'POST', `/campaigns/${c.id}/stop`, { headers: { 'content-type': 'application/x-www-form-urlencoded', 'stream-auth-type': 'jwt' } });
      assert.equal(again.status, 201, 'stop is idempotent');
      if (stop.body.campaign.status === 'stopped') await c.start();
      const done = await completed(c.id!);
      const perChannel = await messagesPerChannel(h.database, c.id!);
      assert.equal(perChannel.size, 400);
      assert.ok([...perChannel.values()].every((n) => n === 1));
      assert.equal(done.stats.stats_messages_sent, 400);
      assert.deepEqual(await ledgerCounts(h.database, c.id!), { sent: 400 });
    });

    it('sends targets added to a segment while the campaign runs, once', async () => {
      await upsertMany(users('mid', 300));
      await h.chat.createSegment('user', 'mid-seg', { name: 'mid' });
      await h.chat.addSegmentTargets('mid-seg', users('mid', 200).map((u) => u.id));
      const c = h.chat.campaign({ sender_id: 'boss', segment_ids: ['mid-seg'], create_channels: true, channel_template: { type: 'messaging', id: 'mid-{{receiver.id}}' }, message_template: { text: 'hello' } });
      await c.create();
      await c.start();
      await h.chat.addSegmentTargets('mid-seg', users('mid', 300).map((u) => u.id));
      const done = await completed(c.id!);
      assert.equal(done.stats.stats_messages_sent, 300);
      const perChannel = await messagesPerChannel(h.database, c.id!);
      assert.equal(perChannel.size, 300);
      assert.ok([...perChannel.values()].every((n) => n === 1));
    });

    it('skips targets without a channel when create_channels is false, and applies sender_mode', async () => {
      await h.chat.upsertUsers(users('cc', 4));
      // cc0000 and cc0001 already talk to boss in a distinct channel; boss left cc0001's.
      await h.chat.channel('messaging', { members: ['boss', 'cc0000'], created_by_id: 'boss' }).create();
      await h.chat.channel('messaging', 'cc1-room', { members: ['cc0001'], created_by_id: 'cc0001' }).create();
      const noCreate = h.chat.campaign({ sender_id: 'boss', user_ids: ['cc0000', 'cc0002'], message_template: { text: 'existing only' } });
      await noCreate.create();
      await noCreate.start();
      const done = await completed(noCreate.id!);
      assert.equal(done.stats.stats_messages_sent, 1);
      assert.equal(done.stats.stats_channels_created, 0);
      const skipped = await rawCall(h.baseURL, 'GET', `/campaigns/${noCreate.id}/targets/cc0002`);
      assert.equal(skipped.body.target.status, 'skipped');
      assert.equal(skipped.body.target.reason, 'channel_missing');

      const include = h.chat.campaign({ sender_id: 'boss', user_ids: ['cc0001'], sender_mode: 'include', channel_template: { type: 'messaging', id: 'cc1-room' }, message_template: { text: 'joined' } });
      await include.create();
      await include.start();
      await completed(include.id!);
      const [room] = await h.chat.queryChannels({ cid: 'messaging:cc1-room' });
      assert.ok(room.state.members.boss, 'sender_mode include adds the sender to existing channels');

      const exclude = h.chat.campaign({ sender_id: 'boss', user_ids: ['cc0003'], sender_mode: 'exclude', create_channels: true, channel_template: { type: 'messaging', id: 'cc3-room' }, message_template: { text: 'from afar' } });
      await exclude.create();
      await exclude.start();
      await completed(exclude.id!);
      const [far] = await h.chat.queryChannels({ cid: 'messaging:cc3-room' }, {}, { message_limit: 5 });
      assert.deepEqual(Object.keys(far.state.members), ['cc0003'], 'sender_mode exclude keeps the sender out');
      assert.equal(far.state.messages[0].user?.id, 'boss');
    });

    it('posts one message into each channel of channel segments, without a receiver', async () => {
      await h.chat.upsertUsers([{ id: 'ch-a' }, { id: 'ch-b' }]);
      for (const id of ['news-1', 'news-2']) {
        await h.chat.channel('team', id, { created_by_id: 'boss', members: ['boss', 'ch-a', 'ch-b'], label: id }).create();
      }
      await h.chat.createSegment('channel', 'news', { name: 'news' });
      await h.chat.addSegmentTargets('news', ['team:news-1', 'team:news-2', 'team:gone']);
      await h.chat.createSegment('channel', 'boss-channels', { all_sender_channels: true });
      const c = h.chat.campaign({ sender_id: 'boss', segment_ids: ['news'], message_template: { text: 'Update for {{ channel.label }}{{ receiver.name }}' } });
      await c.create();
      await c.start();
      const done = await completed(c.id!);
      assert.equal(done.stats.stats_messages_sent, 2);
      assert.equal(done.stats.stats_users_sent, 4, 'two members besides the sender in each channel');
      const [news1] = await h.chat.queryChannels({ cid: 'team:news-1' }, {}, { message_limit: 5 });
      assert.equal(news1.state.messages.at(-1)?.text, 'Update for news-1');
      const gone = await rawCall(h.baseURL, 'GET', `/campaigns/${c.id}/targets/team:gone`);
      assert.equal(gone.body.target.reason, 'channel_missing');

      const all = h.chat.campaign({ sender_id: 'boss', segment_ids: ['boss-channels'], message_template: { text: 'to all my channels' } });
      await all.create();
      await all.start();
      const everywhere = await completed(all.id!);
      const memberOf = await sql<{ n: number }>`select count(*) as n from channel_members where user_id = 'boss'`.execute(h.database.db);
      assert.equal(everywhere.stats.stats_messages_sent, Number(memberOf.rows[0].n));
      assert.ok(everywhere.stats.stats_messages_sent > 30);
    });
  });

  describe(`stop_at while in progress on ${backend.name}`, { skip }, () => {
    it('stops a running campaign when the clock passes stop_at', async () => {
      const clock = new ShiftedClock();
      // The scheduler runs; the sender does not, so the campaign stays in progress.
      const h = await startHerald(backend, { clock, loops: ['scheduler'] });
      try {
        await h.chat.upsertUsers([{ id: 'boss' }, { id: 'x' }]);
        const c = h.chat.campaign({ sender_id: 'boss', user_ids: ['x'], message_template: { text: 'x' } });
        await c.create();
        const started = await c.start({ stopAt: new Date(Date.now() + 3_600_000).toISOString() });
        assert.equal(started.campaign.status, 'in_progress');
        clock.offsetMs = 2 * 3_600_000;
        const stopped = await waitFor('stop_at', async () => {
          const { campaign } = await c.get();
          return campaign.status === 'stopped' && campaign;
        });
        assert.equal(stopped.status, 'stopped');
      } finally {
        await h.close();
      }
    });
  });
}
