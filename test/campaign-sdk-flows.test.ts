import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { backends } from './support/backends.js';
import { startHerald, type RunningHerald } from './support/herald-server.js';
import { json, rawCall, type RawAnswer } from './support/raw-client.js';
import { assertIntegerTimes, assertRawError, isoWithOffset, RFC3339_MICROS, streamError } from './support/stream-assertions.js';

/**
 * Every official SDK flow of contract section 9, re-enacted against a real Herald through the
 * SDKs or, where a flow asserts exact status codes or bodies, raw HTTP. The read paths and
 * state rules beyond these flows are in campaign-queries-and-states.test.ts.
 */
const HOUR = 3_600_000;
const rand = () => randomUUID().slice(0, 8);

for (const { backend, skip } of await backends()) {
  describe(`campaign SDK flows on ${backend.name}`, { skip }, () => {
    let h: RunningHerald;
    const raw = (method: string, path: string, body?: unknown): Promise<RawAnswer> =>
      rawCall(h.baseURL, method, path, body === undefined ? {} : { body: json(body) });
    /** Ruby's spec: two fresh users per example; the first is the sender. */
    const twoUsers = async () => {
      const ids = [`rb-${rand()}`, `rb-${rand()}`];
      await h.chat.upsertUsers(ids.map((id) => ({ id, name: id })));
      return ids;
    };

    before(async () => {
      h = await startHerald(backend);
    });
    after(async () => h?.close());

    describe('Ruby campaign_spec (9.1), exact status codes on the legacy paths', () => {
      const template = { text: 'Hello' };

      it('creates without an id, merging create data', async () => {
        const [sender, receiver] = await twoUsers();
        const created = await raw('POST', '/campaigns', { message_template: template, sender_id: sender, user_ids: [receiver], name: 'created name' });
        assert.equal(created.status, 201, created.text);
        assert.ok(created.body.campaign.id);
        assert.equal(created.body.campaign.name, 'created name');
        assert.equal(created.body.campaign.status, 'draft');
        assert.equal((await raw('DELETE', `/campaigns/${created.body.campaign.id}`)).status, 200);
      });

      it('CRUD: create 201, get 200, full update 201 wrapped in campaign, delete 200', async () => {
        const [sender, receiver] = await twoUsers();
        const body = { message_template: template, sender_id: sender, user_ids: [receiver], name: 'created name' };
        const created = await raw('POST', '/campaigns', body);
        assert.equal(created.status, 201);
        const id = created.body.campaign.id;
        const got = await raw('GET', `/campaigns/${id}`);
        assert.equal(got.status, 200);
        assert.equal(got.body.campaign.name, 'created name');
        const updated = await raw('PUT', `/campaigns/${id}`, { ...body, name: 'updated_name' });
        assert.equal(updated.status, 201, updated.text);
        assert.equal(updated.body.campaign.name, 'updated_name');
        assert.equal((await raw('DELETE', `/campaigns/${id}?gdpr=true`)).status, 200, 'unknown options in the query are ignored');
        assertRawError(await raw('GET', `/campaigns/${id}`), 404, 16, /GetCampaign failed with error/);
      });

      it('start with scheduled_for and stop_at 201, stop with the literal body null 201', async () => {
        const [sender, receiver] = await twoUsers();
        const id = (await raw('POST', '/campaigns', { message_template: template, sender_id: sender, user_ids: [receiver], name: 'timed' })).body.campaign.id;
        const scheduledFor = new Date(Date.now() + HOUR).toISOString();
        const started = await raw('POST', `/campaigns/${id}/start`, { scheduled_for: scheduledFor, stop_at: new Date(Date.now() + 2 * HOUR).toISOString() });
        assert.equal(started.status, 201, started.text);
        assert.equal(started.body.campaign.id, id);
        assert.equal(started.body.campaign.name, 'timed');
        assert.equal(started.body.campaign.status, 'scheduled');
        const stopped = await rawCall(h.baseURL, 'POST', `/campaigns/${id}/stop`, { body: 'null' });
        assert.equal(stopped.status, 201, stopped.text);
        assert.equal(stopped.body.campaign.id, id);
        assert.equal(stopped.body.campaign.name, 'timed');
        assert.equal(stopped.body.campaign.status, 'stopped');
        assert.equal((await raw('DELETE', `/campaigns/${id}`)).status, 200);
      });

      it('query by id with sort created_at desc: 201 and the campaign', async () => {
        const [sender, receiver] = await twoUsers();
        const id = (await raw('POST', '/campaigns', { message_template: template, sender_id: sender, user_ids: [receiver] })).body.campaign.id;
        const found = await raw('POST', '/campaigns/query', { filter: { id: { $eq: id } }, sort: [{ field: 'created_at', direction: -1 }], limit: 10 });
        assert.equal(found.status, 201, found.text);
        assert.deepEqual(found.body.campaigns.map((c: { id: string }) => c.id), [id]);
        assert.equal((await raw('DELETE', `/campaigns/${id}`)).status, 200);
      });

      it('client methods: get 200, update 201, start now with {} 201, stop right after 201, delete 200', async () => {
        const [sender, receiver] = await twoUsers();
        const id = (await raw('POST', '/campaigns', { message_template: template, sender_id: sender, user_ids: [receiver] })).body.campaign.id;
        const got = await raw('GET', `/campaigns/${id}`);
        assert.equal(got.status, 200);
        assert.equal(got.body.campaign.id, id);
        const updated = await raw('PUT', `/campaigns/${id}`, { message_template: template, sender_id: sender, user_ids: [receiver], name: 'updated via client' });
        assert.equal(updated.status, 201);
        assert.equal(updated.body.campaign.name, 'updated via client');
        const started = await raw('POST', `/campaigns/${id}/start`, {});
        assert.equal(started.status, 201, started.text);
        const stopped = await raw('POST', `/campaigns/${id}/stop`);
        assert.equal(stopped.status, 201, stopped.text);
        assert.ok(['stopped', 'completed'].includes(stopped.body.campaign.status), stopped.body.campaign.status);
        assert.equal((await raw('DELETE', `/campaigns/${id}`)).status, 200);
      });
    });

    describe('Java CampaignTest (9.2)', () => {
      let users: string[];
      before(async () => {
        users = Array.from({ length: 4 }, () => `jv-${rand()}`);
        await h.chat.upsertUsers(users.map((id) => ({ id })));
        const listed = await h.chat.queryUsers({ id: { $in: users } });
        assert.equal(listed.users.filter((u) => !u.deleted_at).length, 4);
        const channel = h.chat.channel('team', `jv-${rand()}`, { members: users, created_by_id: users[0] });
        await channel.create();
        await channel.sendMessage({ text: 'hello', user_id: users[0] });
      });
      const create = (name?: string) =>
        h.chat.createCampaign({ sender_id: users[0], user_ids: [users[1]], message_template: { text: 'Hello' }, ...(name && { name }) });

      it('create, then CRUD with a full update', async () => {
        const { campaign } = await create('java');
        assert.equal(campaign.name, 'java');
        assert.ok(campaign.id);
        const got = await h.chat.getCampaign(campaign.id);
        assert.deepEqual([got.campaign.id, got.campaign.name], [campaign.id, 'java']);
        const updated = await h.chat.updateCampaign(campaign.id, { name: 'java2', sender_id: users[0], user_ids: [users[1]], message_template: { text: 'Hello' } });
        assert.equal(updated.campaign.name, 'java2');
        await h.chat.deleteCampaign(campaign.id);
      });

      it('start with +00:00 times answers a non-null scheduled_for; stop without a body answers the campaign', async () => {
        const { campaign } = await create();
        const scheduledFor = isoWithOffset(HOUR);
        const started = await raw('POST', `/campaigns/${campaign.id}/start`, { scheduled_for: scheduledFor, stop_at: isoWithOffset(2 * HOUR) });
        assert.equal(started.status, 201, started.text);
        assert.match(started.body.campaign.scheduled_for, RFC3339_MICROS);
        assert.equal(Date.parse(started.body.campaign.scheduled_for), Date.parse(scheduledFor));
        assert.match(started.body.campaign.stop_at, RFC3339_MICROS);
        // Java posts no body and no content type.
        const stopped = await rawCall(h.baseURL, 'POST', `/campaigns/${campaign.id}/stop`, { headers: { 'stream-auth-type': 'jwt' } });
        assert.equal(stopped.status, 201, stopped.text);
        assert.equal(stopped.body.campaign.id, campaign.id);
        await h.chat.deleteCampaign(campaign.id);
      });

      it('query by id, sort created_at desc, limit 10, with the offset field Java also sends', async () => {
        const { campaign } = await create();
        const found = await raw('POST', '/campaigns/query', { filter: { id: { $eq: campaign.id } }, sort: [{ field: 'created_at', direction: -1 }], limit: 10, offset: 0 });
        assert.equal(found.status, 201, found.text);
        assert.deepEqual(found.body.campaigns.map((c: { id: string }) => c.id), [campaign.id]);
        await h.chat.deleteCampaign(campaign.id);
      });

      it('create without an id generates one', async () => {
        const { campaign } = await create();
        assert.match(campaign.id, /^[0-9a-f-]{36}$/);
        await h.chat.deleteCampaign(campaign.id);
      });
    });

    it('getstream-go segment and campaign integration (9.3) on /api/v2 paths, every time an integer', async () => {
      const sender = `go-s-${rand()}`;
      const target = `go-t-${rand()}`;
      const seg = `test-segment-${rand()}`;
      const calls: Array<[string, RawAnswer]> = [];
      const call = async (method: string, path: string, body?: unknown, want = 201) => {
        const answer = await raw(method, path, body);
        assert.equal(answer.status, want, `${method} ${path}: ${answer.text}`);
        calls.push([path, answer]);
        return answer;
      };
      await call('POST', '/api/v2/users', { users: { [sender]: { id: sender }, [target]: { id: target } } });
      const segment = await call('POST', '/api/v2/chat/segments', { type: 'user', id: seg, name: 'integration test segment' });
      assert.equal(segment.body.segment.id, seg);
      await call('POST', `/api/v2/chat/segments/${seg}/addtargets`, { target_ids: [target] });
      await call('GET', `/api/v2/chat/segments/${seg}/target/${target}`, undefined, 200);
      const described = await call('PUT', `/api/v2/chat/segments/${seg}`, { description: 'updated description' });
      assert.equal(described.body.segment.description, 'updated description');
      assert.equal(described.body.segment.name, 'integration test segment');
      const created = await call('POST', '/api/v2/chat/campaigns', {
        sender_id: sender,
        segment_ids: [seg],
        create_channels: true,
        message_template: { text: 'hello from integration test' },
        channel_template: { type: 'messaging', id: '{{receiver.id}}-{{sender.id}}' },
      });
      const id = created.body.campaign.id;
      assert.ok(id);
      assert.deepEqual(created.body.campaign.segments.map((s: { id: string }) => s.id), [seg]);
      // time.Time marshalled by Go: RFC3339Nano, nine fraction digits.
      const scheduledFor = new Date(Date.now() + HOUR).toISOString().replace('Z', '123456Z');
      const started = await call('POST', `/api/v2/chat/campaigns/${id}/start`, { scheduled_for: scheduledFor });
      assert.equal(started.body.campaign.status, 'scheduled');
      // From the raw text: JSON.parse would round a 19-digit integer to a double.
      const echoed = /"scheduled_for":(\d{19})/.exec(started.text)?.[1];
      assert.equal(BigInt(echoed ?? 0), (BigInt(Date.parse(scheduledFor)) * 1000n + 123n) * 1000n, 'micro precision, as nanoseconds');
      const stopped = await call('POST', `/api/v2/chat/campaigns/${id}/stop`, {});
      assert.equal(stopped.body.status, 'stopped', 'the generated client reads a bare CampaignResponse');
      await call('GET', `/api/v2/chat/campaigns/${id}`, undefined, 200);
      await call('DELETE', `/api/v2/chat/campaigns/${id}`, undefined, 200);
      await call('DELETE', `/api/v2/chat/segments/${seg}`, undefined, 200);
      await call('POST', '/api/v2/users/delete', { user_ids: [sender, target], user: 'hard' });

      let times = 0;
      for (const [path, answer] of calls) {
        try {
          times += assertIntegerTimes(answer.text);
        } catch (e) {
          assert.fail(`${path}: ${(e as Error).message}`);
        }
      }
      assert.ok(times > 30, `checked ${times} time fields`);
    });

    it('node-sdk: create, get, update, start, stop, query and delete on /api/v2/chat', async () => {
      await h.chat.upsertUsers([{ id: 'nd-s' }, { id: 'nd-r' }]);
      const created = await h.node.chat.createCampaign({ sender_id: 'nd-s', user_ids: ['nd-r'], message_template: { text: 'Hi {{ receiver.id }}' }, name: 'node' });
      assert.equal(created.metadata.responseCode, 201);
      const id = created.campaign!.id;
      assert.ok(created.campaign!.created_at instanceof Date);
      assert.deepEqual(created.campaign!.users.map((u) => u.id), ['nd-r']);
      const got = await h.node.chat.getCampaign({ id, limit: 10 });
      assert.equal(got.campaign?.sender?.id, 'nd-s');
      const updated = await h.node.chat.updateCampaign({ id, sender_id: 'nd-s', message_template: { text: 'Hello' }, name: 'node2' });
      assert.equal(updated.name, 'node2', 'the bare CampaignResponse fields are at the top level');
      assert.equal((updated as unknown as { campaign: { name: string } }).campaign.name, 'node2');
      const started = await h.node.chat.startCampaign({ id, scheduled_for: new Date(Date.now() + HOUR), stop_at: new Date(Date.now() + 2 * HOUR) });
      assert.equal(started.campaign?.status, 'scheduled');
      assert.ok(started.campaign?.scheduled_for instanceof Date);
      const stopped = await h.node.chat.stopCampaign({ id });
      assert.equal(stopped.status, 'stopped');
      assert.ok(stopped.updated_at instanceof Date);
      const queried = await h.node.chat.queryCampaigns({ filter: { id }, user_limit: 1 });
      assert.deepEqual(queried.campaigns.map((c) => c.id), [id]);
      assert.equal((await h.node.chat.deleteCampaign({ id })).metadata.responseCode, 200);
      await assert.rejects(h.node.chat.getCampaign({ id }), streamError(16, 404, /GetCampaign/));
    });

    describe('Python flows (9.4) on the legacy paths', () => {
      it('test_segment CRUD: create without id, get, update name and description, delete', async () => {
        const created = await raw('POST', '/segments', { type: 'user', name: 'py segment', description: 'py' });
        assert.equal(created.status, 201);
        const id = created.body.segment.id;
        assert.ok(id);
        assert.equal(created.body.segment.name, 'py segment');
        assert.equal((await h.chat.getSegment(id)).segment.name, 'py segment');
        const updated = await h.chat.updateSegment(id, { name: 'updated_name', description: 'updated_description' });
        assert.deepEqual([updated.segment.name, updated.segment.description], ['updated_name', 'updated_description']);
        await h.chat.deleteSegment(id);
      });

      it('test_segment targets: empty segment has a name, 10 targets, paged query, cursor reused across filters', async () => {
        const created = await raw('POST', '/segments', { type: 'user' });
        const id = created.body.segment.id;
        assert.ok('name' in created.body.segment);
        const targets = Array.from({ length: 10 }, () => randomUUID());
        await h.chat.addSegmentTargets(id, targets);
        await h.chat.segmentTargetExists(id, targets[0]);
        const first = await h.chat.querySegmentTargets(id, {}, [], { limit: 3 });
        assert.equal(first.targets.length, 3);
        assert.ok(first.next);
        const userId = randomUUID();
        const reused = await h.chat.querySegmentTargets(id, { target_id: { $lte: userId } }, [{ field: 'target_id', direction: -1 }], { limit: 3, next: first.next });
        const got = reused.targets.map((t) => t.target_id);
        // Upstream calls this flaky by design; what must hold is that the answer obeys filter and sort.
        assert.ok(got.length <= 3);
        assert.ok(got.every((t) => t <= userId));
        assert.deepEqual(got, [...got].sort().reverse());
        await h.chat.removeSegmentTargets(id, targets);
        assert.equal((await h.chat.getSegment(id)).segment.size, 0);
        await h.chat.deleteSegment(id);
      });

      it('test_segment query: exactly one segment by id', async () => {
        const { segment } = await h.chat.createUserSegment(null, { name: 'py query' });
        const targets = Array.from({ length: 10 }, () => randomUUID());
        await h.chat.addSegmentTargets(segment.id, targets);
        const found = await h.chat.querySegments({ id: { $eq: segment.id } }, [{ field: 'created_at', direction: -1 }]);
        assert.deepEqual(found.segments.map((s) => s.id), [segment.id]);
        assert.equal(found.segments[0].size, 10);
        await h.chat.removeSegmentTargets(segment.id, targets);
        await h.chat.deleteSegment(segment.id);
      });

      it('test_campaign CRUD over an empty segment, with create data merged', async () => {
        const [sender] = await twoUsers();
        const { segment } = await h.chat.createUserSegment(null);
        const created = await raw('POST', '/campaigns', { message_template: { text: '{Hello}' }, segment_ids: [segment.id], sender_id: sender, name: 'created name' });
        assert.equal(created.status, 201, created.text);
        const id = created.body.campaign.id;
        assert.equal(created.body.campaign.name, 'created name');
        assert.equal((await h.chat.getCampaign(id)).campaign.name, 'created name');
        const updated = await raw('PUT', `/campaigns/${id}`, { message_template: { text: '{Hello}' }, segment_ids: [segment.id], sender_id: sender, name: 'updated_name' });
        assert.equal(updated.body.campaign.name, 'updated_name');
        await h.chat.deleteCampaign(id);
        await h.chat.deleteSegment(segment.id);
      });

      it('test_campaign start/stop with isoformat() times and a {} stop body', async () => {
        const [sender] = await twoUsers();
        const { segment } = await h.chat.createUserSegment(null);
        await h.chat.addSegmentTargets(segment.id, [sender]);
        const { campaign } = await h.chat.createCampaign({ message_template: { text: 'Hi' }, segment_ids: [segment.id], sender_id: sender, name: 'py start' });
        // Python's isoformat(): microseconds and +00:00.
        const iso = (ms: number) => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1456+00:00');
        const started = await raw('POST', `/campaigns/${campaign.id}/start`, { scheduled_for: iso(Date.now() + HOUR), stop_at: iso(Date.now() + 2 * HOUR) });
        assert.equal(started.status, 201, started.text);
        assert.deepEqual([started.body.campaign.id, started.body.campaign.name], [campaign.id, 'py start']);
        assert.match(started.body.campaign.scheduled_for, /\.\d{3}456Z$/, 'microseconds are kept');
        const stopped = await raw('POST', `/campaigns/${campaign.id}/stop`, {});
        assert.deepEqual([stopped.body.campaign.id, stopped.body.campaign.name], [campaign.id, 'py start']);
        await h.chat.deleteCampaign(campaign.id);
        await h.chat.deleteSegment(segment.id);
      });

      it('test_campaign query: exactly one by id', async () => {
        const [sender] = await twoUsers();
        const { segment } = await h.chat.createUserSegment(null);
        await h.chat.addSegmentTargets(segment.id, [sender]);
        const { campaign } = await h.chat.createCampaign({ message_template: { text: 'Hi' }, segment_ids: [segment.id], sender_id: sender });
        const found = await h.chat.queryCampaigns({ id: { $eq: campaign.id } }, [{ field: 'created_at', direction: -1 }], { limit: 10 });
        assert.deepEqual(found.campaigns.map((c) => c.id), [campaign.id]);
        await h.chat.deleteCampaign(campaign.id);
        await h.chat.deleteSegment(segment.id);
      });
    });
  });
}
