import type { Insertable } from 'kysely';
import type { ChannelMembersTable, ChannelsTable, UsersTable } from '../../src/storage/schema.js';

/** mulberry32: tiny, fast, and the same sequence on every machine for a given seed. */
export class Rng {
  private state: number;
  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(below: number): number {
    return Math.floor(this.next() * below);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
  /** Up to `max` distinct items, in random order. */
  some<T>(items: readonly T[], max: number): T[] {
    const pool = [...items];
    const out: T[] = [];
    const n = this.int(max + 1);
    while (out.length < n && pool.length) out.push(pool.splice(this.int(pool.length), 1)[0]);
    return out;
  }
}

// Mixed case on purpose: autocomplete is case-insensitive, ranges compare in code point order.
export const words = ['ann', 'Anna', 'bob', 'Bobby', 'carl', 'Cleo', 'dora', 'Dan', 'eve', 'zed', 'Zoe', 'a_b', '50%'];
export const teamNames = ['red', 'blue', 'green', 'gold'];
export const roles = ['user', 'admin', 'guest', 'moderator'];
export const languages = ['en', 'fr', 'de', ''];
export const tagNames = ['x', 'y', 'z', 'new', 'old'];
export const channelTypes = ['messaging', 'team', 'livestream'];

// 2020-01-01 .. 2025-01-01 in micros.
const timeFrom = 1_577_836_800_000_000;
const timeSpan = 157_766_400_000_000;
export const randomTime = (rng: Rng) => timeFrom + rng.int(timeSpan / 1000) * 1000 + rng.int(1000);
const phrase = (rng: Rng) => Array.from({ length: 1 + rng.int(3) }, () => rng.pick(words)).join(' ');
const score = (rng: Rng) => (rng.chance(0.3) ? rng.int(2000) / 10 - 50 : rng.int(100) - 20);

/** A mingo document: absent (NULL) columns are left out, custom keys sit beside built-ins, as in Stream. */
export type Doc = Record<string, unknown>;

export interface Fixtures {
  users: Insertable<UsersTable>[];
  userDocs: Doc[];
  channels: Insertable<ChannelsTable>[];
  members: Insertable<ChannelMembersTable>[];
  channelDocs: Doc[];
  /** The querying user for `joined` / `hidden`. */
  me: string;
  userIds: string[];
}

/** Custom fields with one JSON type per key, plus `mixed` to exercise Mongo's type brackets. */
function userCustom(rng: Rng): Doc {
  const custom: Doc = {};
  if (rng.chance(0.8)) custom.score = score(rng);
  if (rng.chance(0.7)) custom.nickname = phrase(rng);
  if (rng.chance(0.6)) custom.vip = rng.chance(0.5);
  if (rng.chance(0.7)) custom.tags = rng.some(tagNames, 3);
  if (rng.chance(0.5)) custom.nums = Array.from({ length: rng.int(4) }, () => rng.int(50));
  if (rng.chance(0.6)) custom.username = rng.pick(words).toLowerCase() + rng.int(5);
  if (rng.chance(0.5)) custom.email = `${rng.pick(words).toLowerCase()}@example.com`;
  if (rng.chance(0.4)) custom.bypass_moderation = rng.chance(0.5);
  if (rng.chance(0.6)) custom.note = rng.chance(0.4) ? null : phrase(rng);
  if (rng.chance(0.6)) custom.mixed = rng.pick([() => rng.int(30), () => rng.pick(words), () => [rng.int(30), rng.pick(words)]])();
  if (rng.chance(0.1)) custom.profile = { age: rng.int(90) };
  return custom;
}

function makeUser(rng: Rng, i: number) {
  const id = `${rng.pick(words).toLowerCase().replace(/\W/g, '')}-${i}`;
  const custom = userCustom(rng);
  const name = rng.chance(0.15) ? null : phrase(rng);
  const image = rng.chance(0.5) ? null : `https://img/${rng.int(10)}.png`;
  const lastActive = rng.chance(0.3) ? null : randomTime(rng);
  const teams = rng.some(teamNames, 3);
  const flags = { banned: rng.chance(0.2), shadow_banned: rng.chance(0.1), invisible: rng.chance(0.2) };
  const times = { created_at: randomTime(rng), updated_at: randomTime(rng) };
  const base = { id, role: rng.pick(roles), language: rng.pick(languages), ...times };
  const row: Insertable<UsersTable> = {
    ...base, name, image, teams: JSON.stringify(teams), custom: JSON.stringify(custom), last_active: lastActive,
    banned: +flags.banned, shadow_banned: +flags.shadow_banned, invisible: +flags.invisible,
  };
  const doc: Doc = { ...custom, ...base, ...flags, teams, ...present({ name, image, last_active: lastActive }) };
  return { row, doc };
}

function present(values: Doc): Doc {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== null));
}

