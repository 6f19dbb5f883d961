import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { backends } from './support/backends.js';
import { ledgerCounts, messagesPerChannel } from './support/campaign-counts.js';
import { connectClient } from './support/chat-clients.js';
import { startHerald, type RunningHerald } from './support/herald-server.js';
import { json, rawCall, type RawAnswer } from './support/raw-client.js';
import { assertRawError, streamError } from './support/stream-assertions.js';
import { signToken } from './support/tokens.js';
import { waitFor } from './support/waiting.js';
import { WebhookReceiver } from './support/webhook-receiver.js';

/**
 * The campaign test send, `POST /campaigns/{id}/test`: real chat messages rendered and routed
 * by the sender's own rules, seen live and by webhooks, marked test_campaign_id, and never in
 * the ledger, the stats, the status or updated_at. The sender loop does not run here, so that
 * a started campaign stays in_progress; the test that needs one completed drives the sender.
 */
interface Entry {
  user_id: string;
  channel_cid: string | null;
  message_id: string | null;
  text: string | null;
  skipped?: string;
  error?: string;
}

for (const { backend, skip } of await backends()) {
  describe(`campaign test send on ${backend.name}`, { skip }, () => {
    let h: RunningHerald;
    let hooks: WebhookReceiver;
    const raw = (method: string, path: string, body?: unknown): Promise<RawAnswer> =>
      rawCall(h.baseURL, method, path, body === undefined ? {} : { body: json(body) });
    const create = async (fields: Record<string, unknown>): Promise<string> => {
      const created = await raw('POST', '/campaigns', { sender_id: 'boss', user_ids: ['ann'], ...fields });
      assert.equal(created.status, 201, created.text);
      return created.body.campaign.id as string;
    };
    /** What a test send must leave alone: status, updated_at, stats, the ledger. */
    const untouched = async (id: string) => {
      const { campaign } = (await raw('GET', `/campaigns/${id}`)).body;
      return { status: campaign.status, updated_at: campaign.updated_at, stats: campaign.stats };
    };
    const assertOutsideTheSend = async (id: string, before: unknown) => {
      assert.deepEqual(await untouched(id), before, 'status, updated_at and stats are unchanged');
      const targets = await raw('POST', `/campaigns/${id}/targets/query`, {});
      assert.equal(targets.status, 201, targets.text);
      assert.deepEqual(targets.body.targets, [], 'the per-target log is empty');
      assert.deepEqual(await ledgerCounts(h.database, id), {}, 'no ledger row');
      assert.equal((await messagesPerChannel(h.database, id)).size, 0, 'no message carries the campaign_id');
    };

    before(async () => {
      hooks = await new WebhookReceiver().start();
      h = await startHerald(backend, { loops: ['webhooks', 'scheduler'] });
      await h.chat.upsertUsers([
        { id: 'boss', name: 'Boss' }, { id: 'ann', name: 'Ann' }, { id: 'bob', name: 'Bob' },
        { id: 'cat', name: 'Cat' }, { id: 'dan', name: 'Dan' }, { id: 'gone', name: 'Gone' },
      ]);
      await h.chat.deleteUsers(['gone'], { user: 'soft' });
      await h.chat.updateAppSettings({ webhook_url: hooks.url } as never);
    });
    after(async () => {
      await h?.close();
      await hooks?.stop();
    });

    it('creates the channels with the sender, renders per user, and is seen live and by webhooks (legacy path)', async () => {
      const id = await create({
        name: 'spring',
        create_channels: true,
        sender_visibility: 'hidden',
        channel_template: { type: 'messaging', id: 'test-{{ receiver.id }}', custom: { topic: 'promo' } },
        message_template: { text: 'Hi {{ receiver.name }}!', custom: { promo: 'spring' }, attachments: [{ type: 'image', image_url: 'https://example.com/a.png' }] },
      });
      const before = await untouched(id);
      const ann = await connectClient(h.baseURL, 'ann');
      let entries: Entry[];
      try {
        const answer = await raw('POST', `/campaigns/${id}/test`, { user_ids: ['ann', 'bob'] });
        assert.equal(answer.status, 201, answer.text);
        assert.match(answer.body.duration, /^\d+\.\d{2}ms$/);
        entries = answer.body.messages as Entry[];
        assert.deepEqual(entries.map((e) => [e.user_id, e.channel_cid, e.text]), [
          ['ann', 'messaging:test-ann', 'Hi Ann!'],
          ['bob', 'messaging:test-bob', 'Hi Bob!'],
        ]);
        assert.ok(entries.every((e) => typeof e.message_id === 'string' && !e.skipped && !e.error));

        // The receiver's unmodified stream-chat client: added to the new channel, then the message.
        const [live] = await ann.waitFor('notification.message_new');
        assert.equal(live.message?.id, entries[0].message_id);
        assert.equal(live.message?.text, 'Hi Ann!');
        assert.equal(live.message?.test_campaign_id, id);
        assert.equal(live.message?.campaign_id, undefined, 'a test message is not part of the send');
        assert.equal(live.message?.user?.id, 'boss');
        const [added] = ann.of('notification.added_to_channel');
        assert.equal(added?.channel?.cid, 'messaging:test-ann');
        assert.ok(ann.events.indexOf(added) < ann.events.indexOf(live), 'added before the message');
      } finally {
        await ann.client.disconnectUser();
      }

      // The stored message: rendered text, the template's custom data and attachments, marked as a test.
      const again = await raw('POST', `/campaigns/${id}/test`, { user_ids: ['ann'] });
      assert.equal(again.status, 201, again.text);
      const { message } = (await raw('GET', `/messages/${again.body.messages[0].message_id}`)).body;
      assert.equal(message.text, 'Hi Ann!');
      assert.equal(message.test_campaign_id, id);
      assert.equal(message.promo, 'spring');
      assert.equal(message.campaign_id, undefined);
      assert.equal(message.attachments[0].image_url, 'https://example.com/a.png');

      // The channel as the real send makes it: the receiver and the sender as owner, hidden for the sender.
      const channel = h.chat.channel('messaging', 'test-ann');
      const state = await channel.query({ messages: { limit: 10 } });
      assert.deepEqual(state.members.map((m) => [m.user_id, m.channel_role]).sort(), [['ann', 'channel_member'], ['boss', 'owner']]);
      assert.equal(state.channel.created_by?.id, 'boss');
      assert.equal(state.channel.topic, 'promo');
      assert.deepEqual(state.messages.map((m) => m.text), ['Hi Ann!', 'Hi Ann!'], 'a second test send posts again');
      const hiddenForBoss = await h.chat.queryChannels({ cid: 'messaging:test-ann', hidden: true }, {}, { user_id: 'boss' });
      assert.equal(hiddenForBoss.length, 1, 'sender_visibility hidden: hidden for the sender');
      const shownForAnn = await h.chat.queryChannels({ cid: 'messaging:test-ann', hidden: false }, {}, { user_id: 'ann' });
      assert.equal(shownForAnn.length, 1, 'shown to the receiver');

      await waitFor('message.new and channel.created webhooks', async () =>
        hooks.events('message.new').some((e) => e.message.id === entries[0].message_id) &&
        hooks.events('channel.created').some((e) => e.cid === 'messaging:test-bob'));
      const hooked = hooks.events('message.new').find((e) => e.message.id === entries[0].message_id)!;
      assert.equal(hooked.message.test_campaign_id, id);
      assert.equal(hooked.message.campaign_id, undefined);
      assert.equal(hooked.user.id, 'boss');

      await assertOutsideTheSend(id, before);
    });

    it('posts in an existing channel, joins the sender, shows the channel, and reports channel_missing (v2 path)', async () => {
      await h.chat.channel('messaging', 'existing-cat', { created_by_id: 'cat', members: ['cat'] }).create();
      await h.chat.channel('messaging', 'existing-cat').hide('cat');
      const id = await create({
        create_channels: false,
        sender_mode: 'include',
        show_channels: true,
        channel_template: { type: 'messaging', id: 'existing-{{ receiver.id }}' },
        message_template: { text: 'Hello {{ receiver.name }} from {{ sender.name }}' },
      });
      const before = await untouched(id);
      const cat = await connectClient(h.baseURL, 'cat');
      try {
        await cat.client.channel('messaging', 'existing-cat').watch();
        const answer = await raw('POST', `/api/v2/chat/campaigns/${id}/test`, { user_ids: ['cat', 'dan'] });
        assert.equal(answer.status, 201, answer.text);
        const [sent, missing] = answer.body.messages as Entry[];
        assert.equal(sent.channel_cid, 'messaging:existing-cat');
        assert.equal(sent.text, 'Hello Cat from Boss');
        assert.ok(sent.message_id);
        assert.deepEqual(missing, { user_id: 'dan', channel_cid: 'messaging:existing-dan', message_id: null, text: 'Hello Dan from Boss', skipped: 'channel_missing' });

        const [live] = await cat.waitFor('message.new');
        assert.equal(live.message?.id, sent.message_id, 'a watching receiver gets message.new live');
        assert.equal(live.message?.test_campaign_id, id);
        assert.equal(live.message?.campaign_id, undefined);

        const v2 = await raw('GET', `/api/v2/chat/messages/${sent.message_id}`);
        assert.equal(v2.body.message.custom.test_campaign_id, id, 'v2 shows it under custom');
      } finally {
        await cat.client.disconnectUser();
      }
      const state = await h.chat.channel('messaging', 'existing-cat').query({});
      assert.deepEqual(state.members.map((m) => m.user_id).sort(), ['boss', 'cat'], 'sender_mode include: the sender joins');
      const shown = await h.chat.queryChannels({ cid: 'messaging:existing-cat', hidden: false }, {}, { user_id: 'cat' });
      assert.equal(shown.length, 1, 'show_channels: shown again to the receiver');
      assert.equal((await h.chat.queryChannels({ cid: 'messaging:existing-dan' })).length, 0, 'no channel is created');
      await assertOutsideTheSend(id, before);
    });

    it("works through stream-chat's generic post; sender_visibility archived; skip_webhook writes no webhook", async () => {
      const id = await create({
        create_channels: true,
        sender_visibility: 'archived',
        channel_template: { type: 'team', id: 'sdk-{{ receiver.id }}' },
        message_template: { text: '{{ campaign.name }} for {{ receiver.id }}' },
        name: 'sdk',
      });
      const before = await untouched(id);
      const answer = await h.chat.post<{ messages: Entry[]; duration: string }>(`${h.chat.baseURL}/campaigns/${id}/test`, { user_ids: ['bob'] });
      assert.equal(answer.messages[0].text, 'sdk for bob');
      assert.equal(answer.messages[0].channel_cid, 'team:sdk-bob');
      const { members } = await h.chat.channel('team', 'sdk-bob').query({});
      assert.ok(members.find((m) => m.user_id === 'boss')?.archived_at, 'archived for the sender');
      assert.equal(members.find((m) => m.user_id === 'bob')?.archived_at, undefined);
      await assert.rejects(h.chat.post(`${h.chat.baseURL}/campaigns/${id}/test`, { user_ids: [] }), streamError(4, 400, /user_ids/));
      await assertOutsideTheSend(id, before);

      const quiet = await create({
        skip_webhook: true,
        create_channels: true,
        channel_template: { type: 'messaging', id: 'quiet-{{ receiver.id }}' },
        message_template: { text: 'shh' },
      });
      const [silent] = (await raw('POST', `/campaigns/${quiet}/test`, { user_ids: ['bob'] })).body.messages as Entry[];
      assert.ok(silent.message_id);
      const [heard] = (await raw('POST', `/campaigns/${id}/test`, { user_ids: ['bob'] })).body.messages as Entry[];
      await waitFor('the later message.new', async () => hooks.events('message.new').some((e) => e.message.id === heard.message_id));
      await sleep(300);
      assert.equal(hooks.events().filter((e) => e.message?.id === silent.message_id || e.cid === 'messaging:quiet-bob').length, 0, 'skip_webhook: no event');
      assert.ok(hooks.events('message.new').length > 0);
    });

    it('reports a render over budget as that user\'s error, and sends the others', async () => {
      await h.chat.upsertUsers([{ id: 'big', l: Array.from({ length: 100 }, (_, i) => i) }, { id: 'small', l: [1, 2] }]);
      const loops = '{% for a in receiver.l %}{% for b in receiver.l %}{% for c in receiver.l %}.{% endfor %}{% endfor %}{% endfor %}';
      const id = await create({ create_channels: true, channel_template: { type: 'messaging' }, message_template: { text: loops } });
      const answer = await raw('POST', `/campaigns/${id}/test`, { user_ids: ['big', 'small'] });
      assert.equal(answer.status, 201, answer.text);
      const [big, small] = answer.body.messages as Entry[];
      assert.deepEqual({ ...big, error: undefined }, { user_id: 'big', channel_cid: null, message_id: null, text: null, error: undefined });
      assert.match(big.error ?? '', /^message_template\.text: the template renders more than 10000 steps/);
      assert.equal(small.text, '........');
      assert.match(small.channel_cid ?? '', /^messaging:!members-/, 'the distinct channel of sender and receiver');
      assert.ok(small.message_id);
      assert.deepEqual(await ledgerCounts(h.database, id), {});
    });

    it('refuses in_progress and completed campaigns, unknown or deleted users, bad counts and types, user tokens; 404 for an unknown campaign', async () => {
      const template = { message_template: { text: 'x' }, create_channels: true, channel_template: { type: 'messaging', id: 'ref-{{ receiver.id }}' } };
      const done = await create({ ...template, user_ids: ['bob'] });
      assert.equal((await raw('POST', `/campaigns/${done}/start`, {})).status, 201);
      await waitFor('the campaign to complete', async () => {
        await h.herald.sender.sendRound();
        return (await untouched(done)).status === 'completed';
      });
      assertRawError(await raw('POST', `/campaigns/${done}/test`, { user_ids: ['ann'] }), 400, 4, /cannot be test-sent while completed/);

      const running = await create({ ...template, user_ids: ['bob'] });
      assert.equal((await raw('POST', `/campaigns/${running}/start`, {})).status, 201);
      assert.equal((await untouched(running)).status, 'in_progress', 'no sender loop runs here');
      assertRawError(await raw('POST', `/api/v2/chat/campaigns/${running}/test`, { user_ids: ['ann'] }), 400, 4, /cannot be test-sent while in_progress/);
      await raw('POST', `/campaigns/${running}/stop`);
      const stopped = await raw('POST', `/campaigns/${running}/test`, { user_ids: ['ann'] });
      assert.equal(stopped.status, 201, `stopped is allowed: ${stopped.text}`);

      const draft = await create(template);
      const unknown = await raw('POST', `/campaigns/${draft}/test`, { user_ids: ['ann', 'ghost-1', 'gone'] });
      assertRawError(unknown, 400, 4, /ghost-1, gone/);
      assert.equal(unknown.body.exception_fields.user_ids, 'unknown users');
      const { messages: toAnn } = await h.chat.channel('messaging', 'ref-ann').query({ messages: { limit: 10 } });
      assert.equal(toAnn.length, 1, 'a refused test sends nothing: ann has only the stopped campaign\'s message');

      const many = Array.from({ length: 21 }, (_, i) => `u${i}`);
      assertRawError(await raw('POST', `/campaigns/${draft}/test`, { user_ids: [] }), 400, 4, /user_ids must hold 1 to 20/);
      assertRawError(await raw('POST', `/campaigns/${draft}/test`, { user_ids: many }), 400, 4, /user_ids must hold 1 to 20 user ids; got 21/);
      assertRawError(await raw('POST', `/api/v2/chat/campaigns/${draft}/test`, { user_ids: 'ann' }), 400, 4, /user_ids/);
      assertRawError(await raw('POST', `/campaigns/${draft}/test`, { user_ids: [1] }), 400, 4, /user_ids/);
      assertRawError(await raw('POST', `/campaigns/${draft}/test`, {}), 400, 4, /user_ids is a required field/);

      const asUser = await rawCall(h.baseURL, 'POST', `/campaigns/${draft}/test`, { token: signToken({ user_id: 'ann' }), body: json({ user_ids: ['ann'] }) });
      assertRawError(asUser, 403, 17, /server-side auth/);
      assertRawError(await raw('POST', '/campaigns/no-such-campaign/test', { user_ids: ['ann'] }), 404, 16, /TestCampaign failed with error: "campaign "no-such-campaign" does not exist"/);
      assertRawError(await raw('POST', '/api/v2/chat/campaigns/no-such-campaign/test', { user_ids: ['ann'] }), 404, 16);
      assert.deepEqual(await ledgerCounts(h.database, draft), {});
    });
  });
}
