import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { backends } from './support/backends.js';
import { connectClient, disconnectAll, type ChatClient } from './support/chat-clients.js';
import { messagesPerChannel } from './support/campaign-counts.js';
import { ShiftedClock, startHerald, type RunningHerald } from './support/herald-server.js';
import { json, rawCall, type RawAnswer } from './support/raw-client.js';
import { assertRawError } from './support/stream-assertions.js';
import { signToken } from './support/tokens.js';
import { waitFor } from './support/waiting.js';
import { WebhookReceiver } from './support/webhook-receiver.js';

/**
 * Herald's campaign controls beyond Stream's: the throttle (campaign and app), delivery windows
 * in the recipient's local time, and recall and edit of what was sent, on both databases,
 * through raw HTTP on both route families and the SDK's generic request method.
 */
const rand = () => randomUUID().slice(0, 8);
const MINUTE_MS = 60_000;

/** Send times of a campaign's messages, in ms, oldest first. */
async function sendTimes(h: RunningHerald, campaignId: string): Promise<number[]> {
  const rows = await sql<{ t: string }>`select created_at as t from messages where campaign_id = ${campaignId} order by created_at`.execute(h.database.db);
  return rows.rows.map((r) => Number(r.t) / 1000);
}

/** The most messages sent in any window of `windowMs`. */
function busiestWindow(times: readonly number[], windowMs: number): number {
  let most = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i] - times[j] >= windowMs) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

/** HH:MM in UTC of a time in ms. */
const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);

