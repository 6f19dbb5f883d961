/**
 * The values the fuzzer builds are plain JSON plus three kinds of node that JSON.stringify
 * cannot write: text spliced in as it is (10,000 levels of nesting, `1e999`, invalid JSON),
 * objects with a key twice, and references to seeded data (an id known only when the request
 * is sent). writeJson writes them all without recursing into spliced text, so a deep body
 * costs no stack here.
 */

/** Text written into the body verbatim. */
export class RawJson {
  constructor(readonly text: string, readonly label: string) {}
}

/** An object written with its entries as they are: the same key may come twice. */
export class DupKeys {
  constructor(readonly entries: ReadonlyArray<readonly [string, unknown]>) {}
}

/** What a reference can point at; the pool (fuzz-pool.ts) holds the ids. */
export type RefKind = 'user' | 'channel' | 'channelType' | 'cid' | 'campaign' | 'segment' | 'message' | 'task';

/** An id of seeded (or since created) data, chosen when the request is sent: `pick` indexes the pool. */
export class Ref {
  constructor(readonly kind: RefKind, readonly pick: number) {}
}

export type Resolve = (ref: Ref) => string;

// A reference used as an object key (`users: {[id]: user}`), as text no client would send.
const KEY_MARK = '\u0001ref:';
export const refKey = (ref: Ref) => `${KEY_MARK}${ref.kind}:${ref.pick}`;

function writeKey(key: string, resolve: Resolve): string {
  if (!key.startsWith(KEY_MARK)) return JSON.stringify(key);
  const [kind, pick] = key.slice(KEY_MARK.length).split(':');
  return JSON.stringify(resolve(new Ref(kind as RefKind, Number(pick))));
}

/** JSON text of a fuzz value; references become the ids `resolve` gives. */
export function writeJson(value: unknown, resolve: Resolve): string {
  if (value instanceof RawJson) return value.text;
  if (value instanceof Ref) return JSON.stringify(resolve(value));
  if (value instanceof DupKeys) {
    return `{${value.entries.map(([k, v]) => `${writeKey(k, resolve)}:${writeJson(v, resolve)}`).join(',')}}`;
  }
  if (Array.isArray(value)) return `[${value.map((v) => writeJson(v, resolve)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    // Object.entries, not for…in: a generated `__proto__` key is an own property here.
    return `{${Object.entries(value).map(([k, v]) => `${writeKey(k, resolve)}:${writeJson(v, resolve)}`).join(',')}}`;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return 'null';
  if (value === undefined) return 'null';
  return JSON.stringify(value);
}

/** An object with own keys only, `__proto__` included (a literal `{__proto__: x}` would set the prototype). */
export function ownObject(entries: ReadonlyArray<readonly [string, unknown]>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  return out;
}

/** `levels` nested arrays (or objects) around `inner`, as text. */
export function nested(levels: number, kind: 'array' | 'object' = 'array', inner = '1'): RawJson {
  const text = kind === 'array'
    ? `${'['.repeat(levels)}${inner}${']'.repeat(levels)}`
    : `${'{"a":'.repeat(levels)}${inner}${'}'.repeat(levels)}`;
  return new RawJson(text, `${levels} nested ${kind}s`);
}

/**
 * A path parameter or query value as URL text: percent-encodes every byte but unreserved
 * ones, and a lone surrogate as the three bytes of its WTF-8 form (encodeURIComponent throws
 * on it), which the server must refuse rather than store.
 */
export function percentEncode(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (/^[A-Za-z0-9\-._~]$/.test(ch)) out += ch;
    else if (code >= 0xd800 && code <= 0xdfff) {
      out += [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)].map(hexByte).join('');
    } else out += [...Buffer.from(ch, 'utf8')].map(hexByte).join('');
  }
  return out;
}

const hexByte = (b: number) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
