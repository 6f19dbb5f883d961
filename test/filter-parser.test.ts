import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { channelFilterFields } from '../src/domain/filter/channel-filter-fields.js';
import { matchAll, type FilterNode } from '../src/domain/filter/filter-ast.js';
import { parseFilter } from '../src/domain/filter/filter-parser.js';
import { parseSort } from '../src/domain/filter/sort-spec.js';
import { userFilterFields } from '../src/domain/filter/user-filter-fields.js';
import { ErrorCode, HeraldError } from '../src/domain/errors.js';

const users = (input: unknown) => parseFilter(input, userFilterFields);
const channels = (input: unknown) => parseFilter(input, channelFilterFields);
const leaf = (field: string, fieldKind: string, op: string, value: unknown) => ({ kind: 'compare', field, fieldKind, op, value });

/** Asserts a code-4 error whose message contains every one of `parts` (field and operator). */
function rejects(run: () => unknown, ...parts: string[]): HeraldError {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof HeraldError, `expected a HeraldError, got ${String(caught)}`);
  assert.equal(caught.code, ErrorCode.input);
  for (const part of parts) assert.ok(caught.message.includes(part), `"${caught.message}" should mention ${part}`);
  return caught;
}

describe('parseFilter shapes', () => {
  it('reads {} as match-all', () => {
    assert.deepEqual(users({}), matchAll);
  });

  it('reads {field: value} as $eq', () => {
    assert.deepEqual(users({ role: 'admin' }), leaf('role', 'string', '$eq', 'admin'));
  });

  it('reads several operators on one field as AND, with times in micros', () => {
    const node = users({ created_at: { $gte: '2020-01-01T00:00:00Z', $lt: 1609459200000000000 } });
    assert.deepEqual(node, {
      kind: 'and',
      children: [
        leaf('created_at', 'time', '$gte', 1577836800000000),
        leaf('created_at', 'time', '$lt', 1609459200000000),
      ],
    });
  });

  it('reads several top-level keys as an implicit AND', () => {
    const node = users({ role: { $in: ['admin', 'user'] }, banned: false });
    assert.deepEqual(node, {
      kind: 'and',
      children: [leaf('role', 'string', '$in', ['admin', 'user']), leaf('banned', 'boolean', '$eq', false)],
    });
  });

  it('reads nested $and/$or/$nor', () => {
    const node = users({ $or: [{ $and: [{ id: 'a' }, { name: { $autocomplete: 'jo' } }] }, { $nor: [{ teams: 'red' }] }] });
    assert.deepEqual(node, {
      kind: 'or',
      children: [
        { kind: 'and', children: [leaf('id', 'string', '$eq', 'a'), leaf('name', 'string', '$autocomplete', 'jo')] },
        { kind: 'nor', children: [leaf('teams', 'string-array', '$eq', 'red')] },
      ],
    });
  });

  it('treats unknown fields as custom data, and the contract-only user fields too', () => {
    assert.deepEqual(users({ score: { $gt: 5 } }), leaf('score', 'custom', '$gt', 5));
    assert.deepEqual(users({ email: { $in: ['a@b.c'] } }), leaf('email', 'custom', '$in', ['a@b.c']));
    assert.deepEqual(users({ tags: ['a', 'b'] }), leaf('tags', 'custom', '$eq', ['a', 'b']));
    assert.deepEqual(users({ constructor: 1 }), leaf('constructor', 'custom', '$eq', 1));
  });

  it('keeps null for equality, booleans as booleans', () => {
    assert.deepEqual(users({ last_active: null }), leaf('last_active', 'time', '$eq', null));
    assert.deepEqual(users({ shadow_banned: { $ne: true } }), leaf('shadow_banned', 'boolean', '$ne', true));
  });

  it('reads channel members, joined and last_updated', () => {
    assert.deepEqual(channels({ members: { $in: ['u1'] } }), leaf('members', 'members', '$in', ['u1']));
    assert.deepEqual(channels({ members: ['u1', 'u2'] }), leaf('members', 'members', '$eq', ['u1', 'u2']));
    assert.deepEqual(channels({ joined: true }), leaf('joined', 'membership', '$eq', true));
    assert.deepEqual(channels({ last_updated: { $gt: '2024-04-04T09:26:11.805899Z' } }), leaf('last_updated', 'time', '$gt', 1712222771805899));
  });

  it('builds a frozen tree', () => {
    const node = users({ role: { $in: ['a'] }, id: 'x' }) as FilterNode & { children: FilterNode[] };
    assert.ok(Object.isFrozen(node) && Object.isFrozen(node.children) && Object.isFrozen(node.children[0]));
  });
});

