import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { backends } from './support/backends.js';
import { startHerald, type RunningHerald } from './support/herald-server.js';
import { json, rawCall, type RawAnswer } from './support/raw-client.js';
import { assertIntegerTimes, assertRawError, RFC3339_MICROS, streamError } from './support/stream-assertions.js';

/**
 * The campaign read paths and state rules beyond the SDKs' own flows (campaign-sdk-flows):
 * paging campaign.users, query filters/sort/paging/user_limit, update and delete by status,
 * idempotent stop, and the update/stop response shape of contract 2.7.
 */
const HOUR = 3_600_000;

for (const { backend, skip } of await backends()) {
  describe(`campaign queries and state rules on ${backend.name}`, { skip }, () => {
    let h: RunningHerald;
    const raw = (method: string, path: string, body?: unknown): Promise<RawAnswer> =>
      rawCall(h.baseURL, method, path, body === undefined ? {} : { body: json(body) });
    const many = Array.from({ length: 2_500 }, (_, i) => `pg-${String(i).padStart(4, '0')}`);
    before(async () => {
      h = await startHerald(backend);
      await h.chat.upsertUsers([{ id: 'st-s', name: 'Sender' }, { id: 'st-r' }, { id: 'st-q' }]);
      // Stream takes 100 users an upsert; the order of user_ids is not the id order on purpose.
      for (let i = 0; i < many.length; i += 100) await h.chat.upsertUsers(many.slice(i, i + 100).map((id) => ({ id })));
    });
    after(async () => h?.close());
    const draft = (extra: Record<string, unknown> = {}) =>
      h.chat.createCampaign({ sender_id: 'st-s', user_ids: ['st-r'], message_template: { text: 'Hi' }, ...extra }).then((r) => r.campaign);

    it('get pages campaign.users: at most 1,000, next and prev, in user_ids order', async () => {
      const userIds = [...many].reverse();
      const { campaign } = await h.chat.createCampaign({ id: 'paged', sender_id: 'st-s', user_ids: userIds, message_template: { text: 'Hi' } });
      assert.equal(campaign.users.length, 100, 'create answers the first page at the default size');
      const pages: string[][] = [];
      let cursor: string | undefined;
      let last: Awaited<ReturnType<typeof h.chat.getCampaign>> | undefined;
      do {
        last = await h.chat.getCampaign('paged', { users: { limit: 1000, next: cursor } });
        pages.push(last.campaign.users.map((u) => u.id));
        cursor = last.users.next;
      } while (cursor);
      assert.deepEqual(pages.map((p) => p.length), [1000, 1000, 500]);
      assert.deepEqual(pages.flat(), userIds);
      const back = await h.chat.getCampaign('paged', { users: { limit: 1000, prev: last.users.prev } });
      assert.deepEqual(back.campaign.users.map((u) => u.id), userIds.slice(1000, 2000));
      const first = await h.node.chat.getCampaign({ id: 'paged', limit: 1000, prev: back.users.prev });
      assert.deepEqual(first.campaign?.users.map((u) => u.id), userIds.slice(0, 1000));
      assert.equal(first.users?.prev, undefined, 'the first page has no prev');
      assertRawError(await raw('GET', '/campaigns/paged?limit=1001'), 400, 4, /limit/);
      assertRawError(await raw('GET', '/campaigns/paged?next=garbage'), 400, 4, /next/);
    });

    it('query: filter on id, name, sender_id, status, created_at, updated_at, segments; sort; next/prev; user_limit', async () => {
      await h.chat.createUserSegment('qseg-a');
      await h.chat.createUserSegment('qseg-b');
      const made = [
        await draft({ id: 'qc-1', name: 'alpha', user_ids: ['st-r', 'st-q', 'st-s'] }),
        await draft({ id: 'qc-2', name: 'bravo', sender_id: 'st-r' }),
        await draft({ id: 'qc-3', name: 'charlie', user_ids: [], segment_ids: ['qseg-a'] }),
        await draft({ id: 'qc-4', name: 'delta', user_ids: [], segment_ids: ['qseg-a', 'qseg-b'] }),
        await draft({ id: 'qc-5', name: 'echo' }),
      ];
      await h.chat.startCampaign('qc-5', { scheduledFor: new Date(Date.now() + HOUR).toISOString() });
      await h.chat.startCampaign('qc-2', { scheduledFor: new Date(Date.now() + HOUR).toISOString() });
      await h.chat.stopCampaign('qc-2');
      const qc5 = (await h.chat.getCampaign('qc-5')).campaign;
      const mine = { id: { $gt: 'qc-', $lt: 'qc-~' } };
      const q = async (filter: Record<string, unknown>, sort = [{ field: 'id', direction: 1 }]) =>
        (await h.chat.queryCampaigns({ $and: [mine, filter] }, sort, { limit: 100 })).campaigns.map((c) => c.id);

      assert.deepEqual(await q({}), ['qc-1', 'qc-2', 'qc-3', 'qc-4', 'qc-5']);
      assert.deepEqual(await q({ id: 'qc-3' }), ['qc-3']);
      assert.deepEqual(await q({ id: { $in: ['qc-1', 'qc-4', 'x'] } }), ['qc-1', 'qc-4']);
      assert.deepEqual(await q({ name: { $gte: 'charlie', $lt: 'echo' } }), ['qc-3', 'qc-4']);
      assert.deepEqual(await q({ name: { $lte: 'bravo' } }), ['qc-1', 'qc-2']);
      assert.deepEqual(await q({ sender_id: 'st-r' }), ['qc-2']);
      assert.deepEqual(await q({ sender_id: { $in: ['st-s'] } }), ['qc-1', 'qc-3', 'qc-4', 'qc-5']);
      assert.deepEqual(await q({ status: 'scheduled' }), ['qc-5']);
      assert.deepEqual(await q({ status: { $in: ['stopped', 'scheduled'] } }), ['qc-2', 'qc-5']);
      assert.deepEqual(await q({ status: { $exists: true }, name: { $gt: 'd' } }), ['qc-4', 'qc-5']);
      assert.deepEqual(await q({ created_at: { $gte: made[3].created_at } }), ['qc-4', 'qc-5']);
      assert.deepEqual(await q({ created_at: { $lt: made[1].created_at } }), ['qc-1']);
      assert.deepEqual(await q({ updated_at: { $gte: qc5.updated_at } }), ['qc-2', 'qc-5']);
      assert.deepEqual(await q({ updated_at: { $lte: made[0].updated_at } }), ['qc-1']);
      assert.deepEqual(await q({ segments: { $contains: 'qseg-b' } }), ['qc-4']);
      assert.deepEqual(await q({ segments: { $in: ['qseg-a', 'zzz'] } }), ['qc-3', 'qc-4']);
      assert.deepEqual(await q({ segments: 'qseg-a' }), ['qc-3', 'qc-4']);
      assert.deepEqual(await q({}, [{ field: 'name', direction: -1 }]), ['qc-5', 'qc-4', 'qc-3', 'qc-2', 'qc-1']);
      assert.deepEqual(await q({}, [{ field: 'created_at', direction: -1 }]), ['qc-5', 'qc-4', 'qc-3', 'qc-2', 'qc-1']);
      assert.deepEqual(await q({}, [{ field: 'updated_at', direction: 1 }]), ['qc-1', 'qc-3', 'qc-4', 'qc-5', 'qc-2']);
      await assert.rejects(h.chat.queryCampaigns({ segments: { $gt: 'a' } }), streamError(4, 400, /segments/));
      await assert.rejects(h.chat.queryCampaigns({ message_template: 'x' }), streamError(4, 400, /message_template/));

      const sort = [{ field: 'name', direction: 1 }];
      const p1 = await h.chat.queryCampaigns(mine, sort, { limit: 2 });
      const p2 = await h.chat.queryCampaigns(mine, sort, { limit: 2, next: p1.next });
      const p3 = await h.chat.queryCampaigns(mine, sort, { limit: 2, next: p2.next });
      assert.deepEqual([p1, p2, p3].map((p) => p.campaigns.map((c) => c.id)), [['qc-1', 'qc-2'], ['qc-3', 'qc-4'], ['qc-5']]);
      assert.equal(p1.prev, undefined);
      assert.equal(p3.next, undefined);
      const back = await h.chat.queryCampaigns(mine, sort, { limit: 2, prev: p3.prev });
      assert.deepEqual(back.campaigns.map((c) => c.id), ['qc-3', 'qc-4']);

      const limited = await h.chat.queryCampaigns({ id: 'qc-1' }, [], { user_limit: 2 });
      assert.deepEqual(limited.campaigns[0].users.map((u) => u.id), ['st-r', 'st-q']);
      assert.deepEqual(limited.campaigns[0].user_ids, ['st-r', 'st-q', 'st-s']);
      await assert.rejects(h.chat.queryCampaigns({}, [], { user_limit: 1001 }), streamError(4, 400, /user_limit/));
      await assert.rejects(h.chat.queryCampaigns({}, [], { limit: 101 }), streamError(4, 400, /limit/));
    });

    it('update merges given fields in draft, scheduled and stopped, and is refused in progress', async () => {
      const c = await draft({ name: 'before', description: 'kept', channel_template: { type: 'messaging' }, create_channels: true });
      const renamed = await h.chat.updateCampaign(c.id, { name: 'after' });
      assert.deepEqual([renamed.campaign.name, renamed.campaign.description], ['after', 'kept'], 'a partial body merges');
      assert.equal(renamed.campaign.create_channels, true);
      assert.deepEqual(renamed.campaign.user_ids, ['st-r']);
      await h.chat.createUserSegment('upd-seg');
      const switched = await h.chat.updateCampaign(c.id, { segment_ids: ['upd-seg'] });
      assert.deepEqual([switched.campaign.segment_ids, switched.campaign.user_ids], [['upd-seg'], []], 'one audience replaces the other');

      await h.chat.startCampaign(c.id, { scheduledFor: new Date(Date.now() + HOUR).toISOString() });
      assert.equal((await h.chat.updateCampaign(c.id, { name: 'scheduled edit' })).campaign.status, 'scheduled');
      await h.chat.stopCampaign(c.id);
      const stoppedEdit = await h.chat.updateCampaign(c.id, { name: 'stopped edit' });
      assert.deepEqual([stoppedEdit.campaign.name, stoppedEdit.campaign.status], ['stopped edit', 'stopped']);

      const running = await draft({ name: 'running' });
      const started = await h.chat.startCampaign(running.id);
      assert.ok(['in_progress', 'completed'].includes(started.campaign.status), started.campaign.status);
      await assert.rejects(h.chat.updateCampaign(running.id, { name: 'nope' }), streamError(4, 400, /cannot be updated while (in_progress|completed)/));
      assert.equal((await h.chat.getCampaign(running.id)).campaign.name, 'running');
      await assert.rejects(h.chat.updateCampaign('no-such-campaign', { name: 'x' }), streamError(16, 404, /UpdateCampaign/));
    });

    it('delete in draft, scheduled and stopped; 404 afterwards and for unknown ids', async () => {
      const a = await draft();
      const b = await draft();
      const c = await draft();
      await h.chat.startCampaign(b.id, { scheduledFor: new Date(Date.now() + HOUR).toISOString() });
      await h.chat.startCampaign(c.id, { scheduledFor: new Date(Date.now() + HOUR).toISOString() });
      await h.chat.stopCampaign(c.id);
      for (const id of [a.id, b.id, c.id]) {
        assert.equal((await raw('DELETE', `/campaigns/${id}`)).status, 200);
        assertRawError(await raw('GET', `/campaigns/${id}`), 404, 16);
      }
      assertRawError(await raw('DELETE', `/campaigns/${a.id}`), 404, 16, /DeleteCampaign failed/);
      assertRawError(await raw('DELETE', '/api/v2/chat/campaigns/never'), 404, 16);
    });

    it('a stop that races an update stays stopped, and the update still applies', async () => {
      for (let i = 0; i < 30; i++) {
        const c = await draft();
        await h.chat.startCampaign(c.id, { scheduledFor: new Date(Date.now() + HOUR).toISOString() });
        const [updated, stopped] = await Promise.all([h.chat.updateCampaign(c.id, { name: `race ${i}` }), h.chat.stopCampaign(c.id)]);
        assert.equal(stopped.campaign.status, 'stopped');
        const now = (await h.chat.getCampaign(c.id)).campaign;
        assert.deepEqual([now.status, now.name], ['stopped', `race ${i}`], `round ${i}: a stop answered 201 must hold`);
        assert.equal(updated.campaign.name, `race ${i}`);
      }
    });

    it('stop is idempotent: twice 201, the campaign unchanged; a draft cannot be stopped', async () => {
      const c = await draft();
      await assert.rejects(h.chat.stopCampaign(c.id), streamError(4, 400, /never started/));
      await h.chat.startCampaign(c.id, { scheduledFor: new Date(Date.now() + HOUR).toISOString() });
      const once = await raw('POST', `/campaigns/${c.id}/stop`);
      const twice = await raw('POST', `/campaigns/${c.id}/stop`);
      assert.deepEqual([once.status, twice.status], [201, 201]);
      assert.equal(once.body.campaign.status, 'stopped');
      assert.deepEqual(twice.body.campaign, once.body.campaign);
      assertRawError(await raw('POST', '/campaigns/never/stop'), 404, 16, /StopCampaign failed/);
    });

    it('serves a campaign id of 255 characters in paths', async () => {
      const id = 'c'.repeat(255);
      assert.equal((await draft({ id })).id, id);
      assert.equal((await h.chat.getCampaign(id)).campaign.id, id);
      await h.chat.deleteCampaign(id);
    });

    it('update and stop answer the campaign wrapped and at the top level, on both families', async () => {
      const c = await draft({ name: 'shape' });
      for (const prefix of ['', '/api/v2/chat']) {
        const updated = await raw('PUT', `${prefix}/campaigns/${c.id}`, { name: `shape${prefix.length}` });
        await h.chat.startCampaign(c.id, { scheduledFor: new Date(Date.now() + HOUR).toISOString() });
        const stopped = await raw('POST', `${prefix}/campaigns/${c.id}/stop`, {});
        for (const answer of [updated, stopped]) {
          assert.equal(answer.status, 201, answer.text);
          const { campaign, users, duration, ...top } = answer.body;
          assert.equal(campaign.id, c.id);
          assert.equal(typeof duration, 'string');
          assert.ok(users && !Array.isArray(users), 'top-level users is the pager');
          const { users: _pageOfUsers, ...fields } = campaign;
          assert.deepEqual(top, fields, 'every campaign field is copied beside the wrapper');
          if (prefix) assert.ok(assertIntegerTimes(answer.text) >= 10);
          else assert.match(top.created_at, RFC3339_MICROS);
        }
      }
    });
  });
}
