import fc from 'fast-check';
import { campaignFilterFields } from '../../../src/domain/filter/campaign-filter-fields.js';
import { channelFilterFields } from '../../../src/domain/filter/channel-filter-fields.js';
import type { FilterFieldSpec } from '../../../src/domain/filter/filter-field-spec.js';
import { segmentFilterFields, segmentTargetFilterFields } from '../../../src/domain/filter/segment-filter-fields.js';
import { userFilterFields } from '../../../src/domain/filter/user-filter-fields.js';
import { makeFixtures, Rng, type Doc } from '../filter-fixtures.js';
import { FilterGenerator } from '../filter-generator.js';
import { deepValue, hostileKey, hostileValue } from './hostile-values.js';
import { ownObject } from './json-text.js';

/**
 * Filter expressions for every route that takes one: mostly well-formed ones from the
 * differential test's generator (test/support/filter-generator.ts: random operators, fields
 * and values over a spec), then bent: unknown operators, wrong-typed operands, `$and` nested
 * past the parser's depth, `$in` lists past its size, hostile field names.
 */

/** Which resource a filter on this route is about, from its path; null: any. */
export type FilterResource = 'user' | 'channel' | 'segment' | 'segmentTarget' | 'campaign';

const fixtures = makeFixtures(new Rng(7), 20, 10);
const resources: Record<FilterResource, { spec: FilterFieldSpec; docs: Doc[]; fields: string[] }> = {
  user: { spec: userFilterFields, docs: fixtures.userDocs, fields: [...Object.keys(userFilterFields.fields), 'score', 'vip', 'tags', 'mixed'] },
  channel: { spec: channelFilterFields, docs: fixtures.channelDocs, fields: [...Object.keys(channelFilterFields.fields), 'priority', 'topic'] },
  segment: { spec: segmentFilterFields, docs: [], fields: Object.keys(segmentFilterFields.fields) },
  segmentTarget: { spec: segmentTargetFilterFields, docs: [], fields: Object.keys(segmentTargetFilterFields.fields) },
  campaign: { spec: campaignFilterFields, docs: [], fields: Object.keys(campaignFilterFields.fields) },
};

export function filterResourceOf(path: string): FilterResource | null {
  if (/\/segments\/\{[^}]+\}\/targets/.test(path)) return 'segmentTarget';
  if (/\/campaigns\/\{[^}]+\}\/targets/.test(path)) return 'user';
  if (/\/segments/.test(path)) return 'segment';
  if (/\/campaigns/.test(path)) return 'campaign';
  if (/\/users/.test(path)) return 'user';
  if (/\/channels/.test(path)) return 'channel';
  return null;
}

/** A filter the generator builds from `seed` over the resource's fields. */
function generated(resource: FilterResource, seed: number): Record<string, unknown> {
  const r = resources[resource];
  return new FilterGenerator(new Rng(seed), r.spec, r.docs, r.fields, ['ann', 'bob', 'nobody']).filter(3).json;
}

const operators = ['$eq', '$ne', '$gt', '$gte', '$lt', '$lte', '$in', '$nin', '$exists', '$contains', '$autocomplete', '$q',
  '$regex', '$where', '$elemMatch', '$not', '$size', '$all', '$and', '$or', '$nor', '$', '$$', 'eq', '$EQ'];
const allFields = [...new Set(Object.values(resources).flatMap((r) => r.fields))];

/** A field with random operators and hostile operands. */
const bentLeaf = fc.record({
  field: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...allFields) }, { weight: 1, arbitrary: hostileKey }),
  ops: fc.array(fc.tuple(fc.constantFrom(...operators), hostileValue), { minLength: 1, maxLength: 2 }),
}).map(({ field, ops }) => ownObject([[field, ownObject(ops)]]));

/** `$and` nested `n` deep, or an `$in` of `n` values. */
const oversized = fc.oneof(
  fc.constantFrom(11, 40, 500).map((n) => {
    let f: unknown = { id: 'ann' };
    for (let i = 0; i < n; i++) f = { $and: [f] };
    return f as Record<string, unknown>;
  }),
  fc.constantFrom(1001, 6000).map((n) => ({ id: { $in: Array.from({ length: n }, (_, i) => `u${i}`) } })),
  fc.constantFrom(1001, 3000).map((n) => ({ $or: Array.from({ length: n }, (_, i) => ({ id: `u${i}` })) })),
  deepValue.map((deep) => ({ id: { $in: deep } })),
);

/** A filter for a route about `resource` (or any resource). */
export function filterValue(resource: FilterResource | null): fc.Arbitrary<unknown> {
  const names = Object.keys(resources) as FilterResource[];
  const good = fc.tuple(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.constantFrom(...names))
    .map(([seed, any]) => generated(resource ?? any, seed));
  return fc.oneof(
    { weight: 8, arbitrary: good },
    { weight: 2, arbitrary: fc.tuple(good, bentLeaf).map(([g, bent]) => ({ $and: [g, bent] })) },
    { weight: 2, arbitrary: bentLeaf },
    { weight: 1, arbitrary: oversized },
    { weight: 1, arbitrary: hostileValue },
  );
}

/** A sort: Stream's `[{field, direction}]` and the shapes SDKs send by mistake. */
export const sortValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.array(fc.record({ field: fc.constantFrom(...allFields, 'custom', ''), direction: fc.constantFrom(1, -1) }), { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.array(fc.record({ field: fc.oneof(hostileKey, fc.constantFrom(...allFields)), direction: hostileValue }), { maxLength: 7 }) },
  { weight: 1, arbitrary: fc.dictionary(fc.constantFrom(...allFields), fc.constantFrom(1, -1, 0, 2)) },
  { weight: 1, arbitrary: hostileValue },
);