describe('parseFilter rejections', () => {
  it('rejects an operator the field does not allow, naming both', () => {
    const error = rejects(() => users({ role: { $contains: 'x' } }));
    assert.equal(error.message, 'invalid filter: field "role" does not support operator "$contains"');
    assert.deepEqual(error.fields, { role: 'operator $contains is not supported' });
    rejects(() => users({ language: { $in: ['en'] } }), '"language"', '"$in"');
    rejects(() => users({ teams: { $gt: 'a' } }), '"teams"', '"$gt"');
    rejects(() => users({ username: { $in: ['a'] } }), '"username"', '"$in"');
    rejects(() => channels({ members: { $nin: ['a'] } }), '"members"', '"$nin"');
    rejects(() => channels({ disabled: { $ne: true } }), '"disabled"', '"$ne"');
  });

  it('rejects unknown operators', () => {
    rejects(() => users({ role: { $regex: 'x' } }), '"role"', '"$regex"');
    rejects(() => users({ role: { $eq: 'x', other: 1 } }), '"role"', '"other"');
    rejects(() => users({ $where: 'x' }), '"$where"');
  });

  it('rejects $q clearly', () => {
    rejects(() => channels({ name: { $q: 'hello' } }), '"name"', '"$q"', 'full-text');
    rejects(() => users({ $q: 'hello' }), '"$q"', 'full-text');
  });

  it('rejects values of the wrong type, naming field and operator', () => {
    rejects(() => users({ role: { $in: 'admin' } }), '"role"', '"$in"', 'array');
    rejects(() => users({ role: { $in: ['admin', 5] } }), '"role"', '"$in"', 'string');
    rejects(() => users({ last_active: { $exists: 'yes' } }), '"last_active"', '"$exists"', 'true or false');
    rejects(() => users({ created_at: { $gt: 'yesterday' } }), '"created_at"', '"$gt"', 'RFC 3339');
    rejects(() => users({ created_at: { $gt: true } }), '"created_at"', '"$gt"');
    rejects(() => users({ created_at: 1e40 }), '"created_at"', '"$eq"');
    rejects(() => users({ role: 5 }), '"role"', '"$eq"', 'string');
    rejects(() => users({ role: ['a'] }), '"role"', '"$eq"', 'array');
    rejects(() => users({ banned: 'true' }), '"banned"', '"$eq"', 'boolean');
    rejects(() => users({ name: { $autocomplete: 5 } }), '"name"', '"$autocomplete"', 'string');
    rejects(() => users({ name: { $gt: null } }), '"name"', '"$gt"', 'null');
    rejects(() => users({ score: { $gt: true } }), '"score"', '"$gt"', 'string or a number');
    rejects(() => users({ score: { $eq: { a: 1 } } }), '"score"', '"$eq"', 'object');
    rejects(() => users({ score: { $in: [[1]] } }), '"score"', '"$in"', 'array');
    rejects(() => users({ score: { $contains: null } }), '"score"', '"$contains"');
    rejects(() => users({ score: {} }), '"score"', '"$eq"');
    rejects(() => channels({ members: 'u1' }), '"members"', '"$eq"', 'array');
    rejects(() => channels({ members: { $in: [null] } }), '"members"', '"$in"', 'null');
    rejects(() => channels({ member_count: { $gt: '5' } }), '"member_count"', '"$gt"', 'number');
    rejects(() => channels({ joined: 'yes' }), '"joined"', '"$eq"', 'boolean');
  });

  it('rejects fields that cannot be filtered on', () => {
    rejects(() => channels({ muted: true }), '"muted"', 'querying user');
    rejects(() => channels({ 'member.user.name': 'x' }), '"member.user.name"');
    rejects(() => users({ deleted_at: { $exists: false } }), '"deleted_at"');
    rejects(() => users({ 'profile.age': 3 }), '"profile.age"', 'nested');
    rejects(() => users({ '': 3 }));
  });

  it('rejects malformed logical operators and documents', () => {
    rejects(() => users(null), 'JSON object');
    rejects(() => users([{ id: 'a' }]), 'JSON object');
    rejects(() => users('id = 1'), 'JSON object');
    rejects(() => users({ $and: { id: 'a' } }), '"$and"', 'non-empty array');
    rejects(() => users({ $or: [] }), '"$or"', 'non-empty array');
    rejects(() => users({ $nor: ['x'] }), '"$nor"');
  });

  it('caps depth, size and list lengths', () => {
    let deep: Record<string, unknown> = { id: 'a' };
    for (let i = 0; i < 9; i++) deep = { $and: [deep] };
    users(deep); // 10 levels is fine
    rejects(() => users({ $or: [deep] }), 'deeper than 10');

    const wide = Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`f${i}`, i]));
    rejects(() => users(wide), 'more than 1000 conditions');
    const many = Array.from({ length: 1001 }, (_, i) => `u${i}`);
    rejects(() => users({ id: { $in: many } }), '"id"', '"$in"', '1001 values');
    const lists = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`f${i}`, { $in: many.slice(0, 1000) }]));
    rejects(() => users(lists), 'more than 5000 values');
  });

  it('every error is code 4 with exception_fields naming the field', () => {
    const error = rejects(() => users({ score: { $in: 3 } }));
    assert.deepEqual(Object.keys(error.fields ?? {}), ['score']);
  });
});

