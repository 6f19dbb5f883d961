import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { backends } from './support/backends.js';
import { startHerald, type RunningHerald } from './support/herald-server.js';
import { json, rawCall } from './support/raw-client.js';
import { assertIntegerTimes, assertRawError, pollUntil, RFC3339_MICROS, streamError } from './support/stream-assertions.js';

/**
 * The nine segment endpoints (contract section 3) through both SDKs: stream-chat on the legacy
 * root paths, @stream-io/node-sdk on /api/v2/chat.
 */
const people = [
  { id: 'ann', country: 'NL', age: 31 },
  { id: 'bob', country: 'US', age: 25 },
  { id: 'cyd', country: 'NL', age: 40 },
  { id: 'dee', country: 'DE', age: 52 },
  { id: 'eve', country: 'NL', age: 19 },
];
const countryOf = (c: string) => people.filter((p) => p.country === c).length;
/** Herald's addition to the segment object: when `size` was last computed. */
const computedAt = (segment: object) => (segment as { size_computed_at?: unknown }).size_computed_at;

for (const { backend, skip } of await backends()) {
  describe(`segments through the SDKs on ${backend.name}`, { skip }, () => {
    let h: RunningHerald;
    const raw = (method: string, path: string, body?: unknown) =>
      rawCall(h.baseURL, method, path, body === undefined ? {} : { body: json(body) });
    const sized = (id: string) =>
      pollUntil(() => h.chat.getSegment(id), (r) => computedAt(r.segment) !== null, `the size of ${id}`).then((r) => r.segment);

    before(async () => {
      h = await startHerald(backend);
      await h.chat.upsertUsers(people);
      await h.chat.channel('messaging', 'general', { created_by_id: 'ann', members: ['ann', 'bob'] }).create();
      await h.chat.channel('messaging', 'random', { created_by_id: 'bob', members: ['bob'] }).create();
      await h.chat.channel('team', 'blue', { created_by_id: 'cyd', members: ['cyd'] }).create();
    });
    after(async () => h?.close());

    it('stream-chat Segment object: create, get, targets, update, delete on the legacy paths', async () => {
      const segment = h.chat.segment('user', 'seg-a', { name: 'Group A', description: 'first' });
      const created = await segment.create();
      const s = created.segment as typeof created.segment & Record<string, unknown>;
      assert.equal(s.id, 'seg-a');
      assert.equal(s.type, 'user');
      assert.equal(s.name, 'Group A');
      assert.equal(s.description, 'first');
      assert.equal(s.filter, null);
      assert.equal(s.all_users, false);
      assert.equal(s.all_sender_channels, false);
      assert.equal(s.size, 0);
      assert.equal(s.deleted_at, null);
      assert.match(String(s.created_at), RFC3339_MICROS);
      assert.match(String(s.size_computed_at), RFC3339_MICROS, 'explicit targets are sized at once');

      await segment.addTargets(['ann', 'bob', 'cyd', 'ann']);
      assert.equal((await segment.get()).segment.size, 3, 'a repeated id is one target');
      await segment.targetExists('bob');
      await assert.rejects(segment.targetExists('zed'), streamError(16, 404, /SegmentTargetExists failed/));
      await segment.removeTargets(['bob', 'nobody']);
      assert.equal((await segment.get()).segment.size, 2, 'removing an absent target is no error');

      const targets = await segment.queryTargets();
      assert.deepEqual(targets.targets.map((t) => t.target_id), ['ann', 'cyd']);
      assert.equal(targets.targets[0].segment_id, 'seg-a');
      assert.match(String(targets.targets[0].created_at), RFC3339_MICROS);

      const updated = await segment.update({ name: 'Group A2' });
      assert.equal(updated.segment.name, 'Group A2');
      assert.equal(updated.segment.description, 'first', 'update is partial');
      assert.equal(updated.segment.size, 2);

      await segment.delete();
      await assert.rejects(segment.get(), streamError(16, 404, /GetSegment failed/));
    });

    it('stream-chat client methods: createUserSegment, createChannelSegment and the by-id calls', async () => {
      const user = await h.chat.createUserSegment(null, { name: 'no id given' });
      assert.ok(user.segment.id.length > 0, 'a null id is generated');
      const channel = await h.chat.createChannelSegment('seg-ch', { name: 'channels' });
      assert.equal(channel.segment.type, 'channel');

      await h.chat.addSegmentTargets('seg-ch', ['messaging:general', 'team:blue']);
      await h.chat.segmentTargetExists('seg-ch', 'team:blue');
      await h.chat.removeSegmentTargets('seg-ch', ['team:blue']);
      await assert.rejects(h.chat.segmentTargetExists('seg-ch', 'team:blue'), streamError(16, 404));
      await assert.rejects(h.chat.addSegmentTargets('seg-ch', ['no-colon']), streamError(4, 400));
      const page = await h.chat.querySegmentTargets('seg-ch', { target_id: { $eq: 'messaging:general' } });
      assert.deepEqual(page.targets.map((t) => t.target_id), ['messaging:general']);
      assert.equal((await h.chat.updateSegment('seg-ch', { description: 'd' })).segment.description, 'd');
      assert.equal((await h.chat.getSegment('seg-ch')).segment.size, 1);

      const found = await h.chat.querySegments({ id: { $in: [user.segment.id, 'seg-ch'] } }, [{ field: 'id', direction: 1 }]);
      assert.deepEqual(found.segments.map((s) => s.id), [user.segment.id, 'seg-ch'].sort());
      await h.chat.deleteSegment(user.segment.id);
      await h.chat.deleteSegment('seg-ch');
      await assert.rejects(h.chat.deleteSegment('seg-ch'), streamError(16, 404, /DeleteSegment failed/));
    });

    it('node-sdk: the nine endpoints on /api/v2/chat, with integer-nanosecond times', async () => {
      const created = await h.node.chat.createSegment({ type: 'user', id: 'v2-seg', name: 'v2', description: 'node' });
      assert.equal(created.metadata.responseCode, 201);
      assert.equal(created.segment?.id, 'v2-seg');
      assert.ok(created.segment?.created_at instanceof Date, 'node-sdk decodes v2 times into Dates');

      assert.equal((await h.node.chat.addSegmentTargets({ id: 'v2-seg', target_ids: ['ann', 'bob', 'dee'] })).metadata.responseCode, 201);
      assert.equal((await h.node.chat.segmentTargetExists({ id: 'v2-seg', target_id: 'dee' })).metadata.responseCode, 200);
      await assert.rejects(h.node.chat.segmentTargetExists({ id: 'v2-seg', target_id: 'cyd' }), streamError(16, 404));
      assert.equal((await h.node.chat.deleteSegmentTargets({ id: 'v2-seg', target_ids: ['bob'] })).metadata.responseCode, 201);

      const targets = await h.node.chat.querySegmentTargets({ id: 'v2-seg', sort: [{ field: 'target_id', direction: -1 }], limit: 10 });
      assert.deepEqual(targets.targets.map((t) => t.target_id), ['dee', 'ann']);
      assert.ok(targets.targets[0].created_at instanceof Date);

      const updated = await h.node.chat.updateSegment({ id: 'v2-seg', description: 'only the description' });
      assert.equal(updated.segment?.description, 'only the description');
      assert.equal(updated.segment?.name, 'v2');
      const got = await h.node.chat.getSegment({ id: 'v2-seg' });
      assert.equal(got.segment?.size, 2);
      const queried = await h.node.chat.querySegments({ filter: { id: 'v2-seg' } });
      assert.deepEqual(queried.segments.map((s) => s.id), ['v2-seg']);

      for (const [method, path, body] of [
        ['GET', '/api/v2/chat/segments/v2-seg', undefined],
        ['POST', '/api/v2/chat/segments/query', { filter: { id: 'v2-seg' } }],
        ['POST', '/api/v2/chat/segments/v2-seg/targets/query', {}],
        ['PUT', '/api/v2/chat/segments/v2-seg', { name: 'v2b' }],
      ] as const) {
        const answer = await raw(method, path, body);
        assert.ok(assertIntegerTimes(answer.text) >= 1, `${path} carries times: ${answer.text}`);
      }
      assert.equal((await h.node.chat.deleteSegment({ id: 'v2-seg' })).metadata.responseCode, 200);
      await assert.rejects(h.node.chat.getSegment({ id: 'v2-seg' }), streamError(16, 404));
    });

    it("answers each endpoint with Stream's exact status code on both families", async () => {
      for (const prefix of ['', '/api/v2/chat']) {
        const id = `codes${prefix.length}`;
        const base = `${prefix}/segments`;
        assert.equal((await raw('POST', base, { type: 'user', id })).status, 201);
        assert.equal((await raw('GET', `${base}/${id}`)).status, 200);
        assert.equal((await raw('PUT', `${base}/${id}`, { name: 'n' })).status, 201);
        assert.equal((await raw('POST', `${base}/query`, { filter: { id } })).status, 201);
        assert.equal((await raw('POST', `${base}/${id}/addtargets`, { target_ids: ['ann'] })).status, 201);
        assert.equal((await raw('GET', `${base}/${id}/target/ann`)).status, 200);
        assertRawError(await raw('GET', `${base}/${id}/target/bob`), 404, 16, /SegmentTargetExists failed with error/);
        assertRawError(await raw('GET', `${base}/nope/target/ann`), 404, 16);
        assert.equal((await raw('POST', `${base}/${id}/targets/query`, {})).status, 201);
        assert.equal((await raw('POST', `${base}/${id}/deletetargets`, { target_ids: ['ann'] })).status, 201);
        assert.equal((await raw('DELETE', `${base}/${id}`)).status, 200);
        assertRawError(await raw('GET', `${base}/${id}`), 404, 16, /GetSegment failed with error/);
      }
    });

    it('filter, all_users and all_sender_channels are mutually exclusive, and each fits one type', async () => {
      const refused: Array<[Record<string, unknown>, RegExp]> = [
        [{ type: 'user', filter: { country: 'NL' }, all_users: true }, /filter and all_users are mutually exclusive/],
        [{ type: 'channel', filter: { type: 'team' }, all_sender_channels: true }, /filter and all_sender_channels/],
        [{ type: 'user', all_users: true, all_sender_channels: true }, /all_users and all_sender_channels/],
        [{ type: 'channel', all_users: true }, /all_users applies only to segments of type user/],
        [{ type: 'user', all_sender_channels: true }, /all_sender_channels applies only to segments of type channel/],
        [{ type: 'group' }, /type must be one of user, channel/],
        [{ name: 'no type' }, /type/],
      ];
      for (const [body, message] of refused) {
        assertRawError(await raw('POST', '/segments', { id: 'excl', ...body }), 400, 4, message);
      }
      assertRawError(await raw('GET', '/segments/excl'), 404, 16);

      await h.chat.createUserSegment('excl-all', { all_users: true });
      await assert.rejects(h.chat.addSegmentTargets('excl-all', ['ann']), streamError(4, 400, /targets cannot be added to a segment defined by all_users/));
      await assert.rejects(h.chat.updateSegment('excl-all', { filter: { country: 'NL' } }), streamError(4, 400, /filter and all_users/));
      await h.chat.createUserSegment('excl-targets');
      await h.chat.addSegmentTargets('excl-targets', ['ann']);
      await assert.rejects(h.chat.updateSegment('excl-targets', { filter: { country: 'NL' } }), streamError(4, 400, /filter/));
      const unchanged = (await h.chat.getSegment('excl-targets')).segment;
      assert.equal(unchanged.filter, null);
      assert.equal(unchanged.size, 1);
      await h.chat.createChannelSegment('excl-sender', { all_sender_channels: true });
      await assert.rejects(h.chat.addSegmentTargets('excl-sender', ['messaging:general']), streamError(4, 400));
      assert.equal((await h.chat.getSegment('excl-sender')).segment.size, 0, 'all_sender_channels is never sized');
    });

    it('rejects filters that do not parse, or that need a querying user, when the segment is written', async () => {
      await assert.rejects(h.chat.createUserSegment('bad-f1', { filter: { role: { $contains: 'x' } } }), streamError(4, 400, /role/));
      await assert.rejects(h.chat.createUserSegment('bad-f2', { filter: { age: { $near: 3 } } }), streamError(4, 400, /\$near/));
      // joined/hidden are relative to "the querying user"; a segment has none, so it could never be sized.
      await assert.rejects(h.chat.createChannelSegment('bad-f3', { filter: { joined: true } }), streamError(4, 400, /joined/));
      await h.chat.createChannelSegment('bad-f4', { filter: { type: 'team' } });
      await assert.rejects(h.chat.updateSegment('bad-f4', { filter: { hidden: false } }), streamError(4, 400, /hidden/));
      for (const id of ['bad-f1', 'bad-f2', 'bad-f3']) await assert.rejects(h.chat.getSegment(id), streamError(16, 404));
      assert.deepEqual((await sized('bad-f4')).filter, { type: 'team' });
    });

    it('keeps a null in a segment filter: {age: null} is "no age", not "everyone"', async () => {
      const created = await raw('POST', '/segments', { type: 'user', id: 'null-f', filter: { age: null } });
      assert.equal(created.status, 201, created.text);
      assert.deepEqual(created.body.segment.filter, { age: null });
      assert.equal((await sized('null-f')).size, 0, 'everyone has an age');
      const eq = await raw('POST', '/segments', { type: 'user', id: 'null-eq', filter: { age: { $eq: null } } });
      assert.equal(eq.status, 201, eq.text);
    });

    it('targets query: sorted by target id both ways, with $eq $in $gt $gte $lt $lte, and Filter/Sort keys', async () => {
      const ids = Array.from({ length: 20 }, (_, i) => `t${String(i).padStart(2, '0')}`);
      await h.chat.createUserSegment('tq');
      await h.chat.addSegmentTargets('tq', [...ids].reverse());
      const query = async (body: Record<string, unknown>) => {
        const answer = await raw('POST', '/segments/tq/targets/query', { limit: 100, ...body });
        assert.equal(answer.status, 201, answer.text);
        return (answer.body.targets as Array<{ target_id: string }>).map((t) => t.target_id);
      };
      assert.deepEqual(await query({}), ids, 'ascending by default');
      assert.deepEqual(await query({ sort: [{ field: 'target_id', direction: -1 }] }), [...ids].reverse());
      assert.deepEqual(await query({ filter: { target_id: { $eq: 't05' } } }), ['t05']);
      assert.deepEqual(await query({ filter: { target_id: 't06' } }), ['t06']);
      assert.deepEqual(await query({ filter: { target_id: { $in: ['t09', 't01', 'zz'] } } }), ['t01', 't09']);
      assert.deepEqual(await query({ filter: { target_id: { $gt: 't17' } } }), ['t18', 't19']);
      assert.deepEqual(await query({ filter: { target_id: { $gte: 't17' } } }), ['t17', 't18', 't19']);
      assert.deepEqual(await query({ filter: { target_id: { $lt: 't02' } } }), ['t00', 't01']);
      assert.deepEqual(await query({ filter: { target_id: { $lte: 't02' } } }), ['t00', 't01', 't02']);
      assert.deepEqual(await query({ filter: { target_id: { $gt: 't03', $lte: 't06' } } }), ['t04', 't05', 't06']);
      assert.deepEqual(
        await query({ Filter: { target_id: { $gte: 't15' } }, Sort: [{ field: 'target_id', direction: -1 }] }),
        ['t19', 't18', 't17', 't16', 't15'],
        'the spec spells the keys Filter and Sort',
      );

      const js = await h.chat.querySegmentTargets('tq', { target_id: { $lte: 't03' } }, [{ field: 'target_id', direction: -1 }], { limit: 3 });
      assert.deepEqual(js.targets.map((t) => t.target_id), ['t03', 't02', 't01']);
      assert.ok(js.next, 'a full page has a next cursor');
      const rest = await h.chat.querySegmentTargets('tq', { target_id: { $lte: 't03' } }, [{ field: 'target_id', direction: -1 }], { limit: 3, next: js.next });
      assert.deepEqual(rest.targets.map((t) => t.target_id), ['t00']);

      assertRawError(await raw('POST', '/segments/tq/targets/query', { filter: { target_id: { $ne: 't01' } } }), 400, 4, /\$ne/);
      assertRawError(await raw('POST', '/segments/tq/targets/query', { filter: { segment_id: 'tq' } }), 400, 4, /segment_id/);
      assertRawError(await raw('POST', '/segments/tq/targets/query', { next: 'not-a-cursor' }), 400, 4, /next/);
      assertRawError(await raw('POST', '/segments/none/targets/query', {}), 404, 16);
    });

    it('enforces the limits: 10,000 ids per addtargets, 100 per deletetargets, name, description, id', async () => {
      await h.chat.createUserSegment('lim');
      const many = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `u${from + i}`);
      await h.chat.addSegmentTargets('lim', many(10_000));
      assert.equal((await h.chat.getSegment('lim')).segment.size, 10_000);
      await assert.rejects(h.chat.addSegmentTargets('lim', many(10_001, 20_000)), streamError(4, 400, /target_ids/));
      await assert.rejects(h.chat.addSegmentTargets('lim', []), streamError(4, 400, /target_ids/));
      await assert.rejects(h.chat.removeSegmentTargets('lim', many(101)), streamError(4, 400, /target_ids/));
      await h.chat.removeSegmentTargets('lim', many(100));
      assert.equal((await h.chat.getSegment('lim')).segment.size, 9_900, 'a refused request removes nothing; 100 is allowed');
      assert.equal((await h.chat.querySegmentTargets('lim', {}, [], { limit: 10_000 })).targets.length, 9_900);
      await assert.rejects(h.chat.querySegmentTargets('lim', {}, [], { limit: 10_001 }), streamError(4, 400, /limit/));

      const name = 'n'.repeat(128);
      const description = 'd'.repeat(256);
      const id = 'i'.repeat(255);
      const long = (await h.chat.createUserSegment(id, { name, description })).segment;
      assert.deepEqual([long.id, long.name, long.description], [id, name, description]);
      await assert.rejects(h.chat.createUserSegment('lim-n', { name: `${name}x` }), streamError(4, 400, /name/));
      await assert.rejects(h.chat.createUserSegment('lim-d', { description: `${description}x` }), streamError(4, 400, /description/));
      await assert.rejects(h.chat.createUserSegment(`${id}x`), streamError(4, 400, /id/));
      await assert.rejects(h.chat.updateSegment('lim', { name: `${name}x` }), streamError(4, 400, /name/));
      await assert.rejects(h.chat.updateSegment('lim', { description: `${description}x` }), streamError(4, 400, /description/));
      assert.equal((await h.chat.getSegment('lim')).segment.name, '', 'a refused update changes nothing');
      await assert.rejects(h.chat.getSegment('lim-n'), streamError(16, 404));
    });

    it('serves a segment id of 255 characters in paths', async () => {
      const id = 'p'.repeat(255);
      await h.chat.createUserSegment(id);
      await h.chat.addSegmentTargets(id, ['ann']);
      assert.equal((await h.chat.getSegment(id)).segment.size, 1);
      await h.chat.segmentTargetExists(id, 'ann');
      await h.chat.deleteSegment(id);
    });

    it('segment query: the filter fields of contract 3.3, sort, and next/prev paging', async () => {
      const specs = [
        { id: 'q-1', type: 'user', name: 'alpha', all_users: true },
        { id: 'q-2', type: 'user', name: 'bravo' },
        { id: 'q-3', type: 'channel', name: 'charlie' },
        { id: 'q-4', type: 'user', name: 'delta', filter: { country: 'US' } },
        { id: 'q-5', type: 'channel', name: 'echo', all_sender_channels: true },
        { id: 'q-6', type: 'user', name: 'foxtrot' },
        { id: 'q-7', type: 'user', name: 'golf' },
      ];
      const created: Record<string, string> = {};
      for (const { id, type, ...data } of specs) {
        created[id] = (await raw('POST', '/segments', { id, type, ...data })).body.segment.created_at;
      }
      const mine = { id: { $gt: 'q-', $lt: 'q-~' } };
      const q = async (filter: Record<string, unknown>, sort: Array<{ field: string; direction: 1 | -1 }> = [{ field: 'id', direction: 1 }]) =>
        (await h.chat.querySegments({ $and: [mine, filter] }, sort, { limit: 100 })).segments.map((s) => s.id);

      assert.deepEqual(await q({}), ['q-1', 'q-2', 'q-3', 'q-4', 'q-5', 'q-6', 'q-7']);
      assert.deepEqual(await q({ id: { $eq: 'q-3' } }), ['q-3']);
      assert.deepEqual(await q({ id: { $in: ['q-2', 'q-9', 'q-6'] } }), ['q-2', 'q-6']);
      assert.deepEqual(await q({ name: { $gt: 'echo' } }), ['q-6', 'q-7']);
      assert.deepEqual(await q({ name: { $gte: 'echo' } }), ['q-5', 'q-6', 'q-7']);
      assert.deepEqual(await q({ name: { $lt: 'bravo' } }), ['q-1']);
      assert.deepEqual(await q({ name: { $lte: 'bravo' } }), ['q-1', 'q-2']);
      assert.deepEqual(await q({ name: { $exists: true } }), ['q-1', 'q-2', 'q-3', 'q-4', 'q-5', 'q-6', 'q-7']);
      assert.deepEqual(await q({ all_users: true }), ['q-1']);
      assert.deepEqual(await q({ all_users: { $eq: false }, type: 'channel' }), ['q-3', 'q-5']);
      assert.deepEqual(await q({ type: { $in: ['channel'] } }), ['q-3', 'q-5']);
      assert.deepEqual(await q({ created_at: { $gte: created['q-6'] } }), ['q-6', 'q-7']);
      assert.deepEqual(await q({ created_at: { $lt: created['q-2'] } }), ['q-1']);
      assert.deepEqual(await q({ updated_at: { $lte: created['q-1'] } }), ['q-1']);
      assert.deepEqual(await q({}, [{ field: 'name', direction: -1 }]), ['q-7', 'q-6', 'q-5', 'q-4', 'q-3', 'q-2', 'q-1']);
      assert.deepEqual(await q({}, [{ field: 'type', direction: 1 }, { field: 'name', direction: -1 }]), ['q-5', 'q-3', 'q-7', 'q-6', 'q-4', 'q-2', 'q-1']);
      await assert.rejects(h.chat.querySegments({ type: { $gt: 'a' } }), streamError(4, 400, /type/));
      await assert.rejects(h.chat.querySegments({ size: 3 }), streamError(4, 400, /size/));
      assertRawError(await raw('POST', '/segments/query', {}), 400, 4, /filter/);

      // Three pages of 3, 3 and 1 forward; then back from the last page with prev.
      const pages: string[][] = [];
      let next: string | undefined;
      do {
        const page = await h.chat.querySegments(mine, [{ field: 'name', direction: 1 }], { limit: 3, next });
        pages.push(page.segments.map((s) => s.id));
        if (pages.length === 1) assert.equal(page.prev, undefined, 'the first page has no prev');
        next = page.next;
        if (!next) {
          const back = await h.chat.querySegments(mine, [{ field: 'name', direction: 1 }], { limit: 3, prev: page.prev });
          assert.deepEqual(back.segments.map((s) => s.id), ['q-4', 'q-5', 'q-6']);
          const first = await h.chat.querySegments(mine, [{ field: 'name', direction: 1 }], { limit: 3, prev: back.prev });
          assert.deepEqual(first.segments.map((s) => s.id), ['q-1', 'q-2', 'q-3']);
        }
      } while (next);
      assert.deepEqual(pages, [['q-1', 'q-2', 'q-3'], ['q-4', 'q-5', 'q-6'], ['q-7']]);
    });

    it('size: filter and all_users are sized in the background, and again after a filter update', async () => {
      const byFilter = await h.chat.createUserSegment('size-nl', { filter: { country: 'NL' } });
      assert.equal(computedAt(byFilter.segment), null, 'create does not wait for the count');
      assert.equal((await sized('size-nl')).size, countryOf('NL'));

      const all = await h.node.chat.createSegment({ type: 'user', id: 'size-all', all_users: true });
      assert.equal(all.segment?.size, 0);
      assert.equal((await sized('size-all')).size, people.length);

      const older = await h.chat.createUserSegment('size-age', { filter: { age: { $gte: 30 } } });
      assert.equal(computedAt(older.segment), null);
      assert.equal((await sized('size-age')).size, people.filter((p) => p.age >= 30).length);

      const moved = await h.chat.updateSegment('size-nl', { filter: { country: { $in: ['US', 'DE'] } } });
      assert.equal(computedAt(moved.segment), null, 'a new filter makes the size stale');
      assert.equal((await sized('size-nl')).size, countryOf('US') + countryOf('DE'));
      const renamed = await h.chat.updateSegment('size-nl', { name: 'US and DE' });
      assert.equal(renamed.segment.size, countryOf('US') + countryOf('DE'), 'a rename keeps the size');

      await h.chat.upsertUsers([{ id: 'fay', country: 'US', age: 60 }]);
      await h.chat.updateSegment('size-nl', { filter: { country: 'US' } });
      assert.equal((await sized('size-nl')).size, countryOf('US') + 1);
      await h.chat.deleteUsers(['fay'], { user: 'hard' });

      const text = (await raw('GET', '/api/v2/chat/segments/size-all')).text;
      assert.match(text, /"size_computed_at":\d{19}[,}]/);
      assert.ok(assertIntegerTimes(text) >= 3);
    });

    it('keeps size exact while renames race addtargets', async () => {
      await h.chat.createUserSegment('race');
      const writes = Array.from({ length: 40 }, (_, i) => [
        h.chat.addSegmentTargets('race', Array.from({ length: 50 }, (_, j) => `r${i}-${j}`)),
        h.chat.updateSegment('race', { name: `rename ${i}` }),
      ]).flat();
      await Promise.all(writes);
      assert.equal((await h.chat.getSegment('race')).segment.size, 2_000, 'no bump of size was undone by an update');
      assert.equal((await h.chat.querySegmentTargets('race', {}, [], { limit: 10_000 })).targets.length, 2_000);
    });

    it('refuses to delete a segment that a scheduled campaign uses', async () => {
      await h.chat.createUserSegment('in-use');
      await h.chat.addSegmentTargets('in-use', ['bob']);
      const { campaign } = await h.chat.createCampaign({ sender_id: 'ann', segment_ids: ['in-use'], message_template: { text: 'hi' } });
      await h.chat.startCampaign(campaign.id, { scheduledFor: new Date(Date.now() + 3_600_000).toISOString() });
      await assert.rejects(h.chat.deleteSegment('in-use'), streamError(4, 400, /in-use.*campaign/));
      await h.chat.stopCampaign(campaign.id);
      await h.chat.deleteSegment('in-use');
      await assert.rejects(h.chat.getSegment('in-use'), streamError(16, 404));
    });
  });
}
