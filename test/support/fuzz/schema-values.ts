import fc from 'fast-check';
import { customData, hostileKey, hostileString, hostileValue, plainCustomData } from './hostile-values.js';
import { filterResourceOf, filterValue, sortValue } from './filter-values.js';
import { ownObject, Ref, refKey, type RefKind } from './json-text.js';
import { liquidTemplate } from './liquid-templates.js';
import type { JsonSchema } from './route-catalogue.js';

/**
 * A value for a JSON schema of Herald's OpenAPI document, shaped like a client's: fields named
 * for users, channels, campaigns and segments get ids of seeded data (references resolved when
 * the request is sent), filters come from the filter generator, templates from the Liquid
 * generator, times in the encodings Stream accepts. `chaos` is how often a node is bent: a
 * wrong type, null, a hostile value, a required field left out, extra keys. At 0 the value
 * is well formed (if not always meaningful).
 */
export interface Shaping {
  chaos: number;
  /** The route's OpenAPI path, which says what its ids and filters are about. */
  path: string;
}

const ABSENT = Symbol('absent');
const words = ['ann', 'Bob', 'hello', 'gold', 'team-a', 'x', 'vip', 'red', '50%', 'a_b'];
const plainString = fc.oneof(fc.constantFrom(...words), fc.string({ maxLength: 10 }));
const freshId = fc.integer({ min: 0, max: 50 }).map((n) => `fuzz-${n}`);
const ref = (kind: RefKind) => fc.nat(1000).map((pick) => new Ref(kind, pick));

/** Times: RFC 3339 (past, future, offsets), int64 nanoseconds as text, and near misses. */
const timeValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer({ min: -3 * 86400, max: 30 * 86400 }).map((s) => new Date(Date.now() + s * 1000).toISOString()),
  fc.integer({ min: -3 * 86400, max: 30 * 86400 }).map((s) => `${BigInt(Date.now() + s * 1000) * 1_000_000n}`),
  fc.constantFrom('2030-01-01T00:00:00+02:00', '2030-01-01', 'tomorrow', '0', '-1', '1e30', '2030-13-01T00:00:00Z', '9999-12-31T23:59:59Z'),
);

/** What a string field named `name` holds, by its name (and the route it is on). */
function namedString(name: string, shaping: Shaping): fc.Arbitrary<unknown> | null {
  const onCampaign = shaping.path.includes('/campaigns');
  if (/(^|_)(user_ids?|sender_id|target_ids?|created_by_id|banned_by_id)$|^(user|users|member|members)$/.test(name)) {
    return fc.oneof({ weight: 4, arbitrary: ref('user') }, { weight: 1, arbitrary: freshId });
  }
  if (/^(segment_id|segment_ids)$/.test(name)) return fc.oneof({ weight: 4, arbitrary: ref('segment') }, { weight: 1, arbitrary: freshId });
  if (/^(message_id|parent_id|quoted_message_id|ids|id_gt|id_gte|id_lt|id_lte)$/.test(name)) return fc.oneof(ref('message'), freshId);
  if (/^(cid|channel_cid|cids)$/.test(name)) return fc.oneof({ weight: 4, arbitrary: ref('cid') }, { weight: 1, arbitrary: fc.constant('messaging:fresh') });
  if (name === 'type') {
    // A segment's type, a message's, or a channel's: the route says which.
    if (shaping.path.includes('/segments')) return fc.constantFrom('user', 'user', 'channel', 'nope');
    if (/\/message|\/campaigns/.test(shaping.path)) return fc.oneof(fc.constantFrom('regular', 'regular', 'system', 'reply', 'error'), ref('channelType'));
    return fc.oneof({ weight: 4, arbitrary: ref('channelType') }, { weight: 1, arbitrary: fc.constantFrom('team', 'livestream', 'nope') });
  }
  if (name === 'id') {
    const kind: RefKind = onCampaign ? 'campaign' : shaping.path.includes('/segments') ? 'segment' : shaping.path.includes('/users') ? 'user' : 'channel';
    // On a campaign, `id` is also channel_template.id, a template.
    const template = onCampaign ? [{ weight: 1, arbitrary: liquidTemplate }] : [];
    return fc.oneof({ weight: 3, arbitrary: ref(kind) }, { weight: 3, arbitrary: freshId }, ...template);
  }
  if (name === 'text') return onCampaign ? fc.oneof(liquidTemplate, plainString) : fc.oneof({ weight: 4, arbitrary: plainString }, { weight: 1, arbitrary: liquidTemplate });
  if (/(_at|^scheduled_for|^stop_at)$/.test(name)) return timeValue;
  if (name === 'start' || name === 'end') return fc.constantFrom('09:00', '17:30', '00:00', '23:59', '24:00', '9am', '25:61');
  if (/timezone/.test(name)) return fc.constantFrom('Europe/Paris', 'UTC', 'America/New_York', 'Mars/Olympus', '+02:00', 'tz');
  if (name === 'role' || name === 'channel_role') return fc.constantFrom('user', 'admin', 'guest', 'channel_member', 'channel_moderator', 'owner');
  if (name === 'sender_mode') return fc.constantFrom('exclude', 'include', 'exclude', 'include', 'nope');
  if (name === 'sender_visibility') return fc.constantFrom('hidden', 'archived', 'hidden', 'archived', 'visible');
  if (name === 'webhook_url') return fc.constantFrom('http://127.0.0.1:9/hook', 'https://example.invalid/h', 'not a url', 'file:///etc/passwd');
  if (name === 'language') return fc.constantFrom('en', 'fr', 'zz', '');
  if (name === 'hook_type') return fc.constantFrom('webhook', 'sqs', 'nope');
  return null;
}

