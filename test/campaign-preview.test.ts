import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { distinctChannelId } from '../src/domain/channel.js';
import type { Database } from '../src/storage/database.js';
import { backends } from './support/backends.js';
import { ledgerCounts } from './support/campaign-counts.js';
import { startHerald, type RunningHerald } from './support/herald-server.js';
import { json, rawCall, type RawAnswer } from './support/raw-client.js';
import { assertRawError, streamError } from './support/stream-assertions.js';
import { tableSnapshot } from './support/table-snapshot.js';
import { signToken } from './support/tokens.js';
import { waitFor } from './support/waiting.js';

/**
 * `POST /campaigns/{id}/preview` on real servers: refusals in Stream's shape, a dry run that
 * writes nothing, and figures that the real send then bears out, target for target.
 */
const rand = () => randomUUID().slice(0, 8);
const FAMILIES = ['', '/api/v2/chat'] as const;

interface Preview {
  audience: { total: number; user_ids: number; segments: Array<{ segment_id: string; count: number }> };
  channels: { existing: number; to_create: number; skipped: number; failed: number };
  samples: Array<{
    target_id: string; in_audience: boolean; channel_cid: string | null; channel?: string; text: string | null;
    attachments: unknown[]; custom: Record<string, unknown>; missing_variables: string[]; skipped?: string; error?: string;
  }>;
  missing_variables: Array<{ variable: string; targets: number }>;
  estimated_seconds: number;
}