describe('parseSort', () => {
  it('reads the array and object forms', () => {
    assert.deepEqual(parseSort([{ field: 'created_at', direction: -1 }, { field: 'score' }], userFilterFields), [
      { field: 'created_at', fieldKind: 'time', direction: -1 },
      { field: 'score', fieldKind: 'custom', direction: 1 },
    ]);
    assert.deepEqual(parseSort({ member_count: -1, last_updated: 1 }, channelFilterFields), [
      { field: 'member_count', fieldKind: 'number', direction: -1 },
      { field: 'last_updated', fieldKind: 'time', direction: 1 },
    ]);
    assert.deepEqual(parseSort(undefined, userFilterFields), []);
  });

  it('rejects bad sorts, naming the field', () => {
    const six = ['a', 'b', 'c', 'd', 'e', 'f'].map((field) => ({ field, direction: 1 }));
    rejects(() => parseSort(six, userFilterFields), 'at most 5');
    rejects(() => parseSort([{ field: 'teams', direction: 1 }], userFilterFields), '"teams"', 'cannot be sorted');
    rejects(() => parseSort([{ field: 'members', direction: 1 }], channelFilterFields), '"members"');
    rejects(() => parseSort([{ field: 'muted', direction: 1 }], channelFilterFields), '"muted"');
    rejects(() => parseSort([{ field: 'name', direction: 2 }], userFilterFields), '"name"', 'direction');
    rejects(() => parseSort([{ field: 'name' }, { field: 'name' }], userFilterFields), '"name"', 'more than once');
    rejects(() => parseSort([{ direction: 1 }], userFilterFields), '"field"');
    rejects(() => parseSort('name', userFilterFields));
  });
});