/** The schema's types, from `type` (a name or a list), `const` or `enum`. */
function typesOf(schema: JsonSchema): string[] {
  if (Array.isArray(schema.type)) return schema.type;
  if (typeof schema.type === 'string') return [schema.type];
  return [];
}

export function schemaValue(schema: JsonSchema, name: string, shaping: Shaping, depth = 0): fc.Arbitrary<unknown> {
  const proper = properValue(schema, name, shaping, depth);
  if (shaping.chaos <= 0) return proper;
  const bent = Math.max(1, Math.round(shaping.chaos * 100));
  return fc.oneof(
    { weight: 100 - bent, arbitrary: proper },
    { weight: bent, arbitrary: fc.oneof({ weight: 5, arbitrary: hostileValue }, { weight: 2, arbitrary: fc.constant(null) }, { weight: 2, arbitrary: hostileString }) },
  );
}

function properValue(schema: JsonSchema, name: string, shaping: Shaping, depth: number): fc.Arbitrary<unknown> {
  if (depth > 12) return fc.constant({});
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...schema.enum);
  const alternatives = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (alternatives?.length) return fc.oneof(...alternatives.map((s) => properValue(s, name, shaping, depth + 1)));
  if (/^(filter|filter_conditions|message_filter_conditions|Filter)$/.test(name)) return filterValue(filterResourceOf(shaping.path));
  if (name === 'sort' || name === 'Sort') return sortValue;
  const types = typesOf(schema);
  if (types.length > 1) return fc.oneof(...types.map((type) => properValue({ ...schema, type }, name, shaping, depth)));
  switch (types[0]) {
    case 'object':
      return objectValue(schema, name, shaping, depth);
    case 'array': {
      const item = schema.items ? schemaValue(schema.items, singular(name), shaping, depth + 1) : hostileValue;
      const max = Math.min(schema.maxItems ?? 4, 4);
      return fc.array(item, { minLength: Math.min(schema.minItems ?? 0, max), maxLength: max });
    }
    case 'string':
      return stringValue(schema, name, shaping);
    case 'integer':
      return integerValue(schema);
    case 'number':
      return fc.oneof(integerValue(schema), fc.double({ min: -10, max: 1000, noNaN: true }));
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    default:
      // `{}`: any JSON value (Stream's `sort`, custom values).
      return fc.oneof({ weight: 3, arbitrary: fc.oneof(plainString, fc.integer({ min: -5, max: 100 }), fc.boolean()) }, { weight: 1, arbitrary: custom(shaping) });
  }
}

const custom = (shaping: Shaping) => (shaping.chaos > 0 ? customData : plainCustomData);