for (const { backend, skip } of await backends()) {
  describe(`campaign controls on ${backend.name}`, { skip }, () => {
    let h: RunningHerald;
    const clock = new ShiftedClock();
    let receiver: WebhookReceiver;
    const raw = (method: string, path: string, body?: unknown): Promise<RawAnswer> =>
      rawCall(h.baseURL, method, path, body === undefined ? {} : { body: json(body) });

    const users = async (prefix: string, n: number, custom: (i: number) => Record<string, unknown> = () => ({})) => {
      const ids = Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(5, '0')}`);
      for (let i = 0; i < n; i += 100) {
        await h.chat.upsertUsers(ids.slice(i, i + 100).map((id, k) => ({ id, name: `N ${id}`, ...custom(i + k) })));
      }
      return ids;
    };
    const create = async (body: Record<string, unknown>) => {
      const answer = await raw('POST', '/campaigns', { sender_id: 'boss', message_template: { text: 'Hi {{ receiver.name }}' }, create_channels: true, channel_template: { type: 'messaging' }, ...body });
      assert.equal(answer.status, 201, answer.text);
      return answer.body.campaign as { id: string; [k: string]: any };
    };
    const get = async (id: string) => (await raw('GET', `/campaigns/${id}`)).body.campaign;
    const start = async (id: string) => assert.equal((await raw('POST', `/campaigns/${id}/start`, {})).status, 201);
    const completed = (id: string, timeoutMs = 60_000) =>
      waitFor(`campaign ${id} completed`, async () => {
        const c = await get(id);
        return c.status === 'completed' && c;
      }, timeoutMs);

    before(async () => {
      receiver = await new WebhookReceiver().start();
      h = await startHerald(backend, { clock });
      await h.chat.upsertUsers([{ id: 'boss', name: 'Boss' }]);
      assert.equal((await raw('PATCH', '/app', { webhook_url: receiver.url })).status, 200);
    });
    after(async () => {
      await h?.close();
      await receiver?.stop();
    });

    describe('throttle', () => {
      it('refuses a throttle that is not an integer from 1 to 1,000,000, naming the field', async () => {
        for (const bad of [0, -1, 1.5, 1_000_001, '10', true]) {
          const answer = await raw('POST', '/campaigns', { sender_id: 'boss', user_ids: ['x'], message_template: { text: 'x' }, max_messages_per_second: bad });
          assertRawError(answer, 400, 4, /max_messages_per_second/);
        }
        const v2 = await raw('POST', '/api/v2/chat/campaigns', { sender_id: 'boss', user_ids: ['x'], message_template: { text: 'x' }, max_messages_per_second: 0 });
        assertRawError(v2, 400, 4, /max_messages_per_second/);
        const ok = await create({ user_ids: ['x'], max_messages_per_second: 1_000_000 });
        assert.equal(ok.max_messages_per_second, 1_000_000);
        const cleared = await raw('PUT', `/campaigns/${ok.id}`, { max_messages_per_second: null });
        assert.equal(cleared.status, 201, cleared.text);
        assert.equal(cleared.body.campaign.max_messages_per_second, null);
      });

      it('keeps the app-wide throttle in the app settings, read back on both families', async () => {
        assert.equal((await raw('PATCH', '/app', { campaign_max_messages_per_second: 1234 })).status, 200);
        assert.equal((await raw('GET', '/app')).body.app.campaign_max_messages_per_second, 1234);
        assert.equal((await raw('GET', '/api/v2/app')).body.app.campaign_max_messages_per_second, 1234);
        assertRawError(await raw('PATCH', '/app', { campaign_max_messages_per_second: 0 }), 400, 4, /campaign_max_messages_per_second/);
        assert.equal((await raw('PATCH', '/app', { campaign_max_messages_per_second: null })).status, 200);
        assert.equal((await raw('GET', '/app')).body.app.campaign_max_messages_per_second, null);
      });

      it('holds a campaign to 200 messages a second, and lets the throttle alone change while it runs', async () => {
        const ids = await users(`t${rand()}`, 2400);
        const campaign = await create({ user_ids: ids, max_messages_per_second: 200 });
        await start(campaign.id);
        // In progress, only the throttle may change.
        const renamed = await raw('PUT', `/campaigns/${campaign.id}`, { name: 'renamed' });
        assertRawError(renamed, 400, 4, /only max_messages_per_second/);
        const same = await raw('PUT', `/api/v2/chat/campaigns/${campaign.id}`, { max_messages_per_second: 200 });
        assert.equal(same.status, 201, same.text);
        assert.equal(same.body.campaign.status, 'in_progress');
        await completed(campaign.id, 60_000);
        const times = await sendTimes(h, campaign.id);
        assert.equal(times.length, 2400);
        // ≤ 110% over any 10 s (2,200), with a margin for batch granularity; ≥ 80% on average.
        const busiest = busiestWindow(times, 10_000);
        assert.ok(busiest <= 2200 * 1.05, `busiest 10 s window held ${busiest} messages (limit 2,000)`);
        const rate = (times.length - 100) / ((times[times.length - 1] - times[0]) / 1000);
        assert.ok(rate >= 160 && rate <= 240, `averaged ${rate.toFixed(0)} messages/s against 200`);
      });

      it('holds every campaign together to the app-wide throttle', async () => {
        assert.equal((await raw('PATCH', '/app', { campaign_max_messages_per_second: 100 })).status, 200);
        try {
          const [a, b] = await Promise.all([create({ user_ids: await users(`a${rand()}`, 300) }), create({ user_ids: await users(`b${rand()}`, 300) })]);
          await Promise.all([start(a.id), start(b.id)]);
          await Promise.all([completed(a.id), completed(b.id)]);
          const times = [...(await sendTimes(h, a.id)), ...(await sendTimes(h, b.id))].sort((x, y) => x - y);
          assert.equal(times.length, 600);
          const seconds = (times[times.length - 1] - times[0]) / 1000;
          // 600 messages less a 50-message burst at 100/s: at least ~5.5 s, not the ~0.1 s unthrottled.
          assert.ok(seconds >= 4.5, `600 messages took ${seconds.toFixed(1)} s at 100/s`);
          assert.ok(busiestWindow(times, 1000) <= 100 * 1.5 + 50, `busiest second: ${busiestWindow(times, 1000)}`);
        } finally {
          await raw('PATCH', '/app', { campaign_max_messages_per_second: null });
        }
      });
    });

    describe('delivery window', () => {
      it('refuses malformed windows, naming the field', async () => {
        for (const [bad, field] of [
          [{ start: '9:00', end: '17:00' }, 'delivery_window.start'],
          [{ start: '09:00', end: '24:00' }, 'delivery_window.end'],
          [{ start: '09:00', end: '09:00' }, 'delivery_window.end'],
          [{ start: '09:00', end: '17:00', default_timezone: 'Mars/Olympus' }, 'delivery_window.default_timezone'],
          [{ start: '09:00', end: '17:00', timezone_field: '' }, 'delivery_window.timezone_field'],
        ] as const) {
          const answer = await raw('POST', '/campaigns', { sender_id: 'boss', user_ids: ['x'], message_template: { text: 'x' }, delivery_window: bad });
          assertRawError(answer, 400, 4, new RegExp(field.replace('.', '\\.')));
        }
        const ok = await create({ user_ids: ['x'], delivery_window: { start: '22:00', end: '06:00' } });
        assert.deepEqual(ok.delivery_window, { start: '22:00', end: '06:00', timezone_field: 'timezone', default_timezone: 'UTC' });
      });

      it('sends each user once, in the window of its own zone, deferring the others with deferred_until', async () => {
        // The window is closed only in the two minutes before `opens`, UTC: users in UTC (and
        // those without a valid zone, who fall back to UTC) wait; users in Tokyo are inside.
        const nowMs = Date.now() + clock.offsetMs;
        const opens = Math.ceil(nowMs / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
        const window = { start: hhmm(opens), end: hhmm(opens - 3 * MINUTE_MS), timezone_field: 'tz', default_timezone: 'UTC' };
        const prefix = `w${rand()}`;
        const zones = ['Asia/Tokyo', 'UTC', 'Not/AZone', undefined];
        const ids = await users(prefix, 8, (i) => (zones[i % 4] ? { tz: zones[i % 4] } : {}));
        const campaign = await create({ user_ids: ids, delivery_window: window });
        await start(campaign.id);
        const early = ids.filter((_, i) => i % 4 === 0);
        const waiting = ids.filter((_, i) => i % 4 !== 0);
        await waitFor('deferrals', async () => (await get(campaign.id)).stats.stats_targets_deferred === waiting.length);
        const during = await get(campaign.id);
        assert.equal(during.status, 'in_progress');
        assert.equal(during.stats.stats_messages_sent, early.length);
        for (const id of waiting) {
          const { body } = await raw('GET', `/campaigns/${campaign.id}/targets/${id}`);
          assert.equal(body.target.status, 'pending');
          assert.equal(Date.parse(body.target.deferred_until), opens, `${id} deferred until ${body.target.deferred_until}`);
        }
        const tokyo = (await raw('GET', `/api/v2/chat/campaigns/${campaign.id}/targets/${early[0]}`)).body.target;
        assert.equal(tokyo.status, 'sent');
        assert.equal(tokyo.deferred_until, undefined);

        // The window opens.
        clock.offsetMs += opens - nowMs + 1000;
        const done = await completed(campaign.id, 30_000);
        assert.equal(done.stats.stats_messages_sent, ids.length);
        assert.equal(done.stats.stats_targets_deferred, 0);
        const perChannel = await messagesPerChannel(h.database, campaign.id);
        assert.equal(perChannel.size, ids.length);
        assert.ok([...perChannel.values()].every((n) => n === 1), 'one message per user');
        const times = await sql<{ t: string; target_id: string }>`select m.created_at as t, ct.target_id from messages m
          join campaign_targets ct on ct.message_id = m.id where m.campaign_id = ${campaign.id}`.execute(h.database.db);
        for (const row of times.rows) {
          if (waiting.includes(row.target_id)) assert.ok(Number(row.t) / 1000 >= opens, `${row.target_id} sent before its window opened`);
        }
      });
    });

    describe('recall and edit', () => {
      let client: ChatClient | undefined;
      after(async () => client && (await disconnectAll([client])));

      it('refuses recall and edit before the campaign is over', async () => {
        const ids = await users(`r${rand()}`, 2);
        const draft = await create({ user_ids: ids });
        assertRawError(await raw('POST', `/campaigns/${draft.id}/recall`, {}), 400, 4, /cannot be recalled while draft/);
        assertRawError(await raw('POST', `/api/v2/chat/campaigns/${draft.id}/messages/update`, { message_template: { text: 'x' } }), 400, 4, /cannot be edited while draft/);
        assertRawError(await raw('POST', `/campaigns/${draft.id}/messages/update`, { message_template: {} }), 400, 4, /message_template/);
        assertRawError(await raw('POST', `/campaigns/${draft.id}/messages/update`, {}), 400, 4);
        assertRawError(await raw('POST', `/campaigns/nope-${rand()}/recall`, {}), 404, 16);
        const user = await rawCall(h.baseURL, 'POST', `/campaigns/${draft.id}/recall`, { body: '{}', token: signToken({ user_id: ids[0] }) });
        assert.ok(user.status === 403 || user.status === 401, `user token: ${user.status}`);
      });

      it('edits every sent message with the new template, live and through webhooks, and resumes with it', async () => {
        const ids = await users(`e${rand()}`, 6);
        const campaign = await create({ user_ids: ids, message_template: { text: 'Hi {{ receiver.name }}', custom: { v: 1 } } });
        client = await connectClient(h.baseURL, ids[0]);
        await start(campaign.id);
        await completed(campaign.id);
        const target = (await raw('GET', `/campaigns/${campaign.id}/targets/${ids[0]}`)).body.target;
        const channel = client.client.channel('messaging', target.channel_cid.split(':')[1]);
        await channel.watch();

        // Through the SDK's generic request method, on the root family.
        const edited = await h.chat.post<{ campaign: any }>(`${h.chat.baseURL}/campaigns/${campaign.id}/messages/update`, {
          message_template: { text: 'Bye {{ receiver.name }}!' },
        });
        assert.equal(edited.campaign.message_template.text, 'Bye {{ receiver.name }}!');
        assert.deepEqual(edited.campaign.message_template.custom, { v: 1 }, 'the template is merged');
        await waitFor('edits', async () => {
          const rows = await sql<{ n: number }>`select count(*) as n from messages where campaign_id = ${campaign.id} and text like 'Bye %'`.execute(h.database.db);
          return Number(rows.rows[0].n) === ids.length;
        });
        const [updated] = await client.waitFor('message.updated');
        assert.equal(updated.message?.text, `Bye N ${ids[0]}!`);
        await waitFor('message.updated webhooks', async () =>
          receiver.events('message.updated').filter((e) => e.message.campaign_id === campaign.id).length === ids.length);
        const logged = (await raw('GET', `/campaigns/${campaign.id}/targets/${ids[1]}`)).body.target;
        assert.match(logged.edited_at, /^\d{4}-/);
        const message = await h.chat.getMessage(logged.message_id);
        assert.equal(message.message.text, `Bye N ${ids[1]}!`);
        assert.ok((message.message as any).message_text_updated_at, 'message_text_updated_at is set');
      });

      it('recalls every sent message once, refuses a restart, and a second recall changes nothing', async () => {
        const ids = await users(`c${rand()}`, 5);
        const campaign = await create({ user_ids: ids });
        const watcher = await connectClient(h.baseURL, ids[0]);
        try {
          await start(campaign.id);
          await completed(campaign.id);
          const target = (await raw('GET', `/campaigns/${campaign.id}/targets/${ids[0]}`)).body.target;
          await watcher.client.channel('messaging', target.channel_cid.split(':')[1]).watch();

          const recalled = await raw('POST', `/api/v2/chat/campaigns/${campaign.id}/recall`, {});
          assert.equal(recalled.status, 201, recalled.text);
          assert.ok(['in_progress', 'completed'].includes(recalled.body.campaign.recall_status));
          const done = await waitFor('recall', async () => {
            const c = await get(campaign.id);
            return c.recall_status === 'completed' && c;
          });
          assert.equal(done.stats.stats_messages_recalled, ids.length);
          assert.equal(done.status, 'completed');
          const deleted = await sql<{ n: number }>`select count(*) as n from messages where campaign_id = ${campaign.id}
            and type = 'deleted' and deleted_at is not null`.execute(h.database.db);
          assert.equal(Number(deleted.rows[0].n), ids.length);
          const [event] = await watcher.waitFor('message.deleted');
          assert.equal(event.message?.id, target.message_id);
          assert.equal(event.message?.type, 'deleted');
          await waitFor('message.deleted webhooks', async () =>
            receiver.events('message.deleted').filter((e) => e.message.campaign_id === campaign.id).length === ids.length);
          const logged = (await raw('GET', `/campaigns/${campaign.id}/targets/${ids[2]}`)).body.target;
          assert.match(logged.recalled_at, /^\d{4}-/);

          const again = await raw('POST', `/campaigns/${campaign.id}/recall`, {});
          assert.equal(again.status, 201);
          assert.equal(again.body.campaign.stats.stats_messages_recalled, ids.length);
          const jobs = await sql<{ n: number }>`select count(*) as n from campaign_message_jobs where campaign_id = ${campaign.id}`.execute(h.database.db);
          assert.equal(Number(jobs.rows[0].n), 1, 'a second recall asks for no second job');
          assertRawError(await raw('POST', `/campaigns/${campaign.id}/start`, {}), 400, 4);
          assertRawError(await raw('POST', `/campaigns/${campaign.id}/messages/update`, { message_template: { text: 'x' } }), 400, 4, /recalled/);
          // The channel no longer shows the message.
          const state = await h.chat.channel('messaging', target.channel_cid.split(':')[1]).query({ messages: { limit: 10 } });
          assert.ok(!state.messages.some((m) => m.id === target.message_id));
        } finally {
          await disconnectAll([watcher]);
        }
      });

      it('recalls a stopped campaign without webhooks when skip_webhook is given', async () => {
        const ids = await users(`s${rand()}`, 3);
        const campaign = await create({ user_ids: ids });
        await start(campaign.id);
        await completed(campaign.id);
        const before = receiver.events('message.deleted').length;
        assert.equal((await raw('POST', `/campaigns/${campaign.id}/recall`, { skip_webhook: true })).status, 201);
        await waitFor('recall', async () => (await get(campaign.id)).recall_status === 'completed');
        assert.equal((await get(campaign.id)).stats.stats_messages_recalled, 3);
        await new Promise((r) => setTimeout(r, 300));
        assert.equal(receiver.events('message.deleted').length, before);
      });
    });
  });
}
