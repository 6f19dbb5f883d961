import fc from 'fast-check';
import { customData, hostileUrlString, hostileValue } from './hostile-values.js';
import { DupKeys, nested, Ref, type RefKind } from './json-text.js';
import type { FuzzRoute, JsonSchema, Parameter } from './route-catalogue.js';
import { schemaValue, type Shaping } from './schema-values.js';
import { JoinedRefs, JsonParam, RawPath } from './wire-request.js';

/**
 * One generated request, before the pool gives its references ids: the route, how it is
 * authenticated, its path parameters, query and body. `materialize` turns it into bytes.
 */
export interface FuzzRequest {
  route: FuzzRoute;
  chaos: number;
  auth: AuthKind;
  authUser: Ref;
  params: Record<string, unknown>;
  query: Array<[string, unknown]>;
  body: BodyPlan;
}

export type AuthKind = 'server' | 'user' | 'stranger' | 'expired' | 'notYet' | 'badSignature' | 'garbage' | 'none' | 'badKey' | 'noKey' | 'bearer' | 'authType';

export type BodyPlan =
  | { kind: 'none' }
  | { kind: 'json'; value: unknown; contentType?: string }
  | { kind: 'text'; text: string; contentType?: string }
  | { kind: 'bytes'; bytes: number[] }
  | { kind: 'tooLarge' };

const chaosLevels = fc.constantFrom(0, 0, 0.03, 0.1, 0.3);

const authKind: fc.Arbitrary<AuthKind> = fc.oneof(
  { weight: 55, arbitrary: fc.constant('server' as const) },
  { weight: 30, arbitrary: fc.constant('user' as const) },
  { weight: 3, arbitrary: fc.constant('stranger' as const) },
  { weight: 12, arbitrary: fc.constantFrom<AuthKind>('expired', 'notYet', 'badSignature', 'garbage', 'none', 'badKey', 'noKey', 'bearer', 'authType') },
);

const ref = (kind: RefKind) => fc.nat(1000).map((pick) => new Ref(kind, pick));

/** What a path parameter names: the segment before it says (`/campaigns/{id}` is a campaign). */
function paramKind(route: FuzzRoute, name: string): RefKind | null {
  if (name === 'type') return 'channelType';
  if (/^(target_id|user_id)$/.test(name)) return 'user';
  if (/^(message_id|parent_id)$/.test(name)) return 'message';
  if (name !== 'id') return null;
  // The nearest fixed segment before it: `/channels/{type}/{id}` is a channel.
  const before = route.path.split(`/{${name}}`)[0].split('/').filter((s) => !s.startsWith('{')).pop();
  const kinds: Record<string, RefKind> = { channels: 'channel', campaigns: 'campaign', segments: 'segment', messages: 'message', tasks: 'task', users: 'user', message: 'message' };
  return kinds[before ?? ''] ?? null;
}

const hostilePathValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileUrlString,
  fc.constantFrom('%ZZ', '%ED%A0%80', '%00', '..', '.', '%2F', 'a%2Fb', '%C0%AF', `${'a'.repeat(255)}`, `${'b'.repeat(256)}`, `${'c'.repeat(600)}`)
    .map((text) => new RawPath(text)),
);

function pathValue(route: FuzzRoute, p: Parameter, chaos: number): fc.Arbitrary<unknown> {
  const kind = paramKind(route, p.name);
  const proper = kind ? fc.oneof({ weight: 5, arbitrary: ref(kind) }, { weight: 1, arbitrary: fc.constantFrom('fuzz-1', 'nope') }) : fc.constantFrom('fuzz-1', 'nope', '0');
  const bent = Math.round(chaos * 100);
  return bent ? fc.oneof({ weight: 100 - bent, arbitrary: proper }, { weight: bent, arbitrary: hostilePathValue }) : proper;
}

/** The GET /users payload and the connect `json`: JSON carried in a query parameter. */
const payloadSchema: JsonSchema = {
  type: 'object',
  properties: {
    // The union of what GET /users, /members, /search and /query_banned_users read from it.
    filter_conditions: { type: 'object' }, sort: {}, limit: { type: 'integer' }, offset: { type: 'integer' },
    presence: { type: 'boolean' }, user_id: { type: 'string' }, type: { type: 'string' }, id: { type: 'string' },
    message_filter_conditions: { type: 'object' }, query: { type: 'string' }, members: { type: 'array', items: { type: 'string' } },
    next: { type: 'string' },
  },
};
const connectSchema: JsonSchema = {
  type: 'object', required: ['user_id'],
  properties: { user_id: { type: 'string' }, user_details: { type: 'object', required: ['id'], properties: { id: { type: 'string' }, name: { type: 'string' } } }, server_determines_connection_id: { type: 'boolean' } },
};
const brokenJson = fc.constantFrom('{', '{"filter_conditions":', 'not json', '[]', '"x"', '1e999', 'null', '{"a":1,"a":2}', '{"__proto__":{"x":1}}', '%7B', '');