function makeChannel(rng: Rng, pk: number, pool: string[], me: string) {
  const type = rng.pick(channelTypes);
  const id = `${rng.pick(words).toLowerCase().replace(/\W/g, '')}${pk}`;
  const custom: Doc = {};
  if (rng.chance(0.8)) custom.name = phrase(rng);
  if (rng.chance(0.6)) custom.filter_tags = rng.some(tagNames, 3);
  if (rng.chance(0.7)) custom.priority = score(rng);
  if (rng.chance(0.5)) custom.topic = rng.pick(words);
  const memberIds = rng.some(pool, 5);
  const hidden = new Map(memberIds.map((u) => [u, rng.chance(0.3)]));
  const nullable = {
    team: rng.chance(0.3) ? null : rng.pick(teamNames),
    created_by_id: rng.chance(0.2) ? null : rng.pick(pool),
    last_message_at: rng.chance(0.3) ? null : randomTime(rng),
  };
  const base = {
    pk, cid: `${type}:${id}`, type, id, created_at: randomTime(rng), updated_at: randomTime(rng),
    member_count: rng.int(8), message_count: rng.int(1000),
  };
  const flags = { frozen: rng.chance(0.2), disabled: rng.chance(0.1) };
  const row: Insertable<ChannelsTable> = { ...base, ...nullable, frozen: +flags.frozen, disabled: +flags.disabled, custom: JSON.stringify(custom) };
  const members = memberIds.map((user_id) => ({
    channel_pk: pk, user_id, hidden: +(hidden.get(user_id) ?? false), channel_role: 'channel_member', banned: 0,
    notifications_muted: 0, created_at: base.created_at, updated_at: base.created_at,
  }));
  const doc: Doc = {
    ...custom, ...base, ...flags, ...present(nullable), last_updated: base.updated_at,
    members: memberIds, __member_set: memberSetKey(memberIds), __joined: hidden.has(me), __hidden: hidden.get(me) === true,
  };
  return { row, members, doc };
}

/** The members of a channel as one comparable value: `members: {$eq: [...]}` is a set equality. */
export const memberSetKey = (ids: readonly string[]) => [...new Set(ids)].sort().join('\u0000');

export function makeFixtures(rng: Rng, userCount: number, channelCount: number): Fixtures {
  const users = Array.from({ length: userCount }, (_, i) => makeUser(rng, i));
  const userIds = users.map((u) => u.row.id as string);
  // A small pool of members, so that channels share members and member sets repeat.
  const pool = userIds.slice(0, 12);
  const me = pool[0];
  const channels = Array.from({ length: channelCount }, (_, i) => makeChannel(rng, i + 1, pool, me));
  return {
    users: users.map((u) => u.row),
    userDocs: users.map((u) => u.doc),
    channels: channels.map((c) => c.row),
    members: channels.flatMap((c) => c.members),
    channelDocs: channels.map((c) => c.doc),
    me,
    userIds,
  };
}