// How often an optional field is there: the ones most routes need to do anything (the acting
// user under a server token, the message) more often than the rest, which are half the time.
const presence: Record<string, number> = {
  user_id: 0.85, sender_id: 0.9, message: 0.95, text: 0.95, user: 0.3, type: 0.7, id: 0.6, target_ids: 0.8, user_ids: 0.7,
  segment_ids: 0.3, filter_conditions: 0.6, filter: 0.6, message_template: 0.9, created_by_id: 0.8, data: 0.8, query: 0.6,
};

/** `user_ids` → `user_id`, `members` → `member`: what one item of an array field is. */
const singular = (name: string) => name.replace(/_ids$/, '_id').replace(/^ids$/, 'ids').replace(/s$/, '');

function stringValue(schema: JsonSchema, name: string, shaping: Shaping): fc.Arbitrary<unknown> {
  const named = namedString(name, shaping);
  if (named) return named;
  if (typeof schema.pattern === 'string') return fc.stringMatching(new RegExp(schema.pattern));
  const max = Math.min(schema.maxLength ?? 40, 40);
  const min = Math.min(schema.minLength ?? 0, max);
  return plainString.filter((s) => s.length >= min && s.length <= max);
}

function integerValue(schema: JsonSchema): fc.Arbitrary<number> {
  const min = typeof schema.minimum === 'number' ? schema.minimum : -1;
  const max = typeof schema.maximum === 'number' ? schema.maximum : 120;
  return fc.oneof({ weight: 5, arbitrary: fc.integer({ min: Math.max(min, -1), max: Math.min(max, Math.max(min, -1) + 120) }) },
    { weight: 1, arbitrary: fc.constantFrom(0, 1, 30, 100, 101, 1000, 2 ** 31, -(2 ** 31), 2 ** 53 - 1) });
}

function objectValue(schema: JsonSchema, name: string, shaping: Shaping, depth: number): fc.Arbitrary<unknown> {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set<string>(schema.required ?? []);
  const keys = Object.keys(properties);
  const extra = schema.additionalProperties;
  // Custom data (`custom`, `data`, `set`): free-form objects.
  if (keys.length === 0 && (extra === undefined || extra === true || (typeof extra === 'object' && Object.keys(extra).length === 0))) {
    return custom(shaping);
  }
  // A record keyed by id (`users: {[id]: user}`): the key is the user's id, as SDKs send it.
  if (keys.length === 0 && typeof extra === 'object') {
    const keyRef = fc.oneof({ weight: 3, arbitrary: ref(name === 'users' ? 'user' : 'channel') }, { weight: 2, arbitrary: freshId });
    const entry = fc.tuple(keyRef, schemaValue(extra, singular(name), shaping, depth + 1), fc.boolean())
      .map(([key, value, sameId]) => {
        const k = typeof key === 'string' ? key : refKey(key);
        if (value && typeof value === 'object' && !Array.isArray(value) && 'id' in value && (sameId || shaping.chaos === 0)) (value as Record<string, unknown>).id = key;
        return [k, value] as const;
      });
    return fc.array(entry, { minLength: 1, maxLength: 3 }).map((entries) => ownObject(entries));
  }
  const present = (key: string) => {
    const p = required.has(key) ? 1 - shaping.chaos / 3 : presence[key] ?? 0.4;
    const w = Math.round(p * 100);
    return fc.oneof({ weight: w, arbitrary: schemaValue(properties[key], key, shaping, depth + 1) }, { weight: 100 - w, arbitrary: fc.constant(ABSENT) });
  };
  const base = fc.tuple(...keys.map(present));
  const extras = shaping.chaos > 0
    ? fc.oneof({ weight: 100 - Math.round(shaping.chaos * 100), arbitrary: fc.constant([] as Array<[string, unknown]>) },
      { weight: Math.max(1, Math.round(shaping.chaos * 100)), arbitrary: fc.array(fc.tuple(fc.oneof(hostileKey, fc.constantFrom(...keys, 'custom')), hostileValue), { minLength: 1, maxLength: 2 }) })
    : fc.constant([] as Array<[string, unknown]>);
  return fc.tuple(keys.length ? base : fc.constant([] as unknown[]), extras).map(([values, more]) => {
    const entries: Array<[string, unknown]> = [];
    keys.forEach((k, i) => values[i] !== ABSENT && entries.push([k, values[i]]));
    return ownObject([...entries, ...more]);
  });
}