function queryValue(route: FuzzRoute, p: Parameter, chaos: number): fc.Arbitrary<unknown> {
  const shaping: Shaping = { chaos, path: route.path };
  const jsonText = (schema: JsonSchema) => fc.oneof({ weight: 6, arbitrary: schemaValue(schema, '', shaping).map((v) => new JsonParam(v)) }, { weight: 1, arbitrary: brokenJson });
  let proper: fc.Arbitrary<unknown>;
  if (p.name === 'payload') proper = jsonText(payloadSchema);
  else if (p.name === 'json') proper = jsonText(connectSchema);
  else if (p.name === 'ids') proper = fc.oneof(fc.array(ref('message'), { minLength: 1, maxLength: 3 }).map((refs) => new JoinedRefs(refs)), jsonText({ type: 'array', items: { type: 'string' } }));
  else if (p.name === 'user_id') proper = ref('user');
  else if (p.name === 'connection_id') proper = fc.constantFrom('abc', '0', 'x'.repeat(64));
  else if (p.name === 'close') proper = fc.constantFrom('true', 'false');
  else proper = schemaValue(p.schema, p.name, { chaos: 0, path: route.path });
  const bent = Math.round(chaos * 100);
  return bent ? fc.oneof({ weight: 100 - bent, arbitrary: proper }, { weight: bent, arbitrary: hostileUrlString }) : proper;
}

function queryEntries(route: FuzzRoute, chaos: number): fc.Arbitrary<Array<[string, unknown]>> {
  const entries = route.query.map((p) =>
    fc.option(queryValue(route, p, chaos).map((v) => [p.name, v] as [string, unknown]), { freq: p.required || p.name === 'payload' ? 20 : 2 }),
  );
  const extras = chaos > 0
    ? fc.array(fc.tuple(fc.oneof(fc.constantFrom(...route.query.map((p) => p.name), 'api_key', 'limit', 'payload', '__proto__'), fc.string({ maxLength: 5 })), hostileUrlString), { maxLength: chaos > 0.1 ? 2 : 1 })
    : fc.constant([] as Array<[string, string]>);
  // Repeated parameters (`?limit=1&limit=2`) come from the extras naming a route parameter.
  return fc.tuple(fc.tuple(...entries), extras).map(([present, more]) => [
    ...(present.filter((e) => e !== null) as Array<[string, unknown]>),
    ...more,
  ]);
}

/** The body: from the route's schema, sometimes bent as a whole (not JSON, not an object, huge). */
function bodyPlan(route: FuzzRoute, chaos: number): fc.Arbitrary<BodyPlan> {
  const none = fc.constant<BodyPlan>({ kind: 'none' });
  if (route.method === 'GET') return none;
  const shaped = route.body
    ? schemaValue(route.body, '', { chaos, path: route.path }).map((value): BodyPlan => ({ kind: 'json', value }))
    : fc.oneof(none, fc.constant<BodyPlan>({ kind: 'json', value: {} }));
  if (chaos === 0) return shaped;
  const wholeBodies: fc.Arbitrary<BodyPlan> = fc.oneof(
    brokenJson.map((text): BodyPlan => ({ kind: 'text', text })),
    fc.constantFrom('[1,2]', '"text"', '42', 'true', '{"a":1', '{"a":}', "{'a':1}", '{"a":1}{"b":2}', '\uFEFF{}', '{"a":1,}')
      .map((text): BodyPlan => ({ kind: 'text', text })),
    fc.constantFrom(10_000, 100).map((n): BodyPlan => ({ kind: 'json', value: nested(n, 'object') })),
    fc.array(fc.tuple(fc.constantFrom(...Object.keys(route.body?.properties ?? { id: 1 }), '__proto__', 'constructor'), hostileValue), { minLength: 2, maxLength: 4 })
      .map((entries): BodyPlan => ({ kind: 'json', value: new DupKeys([...entries, entries[0]]) })),
    fc.constantFrom('application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data; boundary=x', 'application/json; charset=latin1', '')
      .chain((contentType) => shaped.map((b): BodyPlan => (b.kind === 'json' ? { ...b, contentType } : b))),
    fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 24 }).map((bytes): BodyPlan => ({ kind: 'bytes', bytes: [0x7b, 0x22, ...bytes, 0x22, 0x7d] })),
    customData.map((value): BodyPlan => ({ kind: 'json', value })),
  );
  const weight = Math.round(chaos * 40);
  return fc.oneof(
    { weight: 100 - weight, arbitrary: shaped },
    { weight, arbitrary: wholeBodies },
    // Over the 1 MB body limit: 413 and code 22, in Stream's shape.
    { weight: 1, arbitrary: fc.constant<BodyPlan>({ kind: 'tooLarge' }) },
  );
}

/** A request to `route`. */
export function requestFor(route: FuzzRoute): fc.Arbitrary<FuzzRequest> {
  return chaosLevels.chain((chaos) =>
    fc.record({
      route: fc.constant(route),
      chaos: fc.constant(chaos),
      auth: authKind,
      authUser: ref('user'),
      params: fc.record(Object.fromEntries(route.pathParams.map((p) => [p.name, pathValue(route, p, chaos)]))),
      query: queryEntries(route, chaos),
      body: bodyPlan(route, chaos),
    }),
  );
}

/** A request to any route of the catalogue; `weight` says how often each route is picked. */
export const anyRequest = (routes: readonly FuzzRoute[], weight: (route: FuzzRoute) => number = () => 1) =>
  fc.oneof(...routes.map((route) => ({ weight: weight(route), arbitrary: requestFor(route) })));
