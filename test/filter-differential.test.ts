import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Kysely } from 'kysely';
import { Query, find } from 'mingo';
import { channelFilterFields } from '../src/domain/filter/channel-filter-fields.js';
import { parseFilter } from '../src/domain/filter/filter-parser.js';
import type { FilterFieldSpec } from '../src/domain/filter/filter-field-spec.js';
import { parseSort, type SortSpec } from '../src/domain/filter/sort-spec.js';
import { userFilterFields } from '../src/domain/filter/user-filter-fields.js';
import { SegmentType } from '../src/domain/segment.js';
import { composeHerald } from '../src/main/compose.js';
import type { DialectCaps } from '../src/storage/dialects/dialect-caps.js';
import {
  applySort,
  channelFilterTargetFor,
  compileFilter,
  userFilterTarget,
  type FilterTarget,
} from '../src/storage/filter-compiler.js';
import type { Schema } from '../src/storage/schema.js';
import { backends } from './support/backends.js';
import { makeFixtures, Rng, type Doc, type Fixtures } from './support/filter-fixtures.js';
import { FilterGenerator } from './support/filter-generator.js';

/**
 * Differential test: random filters run through parseFilter + compileFilter in SQL must select
 * exactly the rows mingo (Mongo's semantics, in memory) selects from the same documents.
 * HERALD_FILTER_SEED=<n> reproduces or explores; the default seed keeps CI deterministic.
 */
const seed = Number(process.env.HERALD_FILTER_SEED ?? 20240404);
const filtersPerResource = Number(process.env.HERALD_FILTER_COUNT ?? 800);
// Each segment filter is stored, then sized by the segment sizer: fewer, since each is a segment.
const segmentFiltersPerResource = Number(process.env.HERALD_SEGMENT_FILTER_COUNT ?? 60);
const sortedEvery = 4;

const userFields = [
  'id', 'name', 'image', 'role', 'language', 'banned', 'shadow_banned', 'invisible', 'teams', 'created_at',
  'updated_at', 'last_active', 'username', 'email', 'bypass_moderation', 'score', 'nickname', 'vip', 'tags',
  'nums', 'note', 'mixed', 'profile', 'absent_key',
];
const channelFields = [
  'cid', 'id', 'type', 'team', 'created_by_id', 'created_at', 'updated_at', 'last_message_at', 'last_updated',
  'member_count', 'message_count', 'frozen', 'disabled', 'members', 'joined', 'hidden', 'name', 'filter_tags',
  'priority', 'topic', 'absent_key',
];
// Scalar-valued fields only: Mongo sorts an array by its smallest/largest element, which the
// SQL sort (arrays as one JSON type) does not imitate.
const userSortFields = ['id', 'name', 'role', 'created_at', 'last_active', 'banned', 'score', 'nickname', 'vip', 'note'];
const channelSortFields = ['cid', 'team', 'member_count', 'last_message_at', 'last_updated', 'frozen', 'priority', 'name', 'topic'];

interface Resource {
  name: string;
  spec: FilterFieldSpec;
  target: FilterTarget;
  docs: Doc[];
  fields: string[];
  sortFields: string[];
  /** The primary key in the docs, for mingo's tie-break. */
  pk: string;
  /** The row identity compared: users.id, channels.cid. */
  key: string;
  segmentType: SegmentType;
  /** Fields a segment filter may use: a segment has no querying user for `joined`/`hidden`. */
  segmentFields: string[];
  run(db: Kysely<Schema>, where: ReturnType<typeof compileFilter>, sort: SortSpec | null, caps: DialectCaps): Promise<string[]>;
}

async function insertFixtures(db: Kysely<Schema>, fx: Fixtures) {
  for (let i = 0; i < fx.users.length; i += 200) await db.insertInto('users').values(fx.users.slice(i, i + 200)).execute();
  await db.insertInto('channels').values(fx.channels).execute();
  await db.insertInto('channel_members').values(fx.members).execute();
}

function resources(fx: Fixtures): Resource[] {
  return [
    {
      name: 'users', spec: userFilterFields, target: userFilterTarget, docs: fx.userDocs, fields: userFields,
      sortFields: userSortFields, pk: 'id', key: 'id', segmentType: SegmentType.user, segmentFields: userFields,
      async run(db, where, sort, caps) {
        const q = db.selectFrom('users').select('users.id').where(where);
        const rows = await (sort ? applySort(q, sort, userFilterTarget, caps) : q).execute();
        return rows.map((r) => r.id);
      },
    },
    {
      name: 'channels', spec: channelFilterFields, target: channelFilterTargetFor(fx.me), docs: fx.channelDocs,
      fields: channelFields, sortFields: channelSortFields, pk: 'pk', key: 'cid', segmentType: SegmentType.channel,
      segmentFields: channelFields.filter((f) => f !== 'joined' && f !== 'hidden'),
      async run(db, where, sort, caps) {
        const q = db.selectFrom('channels').select('channels.cid').where(where);
        const rows = await (sort ? applySort(q, sort, channelFilterTargetFor(fx.me), caps) : q).execute();
        return rows.map((r) => r.cid);
      },
    },
  ];
}

function randomSort(rng: Rng, fields: string[]): Array<{ field: string; direction: 1 | -1 }> {
  return rng.some(fields, 2).map((field) => ({ field, direction: rng.chance(0.5) ? 1 : -1 }));
}