/** Every table of the database (the catalog's list, so that tables added later count too): rows and a checksum. */
async function everyTable(database: Database): Promise<Record<string, string>> {
  const known = await tableSnapshot(database);
  const listed = database.caps.name === 'sqlite'
    ? sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`
    : sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = 'public'`;
  for (const { name } of (await listed.execute(database.db)).rows) {
    if (name in known) continue;
    const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(name)}`.execute(database.db);
    known[name] = `${rows.length} rows, ${JSON.stringify(rows.map((r) => JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? String(v) : v))).sort())}`;
  }
  return known;
}

for (const { backend, skip } of await backends()) {
  describe(`campaign preview on ${backend.name}`, { skip }, () => {
    let h: RunningHerald;
    const raw = (method: string, path: string, body?: unknown, token?: string): Promise<RawAnswer> =>
      rawCall(h.baseURL, method, path, { ...(body !== undefined && { body: json(body) }), ...(token && { token }) });
    const preview = async (id: string, body: unknown = {}, family: string = ''): Promise<Preview> => {
      const answer = await raw('POST', `${family}/campaigns/${id}/preview`, body);
      assert.equal(answer.status, 200, answer.text);
      assert.match(answer.body.duration, /^\d+\.\d\dms$/);
      return answer.body.preview as Preview;
    };
    const completed = (id: string) =>
      waitFor(`campaign ${id} to complete`, async () => {
        const { campaign } = await h.chat.getCampaign(id);
        return campaign.status === 'completed' && campaign;
      });
    /** The sent message of a target, through the per-target log and GET /messages/{id}. */
    const sentText = async (campaignId: string, targetId: string): Promise<string | null> => {
      const target = await raw('GET', `/campaigns/${campaignId}/targets/${targetId}`);
      assert.equal(target.status, 200, target.text);
      if (!target.body.target.message_id) return null;
      const message = await raw('GET', `/messages/${target.body.target.message_id}`);
      assert.equal(message.status, 200, message.text);
      return message.body.message.text;
    };
    const segment = async (body: Record<string, unknown>, targets?: string[]) => {
      const id = `pv-seg-${rand()}`;
      const created = await raw('POST', '/segments', { id, ...body });
      assert.equal(created.status, 201, created.text);
      if (targets) assert.equal((await raw('POST', `/segments/${id}/addtargets`, { target_ids: targets })).status, 201);
      return id;
    };
    const campaign = async (body: Record<string, unknown>) => {
      const created = await raw('POST', '/campaigns', body);
      assert.equal(created.status, 201, created.text);
      return created.body.campaign.id as string;
    };

    before(async () => {
      h = await startHerald(backend);
    });
    after(async () => h?.close());

    describe('refusals, in Stream\'s error shape on both route families', () => {
      let id: string;
      before(async () => {
        const sender = `pv-r-${rand()}`;
        await h.chat.upsertUsers([{ id: sender }, { id: `${sender}-to` }]);
        id = await campaign({ sender_id: sender, user_ids: [`${sender}-to`], message_template: { text: 'hi' } });
      });

      for (const family of FAMILIES) {
        it(`refuses bad input with 400/4${family ? ' under /api/v2/chat' : ''}`, async () => {
          const path = `${family}/campaigns/${id}/preview`;
          assertRawError(await raw('POST', path, { sample: 0 }), 400, 4, /sample must be an integer from 1 to 50/);
          assertRawError(await raw('POST', path, { sample: 51 }), 400, 4, /sample/);
          assertRawError(await raw('POST', path, { sample: 2.5 }), 400, 4, /sample/);
          assertRawError(await raw('POST', path, { sample: '5' }), 400, 4, /sample must be integer/);
          assertRawError(await raw('POST', path, { target_ids: Array.from({ length: 51 }, (_, i) => `t${i}`) }), 400, 4, /target_ids must have 1 to 50 items/);
          assertRawError(await raw('POST', path, { target_ids: [] }), 400, 4, /target_ids/);
          assertRawError(await raw('POST', path, { target_ids: 'u1' }), 400, 4, /target_ids must be array/);
          assertRawError(await raw('POST', path, { target_ids: [7] }), 400, 4, /target_ids.0 must be string/);
          assertRawError(await raw('POST', path, { target_ids: [''] }), 400, 4, /target_ids must be non-empty strings/);
          const refused = await raw('POST', path, { sample: 0 });
          assert.equal(refused.body.exception_fields.sample, 'out of range');
          assert.match(refused.body.message, /^PreviewCampaign failed with error: /);
        });

        it(`answers 404/16 for an unknown campaign and 403/17 for a user token${family ? ' under /api/v2/chat' : ''}`, async () => {
          assertRawError(await raw('POST', `${family}/campaigns/no-such-${rand()}/preview`, {}), 404, 16, /does not exist/);
          assertRawError(await raw('POST', `${family}/campaigns/${id}/preview`, {}, signToken({ user_id: 'someone' })), 403, 17, /server-side auth/);
        });
      }

      it('refuses through the SDKs\' generic requests too', async () => {
        await assert.rejects(h.chat.post(`${h.chat.baseURL}/campaigns/${id}/preview`, { sample: 51 }), streamError(4, 400, /sample/));
        await assert.rejects(h.chat.post(`${h.chat.baseURL}/campaigns/nope-${rand()}/preview`, {}), streamError(16, 404));
        await assert.rejects(
          h.node.chat.apiClient.sendRequest('POST', '/api/v2/chat/campaigns/{id}/preview', { id }, undefined, { sample: 0 }),
          streamError(4, 400, /sample/),
        );
      });
    });

    it('writes nothing, in any status: every table is the same before and after', async () => {
      // A server of its own without background loops, so that nothing else writes meanwhile.
      const quiet = await startHerald(backend, { loops: [] });
      try {
        const q = (method: string, path: string, body?: unknown) => rawCall(quiet.baseURL, method, path, body === undefined ? {} : { body: json(body) });
        await quiet.chat.upsertUsers([{ id: 'boss', name: 'Boss' }, { id: 'ann', first_name: 'Ann' }, { id: 'bob' }]);
        await quiet.chat.channel('messaging', { members: ['boss', 'ann'], created_by_id: 'boss' }).create();
        assert.equal((await q('POST', '/segments', { id: 'all', type: 'user', all_users: true })).status, 201);
        const created = await q('POST', '/campaigns', {
          sender_id: 'boss', segment_ids: ['all'], create_channels: true, channel_template: { type: 'messaging' },
          message_template: { text: 'Hi {{ receiver.first_name }}' },
        });
        const id = created.body.campaign.id;
        const check = async (label: string) => {
          const before = await everyTable(quiet.database);
          for (const family of FAMILIES) {
            const answer = await q('POST', `${family}/campaigns/${id}/preview`, { sample: 50 });
            assert.equal(answer.status, 200, answer.text);
            assert.equal(answer.body.preview.audience.total, 3, label);
            assert.equal((await q('POST', `${family}/campaigns/${id}/preview`, { target_ids: ['ann', 'nobody'] })).status, 200);
          }
          await quiet.chat.post(`${quiet.chat.baseURL}/campaigns/${id}/preview`, {});
          assert.deepEqual(await everyTable(quiet.database), before, `${label}: a preview wrote nothing`);
          assert.ok(Object.keys(before).length >= 11, 'every table was compared');
        };
        await check('draft');
        assert.equal((await q('POST', `/campaigns/${id}/start`, { scheduled_for: new Date(Date.now() + 3_600_000).toISOString() })).status, 201);
        await check('scheduled');
        assert.equal((await q('POST', `/campaigns/${id}/stop`, {})).status, 201);
        await check('stopped');
        // No sender loop runs here: the campaign stays in progress, untouched.
        assert.equal((await q('POST', `/campaigns/${id}/start`, {})).body.campaign.status, 'in_progress');
        await check('in_progress');
      } finally {
        await quiet.close();
      }
    });

    it('agrees with the real send: audience across overlapping segments, channels, texts, missing variables', async () => {
      const p = `pv${rand()}`;
      const sender = `${p}-boss`;
      // Ten users of the cohort; every other one has a first_name; u09 is deleted; two more
      // users exist outside the cohort, one of them listed in the explicit segment.
      const cohort = Array.from({ length: 10 }, (_, i) => ({ id: `${p}-u${String(i).padStart(2, '0')}`, cohort: p, ...(i % 2 === 0 && { first_name: `F${i}` }) }));
      await h.chat.upsertUsers([{ id: sender, name: 'Boss' }, ...cohort, { id: `${p}-x1`, first_name: 'X' }, { id: `${p}-x2` }]);
      await raw('POST', '/users/delete', { user_ids: [`${p}-u09`], user: 'soft' });
      // u01 already has its distinct channel with the sender; x2's distinct channel was deleted.
      await h.chat.channel('messaging', { members: [sender, `${p}-u01`], created_by_id: sender }).create();
      const gone = h.chat.channel('messaging', { members: [sender, `${p}-x2`], created_by_id: sender });
      await gone.create();
      await gone.delete();
      const filterSegment = await segment({ type: 'user', filter: { cohort: p } });
      // Overlaps the filter segment on u00, u01; adds x1, x2, a user that does not exist, and u09 (deleted).
      const listSegment = await segment({ type: 'user' }, [`${p}-u00`, `${p}-u01`, `${p}-x1`, `${p}-x2`, `${p}-ghost`, `${p}-u09`]);
      const id = await campaign({
        sender_id: sender, segment_ids: [filterSegment, listSegment], create_channels: true, channel_template: { type: 'messaging' },
        message_template: { text: 'Hi {{ receiver.first_name }}, from {{ sender.name }}', custom: { promo: 'x' }, attachments: [{ type: 'image', image_url: 'https://x/y.png' }] },
      });

      const [legacy, v2] = await Promise.all(FAMILIES.map((f) => preview(id, { sample: 50 }, f)));
      assert.deepEqual(v2, legacy, 'both route families give the same preview');
      // Targets: u00..u08 (9), x1, x2, ghost, u09 → 13 distinct; u09 and ghost are not users.
      assert.equal(legacy.audience.total, 13);
      assert.equal(legacy.audience.user_ids, 0);
      assert.deepEqual(legacy.audience.segments, [{ segment_id: filterSegment, count: 9 }, { segment_id: listSegment, count: 6 }]);
      assert.deepEqual(legacy.channels, { existing: 1, to_create: 9, skipped: 3, failed: 0 }, 'u01 exists; x2 deleted; ghost and u09 missing');
      // first_name: missing for u01 u03 u05 u07, x2, ghost, u09 (no receiver).
      assert.deepEqual(legacy.missing_variables, [{ variable: 'receiver.first_name', targets: 7 }]);
      assert.equal(legacy.samples.length, 13);
      assert.deepEqual(legacy.samples.map((s) => s.target_id), [...legacy.samples.map((s) => s.target_id)].sort(), 'samples in target id order');
      const byTarget = new Map(legacy.samples.map((s) => [s.target_id, s]));
      assert.deepEqual(byTarget.get(`${p}-u00`), {
        target_id: `${p}-u00`, in_audience: true, channel_cid: `messaging:${distinctChannelId([sender, `${p}-u00`])}`, channel: 'to_create',
        text: 'Hi F0, from Boss', attachments: [{ type: 'image', image_url: 'https://x/y.png' }], custom: { promo: 'x' }, missing_variables: [],
      });
      assert.equal(byTarget.get(`${p}-u01`)?.channel, 'existing');
      assert.deepEqual(byTarget.get(`${p}-u01`)?.missing_variables, ['receiver.first_name']);
      assert.equal(byTarget.get(`${p}-ghost`)?.skipped, 'user_missing');
      assert.equal(byTarget.get(`${p}-ghost`)?.text, null);
      assert.equal(byTarget.get(`${p}-x2`)?.skipped, 'channel_missing');

      assert.equal((await raw('POST', `/campaigns/${id}/start`, {})).status, 201);
      const done = await completed(id);
      const ledger = await ledgerCounts(h.database, id);
      assert.equal(Object.values(ledger).reduce((a, b) => a + b, 0), legacy.audience.total, 'ledger size = audience.total');
      assert.equal(done.stats.stats_channels_created, legacy.channels.to_create);
      assert.equal(ledger.skipped, legacy.channels.skipped);
      assert.equal(ledger.sent, legacy.channels.existing + legacy.channels.to_create);
      const queried = await raw('POST', `/campaigns/${id}/targets/query`, { limit: 1000 });
      assert.equal(queried.body.targets.length, legacy.audience.total);
      for (const s of legacy.samples) assert.equal(await sentText(id, s.target_id), s.skipped ? null : s.text, s.target_id);

      // Finished targets are never sent again: the preview of a finished send is empty, and a
      // user who joins the segment afterwards is all that is left.
      const after = await preview(id);
      assert.deepEqual([after.audience.total, after.samples.length, after.estimated_seconds], [0, 0, 0]);
      assert.equal(after.audience.segments[0].count, 9, 'segment sizes are before the ledger');
      const late = `${p}-u10`;
      await h.chat.upsertUsers([{ id: late, cohort: p, first_name: 'Late' }]);
      const withLate = await preview(id, { target_ids: [late, `${p}-u00`] });
      assert.equal(withLate.audience.total, 1);
      assert.deepEqual(withLate.samples.map((s) => [s.target_id, s.in_audience, s.text]), [[late, true, 'Hi Late, from Boss'], [`${p}-u00`, false, 'Hi F0, from Boss']]);
    });

    it('agrees with the real send: overlapping filter segments, counted in one scan', async () => {
      const p = `pv${rand()}`;
      const sender = `${p}-boss`;
      await h.chat.upsertUsers([{ id: sender }, ...Array.from({ length: 10 }, (_, i) => ({ id: `${p}-u${i}`, cohort: p, n: i }))]);
      const low = await segment({ type: 'user', filter: { cohort: p, n: { $lt: 6 } } });
      const high = await segment({ type: 'user', filter: { $and: [{ cohort: p }, { n: { $gte: 4 } }] } });
      const id = await campaign({ sender_id: sender, segment_ids: [low, high], message_template: { text: 'n={{ receiver.n }}' } });
      const got = await preview(id, { sample: 2 });
      assert.equal(got.audience.total, 10, 'u4 and u5 are in both');
      assert.deepEqual(got.audience.segments, [{ segment_id: low, count: 6 }, { segment_id: high, count: 6 }]);
      assert.deepEqual(got.channels, { existing: 0, to_create: 0, skipped: 10, failed: 0 }, 'no channel exists and none is created');
      assert.deepEqual(got.samples.map((s) => [s.target_id, s.text, s.skipped]), [[`${p}-u0`, 'n=0', 'channel_missing'], [`${p}-u1`, 'n=1', 'channel_missing']]);
      await raw('POST', `/campaigns/${id}/start`, {});
      await completed(id);
      assert.deepEqual(await ledgerCounts(h.database, id), { skipped: 10 });
      assert.deepEqual((await preview(id)).audience.segments, [{ segment_id: low, count: 6 }, { segment_id: high, count: 6 }], 'sizes once the ledger is finished');
    });

    it('agrees with the real send: user_ids with duplicates, an unknown id and the sender itself (failed)', async () => {
      const p = `pv${rand()}`;
      const sender = `${p}-boss`;
      await h.chat.upsertUsers([{ id: sender }, { id: `${p}-a`, city: 'Oslo' }, { id: `${p}-b` }]);
      const id = await campaign({
        sender_id: sender, user_ids: [`${p}-a`, `${p}-b`, `${p}-a`, `${p}-nobody`, sender], create_channels: true,
        channel_template: { type: 'team' }, message_template: { text: '{{ receiver.city }}!{{ receiver.teams[0] }}' },
      });
      const got = await preview(id, { sample: 3 });
      assert.equal(got.audience.total, 4);
      assert.equal(got.audience.user_ids, 5, 'the list as given');
      assert.deepEqual(got.channels, { existing: 0, to_create: 2, skipped: 1, failed: 1 });
      assert.deepEqual(got.missing_variables, [{ variable: 'receiver.city', targets: 3 }, { variable: 'receiver.teams[0]', targets: 4 }]);
      assert.deepEqual(got.samples.map((s) => s.target_id), [`${p}-a`, `${p}-b`, `${p}-boss`]);
      assert.match(got.samples[2].error ?? '', /at least two members/);
      assert.equal(got.samples[0].channel_cid, `team:${distinctChannelId([sender, `${p}-a`])}`);

      await raw('POST', `/campaigns/${id}/start`, {});
      const done = await completed(id);
      assert.deepEqual(await ledgerCounts(h.database, id), { sent: 2, skipped: 1, failed: 1 });
      assert.equal(done.stats.stats_channels_created, got.channels.to_create);
      assert.equal(await sentText(id, `${p}-a`), got.samples[0].text);
      assert.equal(got.samples[0].text, 'Oslo!');
    });

    it('agrees with the real send: channel ids named by a template, per receiver and constant', async () => {
      const p = `pv${rand()}`;
      const sender = `${p}-boss`;
      const audience = Array.from({ length: 5 }, (_, i) => `${p}-r${i}`);
      await h.chat.upsertUsers([{ id: sender }, ...audience.map((id) => ({ id, name: id.toUpperCase() }))]);
      await h.chat.channel('messaging', `${p}-r1-room`, { created_by_id: sender, members: [sender] }).create();
      const perReceiver = await campaign({
        sender_id: sender, user_ids: audience, create_channels: false,
        channel_template: { type: 'messaging', id: '{{ receiver.id }}-room' }, message_template: { text: 'to {{ receiver.name }} in {{ channel.id }}' },
      });
      const got = await preview(perReceiver, { target_ids: [`${p}-r1`, `${p}-r2`] });
      assert.deepEqual(got.channels, { existing: 1, to_create: 0, skipped: 4, failed: 0 });
      assert.deepEqual(got.samples.map((s) => [s.channel, s.skipped, s.text]), [['existing', undefined, `to ${p.toUpperCase()}-R1 in ${p}-r1-room`], [undefined, 'channel_missing', `to ${p.toUpperCase()}-R2 in ${p}-r2-room`]]);
      await raw('POST', `/campaigns/${perReceiver}/start`, {});
      await completed(perReceiver);
      assert.deepEqual(await ledgerCounts(h.database, perReceiver), { sent: 1, skipped: 4 });
      assert.equal(await sentText(perReceiver, `${p}-r1`), got.samples[0].text);

      const constant = await campaign({
        sender_id: sender, user_ids: audience, create_channels: true,
        channel_template: { type: 'messaging', id: `${p}-all-{{ sender.id | size }}` }, message_template: { text: 'all of you' },
      });
      const one = await preview(constant, { sample: 50 });
      assert.deepEqual(one.channels, { existing: 4, to_create: 1, skipped: 0, failed: 0 }, 'the first target creates it, the others find it');
      assert.deepEqual(one.samples.map((s) => s.channel), ['to_create', 'existing', 'existing', 'existing', 'existing']);
      await raw('POST', `/campaigns/${constant}/start`, {});
      const done = await completed(constant);
      assert.equal(done.stats.stats_channels_created, 1);
      assert.equal(done.stats.stats_messages_sent, 5);
    });

    it('channel targets: existing or gone, and counted as missing every receiver variable', async () => {
      const p = `pv${rand()}`;
      const sender = `${p}-boss`;
      await h.chat.upsertUsers([{ id: sender }]);
      await h.chat.channel('team', `${p}-live`, { created_by_id: sender, members: [sender], topic: 'news' }).create();
      const channels = await segment({ type: 'channel' }, [`team:${p}-live`, `team:${p}-gone`]);
      const id = await campaign({ sender_id: sender, segment_ids: [channels], message_template: { text: '{{ channel.topic }} {{ receiver.name }}' } });
      const got = await preview(id);
      assert.equal(got.audience.total, 2);
      assert.deepEqual(got.channels, { existing: 1, to_create: 0, skipped: 1, failed: 0 });
      assert.deepEqual(got.missing_variables, [{ variable: 'receiver.name', targets: 2 }]);
      assert.deepEqual(got.samples.map((s) => [s.target_id, s.text, s.skipped, s.missing_variables]), [
        [`team:${p}-gone`, null, 'channel_missing', ['receiver.name']],
        [`team:${p}-live`, 'news ', undefined, ['receiver.name']],
      ]);
      await raw('POST', `/campaigns/${id}/start`, {});
      await completed(id);
      assert.deepEqual(await ledgerCounts(h.database, id), { sent: 1, skipped: 1 });
      assert.equal(await sentText(id, `team:${p}-live`), 'news ');
    });

    it('estimates total ÷ the smallest of the throttles and the measured rate', async () => {
      const p = `pv${rand()}`;
      const users = [`${p}-a`, `${p}-b`, `${p}-c`];
      await h.chat.upsertUsers([{ id: `${p}-s` }, ...users.map((id) => ({ id }))]);
      // The oracle: messages a second of the campaign that completed last (the tests above sent some).
      const { rows } = await sql<{ sent: number; started: number; completed: number }>`select stats_messages_sent as sent,
        stats_started_at as started, stats_completed_at as completed from campaigns where status = 'completed' and stats_messages_sent > 0
        order by stats_completed_at desc limit 1`.execute(h.database.db);
      assert.equal(rows.length, 1, 'a campaign completed before');
      const measured = Number(rows[0].sent) / ((Number(rows[0].completed) - Number(rows[0].started)) / 1e6);
      const expected = (rate: number) => Math.ceil((3 / rate) * 1000) / 1000;

      const unthrottled = await campaign({ sender_id: `${p}-s`, user_ids: users, message_template: { text: 'x' } });
      assert.equal((await preview(unthrottled)).estimated_seconds, expected(measured));
      const throttled = await campaign({ sender_id: `${p}-s`, user_ids: users, max_messages_per_second: 2, message_template: { text: 'x' } });
      assert.equal((await preview(throttled)).estimated_seconds, expected(Math.min(2, measured)), 'the campaign\'s throttle');
      assert.equal((await raw('PATCH', '/api/v2/app', { campaign_max_messages_per_second: 1 })).status, 200);
      try {
        assert.equal((await preview(throttled)).estimated_seconds, expected(Math.min(1, measured)), 'the app-wide throttle');
      } finally {
        await raw('PATCH', '/api/v2/app', { campaign_max_messages_per_second: null });
      }
      assert.equal((await preview(throttled)).estimated_seconds, expected(Math.min(2, measured)), 'the app-wide throttle cleared');
    });

    it('answers the same through stream-chat\'s post and node-sdk\'s generic request', async () => {
      const p = `pv${rand()}`;
      await h.chat.upsertUsers([{ id: `${p}-s` }, { id: `${p}-a`, first_name: 'A' }, { id: `${p}-b` }]);
      const id = await campaign({ sender_id: `${p}-s`, user_ids: [`${p}-a`, `${p}-b`], message_template: { text: 'Hey {{ receiver.first_name }}' } });
      const rawAnswer = await preview(id, { sample: 2 });
      const chat = await h.chat.post<{ preview: Preview; duration: string }>(`${h.chat.baseURL}/campaigns/${id}/preview`, { sample: 2 });
      assert.deepEqual(chat.preview, rawAnswer);
      assert.ok(chat.duration);
      const node = await h.node.chat.apiClient.sendRequest<{ preview: Preview }>('POST', '/api/v2/chat/campaigns/{id}/preview', { id }, undefined, { sample: 2 });
      assert.equal(node.metadata.responseCode, 200);
      assert.deepEqual(node.body.preview, rawAnswer);
      assert.deepEqual(rawAnswer.samples.map((s) => s.text), ['Hey A', 'Hey ']);
      // `null`, as Ruby posts it, is an empty request.
      const nullBody = await rawCall(h.baseURL, 'POST', `/campaigns/${id}/preview`, { body: 'null' });
      assert.equal(nullBody.status, 200, nullBody.text);
      assert.equal(nullBody.body.preview.samples.length, 2);
    });
  });
}
