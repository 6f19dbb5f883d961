import fc from 'fast-check';
import { DupKeys, nested, ownObject, RawJson } from './json-text.js';

/**
 * Values that break naive code, of every JSON type: long strings, NUL and lone surrogates,
 * numbers near 2^53 (as numbers and as strings), numbers JSON.parse turns into Infinity or -0,
 * deep nesting, huge arrays, duplicate keys, `__proto__` and `constructor`. The sizes stay
 * under the 1 MB body limit so that the route runs, except `tooLarge`, which the limit refuses.
 */

export const nastyStrings = [
  '', ' ', '\u0000', 'a\u0000b', '\ud800', 'x\udfffy', '\udc00\ud800', '__proto__', 'constructor', 'prototype',
  'toString', 'hasOwnProperty', '9007199254740993', '-9007199254740993', '9007199254740992', '1e309', '-0', 'NaN',
  'Infinity', 'null', 'true', '0x10', '1.5', '  42  ', '2024-02-30T25:61:00Z', '1700000000000000000',
  '17000000000000000000000', '0001-01-01T00:00:00Z', '9999-12-31T23:59:59.999999999Z', '../../etc/passwd',
  'messaging:general', 'a:b:c', ':', '*', '%', '%ZZ', '{{', '{%', "{% include '.env' %}", '<script>alert(1)</script>',
  "'; drop table users; --", '\\', '"', '\u202e\u2066rtl', '🦄'.repeat(10), '\u0301\u0301', '\uFEFF', '\r\n',
  'x'.repeat(256), 'x'.repeat(6000), 'é'.repeat(3000),
];

/** A string a field should not hold: nasty, random, binary, or long (up to 200 KB). */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...nastyStrings) },
  { weight: 3, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 6 }) },
  { weight: 1, arbitrary: fc.constantFrom(1_000, 70_000, 200_000).map((n) => 'y'.repeat(n)) },
);

export const nastyNumbers = [
  0, -0, 1, -1, 0.5, -2147483649, 2147483648, 4294967296, 9007199254740991, -9007199254740991, 9007199254740992,
  1.7976931348623157e308, 5e-324, 1e21, 123456789012, 1e15 + 0.3,
];

/** Numbers: edge integers and doubles, and number text JSON.parse rounds or overflows. */
export const hostileNumber: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...nastyNumbers) },
  { weight: 2, arbitrary: fc.integer() },
  { weight: 2, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom('9007199254740993', '-9007199254740993', '1e999', '-1e999', '1e-400', '-0.0', '1E+2', '123456789012345678901234567890')
      .map((text) => new RawJson(text, `number ${text}`)),
  },
);

/** Keys that trip up objects used as maps. */
export const hostileKey: fc.Arbitrary<string> = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '$where', '$and', 'a.b', '', '\u0000', '\ud800', 'x'.repeat(300)) },
  { weight: 2, arbitrary: fc.string({ maxLength: 8 }) },
);

/** 10,000 levels of arrays or objects, or just past the 64 Herald allows, or 1,000. */
export const deepValue: fc.Arbitrary<RawJson> = fc.tuple(fc.constantFrom(10_000, 1_000, 65, 63, 33), fc.constantFrom('array', 'object') as fc.Arbitrary<'array' | 'object'>)
  .map(([levels, kind]) => nested(levels, kind));

/** Arrays of 10,000 to 100,000 small items: ids, numbers or objects (at most ~600 KB of text). */
export const hugeArray: fc.Arbitrary<RawJson> = fc.tuple(fc.constantFrom(10_000, 50_000, 100_000), fc.constantFrom('"ann"', '1', '{}', '""', 'null', '[]'))
  .map(([n, item]) => new RawJson(`[${Array.from({ length: n }, () => item).join(',')}]`, `${n} × ${item}`));

/** A body just over the 1 MB limit: 413, code 22, in Stream's shape. */
export const tooLarge = () => new RawJson(JSON.stringify({ blob: 'z'.repeat(1024 * 1024 + 10) }), 'body over 1 MB');

const jsonScalar: fc.Arbitrary<unknown> = fc.oneof(hostileString, hostileNumber, fc.boolean(), fc.constant(null));

/** Any JSON value, small and hostile. */
export const hostileValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 8, arbitrary: jsonScalar },
    { weight: 2, arbitrary: fc.array(tie('value'), { maxLength: 4 }) },
    { weight: 2, arbitrary: fc.array(fc.tuple(fc.oneof(hostileKey, fc.string({ maxLength: 6 })), tie('value')), { maxLength: 4 }).map(ownObject) },
    { weight: 1, arbitrary: fc.tuple(hostileKey, tie('value'), tie('value')).map(([k, a, b]) => new DupKeys([[k, a], [k, b]])) },
    { weight: 1, arbitrary: deepValue },
    { weight: 1, arbitrary: hugeArray },
  ),
})).value;

const plainCustomValue = fc.oneof(fc.string({ maxLength: 8 }), fc.integer({ min: -5, max: 100 }), fc.boolean(), fc.array(fc.constantFrom('red', 'blue', 1), { maxLength: 3 }));

/** Custom data as a client sends it. */
export const plainCustomData: fc.Arbitrary<Record<string, unknown>> = fc
  .array(fc.tuple(fc.constantFrom('mood', 'score', 'tier', 'vip', 'tags', 'nickname'), plainCustomValue), { maxLength: 4 })
  .map(ownObject);

/** Custom data with hostile keys and values among plain ones. */
export const customData: fc.Arbitrary<Record<string, unknown>> = fc
  .array(fc.tuple(fc.oneof({ weight: 4, arbitrary: fc.constantFrom('mood', 'score', 'tier', 'vip', 'tags') }, { weight: 1, arbitrary: hostileKey }),
    fc.oneof({ weight: 3, arbitrary: plainCustomValue }, { weight: 1, arbitrary: hostileValue })), { maxLength: 4 })
  .map(ownObject);

/** A string for a URL (path or query): hostile, but mostly short enough for the request line. */
export const hostileUrlString: fc.Arbitrary<string> = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...nastyStrings.filter((s) => s.length < 1000)) },
  { weight: 4, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }) },
  { weight: 1, arbitrary: fc.constantFrom('y'.repeat(6000), 'y'.repeat(20_000)) },
);