/** What mingo selects, in mingo's order when sorted (with the same primary-key tie-break). */
function expected(resource: Resource, mingo: Doc, sort: Array<{ field: string; direction: 1 | -1 }> | null): string[] {
  if (!sort) {
    const query = new Query(mingo, {});
    return resource.docs.filter((d) => query.test(d)).map((d) => d[resource.key] as string);
  }
  const order: Record<string, 1 | -1> = Object.fromEntries(sort.map((s) => [s.field, s.direction]));
  order[resource.pk] ??= 1;
  return (find(resource.docs, mingo).sort(order).all() as Doc[]).map((d) => d[resource.key] as string);
}

const fixtures = makeFixtures(new Rng(seed), 300, 150);
console.log(`# filter-differential seed=${seed} (HERALD_FILTER_SEED to change), ${filtersPerResource} filters per resource`);

for (const { backend, skip } of await backends()) {
  describe(`filter differential on ${backend.name}`, { skip }, () => {
    let handle: Awaited<ReturnType<typeof backend.create>>;
    before(async () => {
      handle = await backend.create();
      await insertFixtures(handle.database.db, fixtures);
    });
    after(() => handle?.dispose());

    for (const resource of resources(fixtures)) {
      it(`${resource.name}: SQL selects what mingo selects`, async () => {
        const { db, caps } = handle.database;
        // One generator per resource and backend, from the same seed: both dialects see the same filters.
        const rng = new Rng(seed + resource.name.length);
        const generator = new FilterGenerator(rng, resource.spec, resource.docs, resource.fields, ['nobody']);
        const selected = { none: 0, some: 0, all: 0 };
        for (let i = 0; i < filtersPerResource; i++) {
          const filter = generator.filter();
          const sortInput = i % sortedEvery === 0 ? randomSort(rng, resource.sortFields) : null;
          const ast = parseFilter(filter.json, resource.spec);
          const sort = sortInput ? parseSort(sortInput, resource.spec) : null;
          const where = compileFilter(ast, resource.target, caps);
          const want = expected(resource, filter.mingo, sortInput);
          const got = await resource.run(db, where, sort, caps);
          selected[want.length === 0 ? 'none' : want.length === resource.docs.length ? 'all' : 'some']++;
          const same = sortInput ? got.join('\n') === want.join('\n') : [...got].sort().join('\n') === [...want].sort().join('\n');
          if (!same) {
            const sql = db.selectFrom(resource.name as 'users').select('id').where(where).compile();
            const missing = want.filter((k) => !got.includes(k));
            const extra = got.filter((k) => !want.includes(k));
            const docsOf = (keys: string[]) => resource.docs.filter((d) => keys.includes(d[resource.key] as string)).slice(0, 3);
            assert.fail(
              [
                `seed=${seed} filter #${i} on ${resource.name} (${backend.name}) differs from mingo`,
                `filter: ${JSON.stringify(filter.json)}`,
                `sort: ${JSON.stringify(sortInput)}`,
                `mingo: ${JSON.stringify(filter.mingo, (_k, v) => (v instanceof RegExp ? String(v) : v))}`,
                `sql: ${sql.sql}`,
                `params: ${JSON.stringify(sql.parameters)}`,
                `missing (${missing.length}): ${JSON.stringify(docsOf(missing))}`,
                `extra (${extra.length}): ${JSON.stringify(docsOf(extra))}`,
                sortInput ? `order want ${want.slice(0, 8).join(',')} got ${got.slice(0, 8).join(',')}` : '',
              ].join('\n'),
            );
          }
        }
        // Guards the generator: most filters must select some rows but not all, or they test little.
        console.log(`# ${resource.name} on ${backend.name}: rows selected by none/some/all ${JSON.stringify(selected)}`);
        assert.ok(selected.some > filtersPerResource / 4, `too few filters selected a proper subset: ${JSON.stringify(selected)}`);
      });

      it(`${resource.name}: a segment's size is what mingo counts`, async () => {
        // The real service and sizer over the same rows: the filter is stored as JSON, read
        // back, re-parsed and counted in keyset chunks, as in production.
        const { segments } = composeHerald(handle.database).services;
        const rng = new Rng(seed + 100 + resource.name.length);
        const generator = new FilterGenerator(rng, resource.spec, resource.docs, resource.segmentFields, ['nobody']);
        const want = new Map<string, { count: number; filter: Record<string, unknown> }>();
        for (let i = 0; i < segmentFiltersPerResource; i++) {
          const filter = generator.filter();
          const id = `diff-${resource.name}-${i}`;
          const created = await segments.create({ id, type: resource.segmentType, filter: filter.json });
          assert.equal(created.size_computed_at, null, 'a filter size is computed later');
          want.set(id, { count: expected(resource, filter.mingo, null).length, filter: filter.json });
        }
        let rounds = 0;
        while (await segments.refreshNextSize()) rounds++;
        assert.equal(rounds, segmentFiltersPerResource, 'one sizing per new segment');
        const selected = { none: 0, some: 0, all: 0 };
        for (const [id, { count, filter }] of want) {
          const segment = await segments.get(id);
          assert.notEqual(segment.size_computed_at, null, `${id} was sized`);
          assert.equal(
            segment.size,
            count,
            `seed=${seed} ${id} (${backend.name}): size ${segment.size}, mingo counts ${count}; filter ${JSON.stringify(filter)}`,
          );
          selected[count === 0 ? 'none' : count === resource.docs.length ? 'all' : 'some']++;
        }
        console.log(`# ${resource.name} segments on ${backend.name}: sizes none/some/all ${JSON.stringify(selected)}`);
        assert.ok(selected.some > segmentFiltersPerResource / 4, `too few segments hold a proper subset: ${JSON.stringify(selected)}`);
      });
    }
  });
}
