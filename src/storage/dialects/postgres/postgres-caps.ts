import { sql, type Expression, type RawBuilder, type SqlBool } from 'kysely';
import { escapeLike, type DialectCaps, type JsonScalarTest } from '../dialect-caps.js';

// `::text` picks jsonb -> text (the key) over jsonb -> int (an array index) for the parameter.
const at = (column: Expression<unknown>, key: string | null) =>
  key === null ? sql`${column}` : sql`(${column} -> ${key}::text)`;
const jsonb = (value: unknown) => sql`${JSON.stringify(value)}::jsonb`;
const never = sql<SqlBool>`(1 = 0)`;

/**
 * One jsonb value against a test. jsonb comparisons between different types order by type
 * instead of failing, so the type guard may run in any order; `#>> '{}'` unwraps a string.
 */
function valueTest(v: RawBuilder<unknown>, test: JsonScalarTest): RawBuilder<SqlBool> {
  if (test.kind === 'in') {
    // jsonb equality is type-aware: '1' = '1.0', but '1' <> '"1"' and 'true' <> '1'.
    return test.values.length ? sql<SqlBool>`(${v} in (${sql.join(test.values.map(jsonb))}))` : never;
  }
  if (test.kind === 'word-prefix') {
    return sql<SqlBool>`(jsonb_typeof(${v}) = 'string' and ${wordPrefixCi(sql`(${v} #>> '{}')`, test.prefix)})`;
  }
  const op = sql.raw(test.op);
  if (typeof test.value === 'number') return sql<SqlBool>`(jsonb_typeof(${v}) = 'number' and ${v} ${op} ${jsonb(test.value)})`;
  return sql<SqlBool>`(jsonb_typeof(${v}) = 'string' and (${v} #>> '{}') collate "C" ${op} ${test.value})`;
}

function wordPrefixCi(expr: Expression<unknown>, prefix: string): RawBuilder<SqlBool> {
  const escaped = escapeLike(prefix);
  return sql<SqlBool>`(${expr} ilike ${`${escaped}%`} or ${expr} ilike ${`% ${escaped}%`})`;
}

export const postgresCaps: DialectCaps = {
  name: 'postgres',
  keyType: 'text collate "C"',
  jsonType: 'jsonb',
  supportsSkipLocked: true,
  indexedBy: () => sql``,
  mappedRead: (_db, read) => read(),
  notifyOnCommit: true,
  parseJson: (value) => (typeof value === 'string' ? JSON.parse(value) : value),
  jsonValue: (column, key) => sql`(${column} -> ${key})`,
  // ->> yields text; numbers are compared through the numeric cast chosen by the caller.
  jsonScalar: (column, key) => sql`(${column} ->> ${key})`,
  jsonTypeOf: (column, key) => sql<string | null>`jsonb_typeof(${column} -> ${key})`,
  // A bare `column @> '[x]'` can use a GIN (jsonb_path_ops) index, as users.teams has, so a
  // whole (NOT NULL) column gets no coalesce around it. A scalar never contains [x].
  jsonArrayContains: (column, key, value) =>
    key === null
      ? sql<boolean>`(${column} @> ${jsonb([value])})`
      : sql<boolean>`coalesce(${at(column, key)} @> ${jsonb([value])}, false)`,
  inTextList: (expr, values) => sql<boolean>`${expr} = any(${[...values]}::text[])`,
  startsWithCi: (expr, prefix) => sql<boolean>`${expr} ilike ${`${escapeLike(prefix)}%`}`,
  containsCi: (expr, text) => sql<SqlBool>`(${expr} ilike ${`%${escapeLike(text)}%`})`,

  jsonHasKey: (column, key) => sql<SqlBool>`(${at(column, key)} is not null)`,
  jsonIsArray: (column, key) => sql<SqlBool>`coalesce(jsonb_typeof(${at(column, key)}) = 'array', false)`,
  jsonArrayEquals: (column, key, values) =>
    sql<SqlBool>`coalesce(jsonb_typeof(${at(column, key)}) = 'array' and ${at(column, key)} = ${jsonb(values)}, false)`,
  // CASE, not AND: jsonb_array_elements fails on a non-array, and AND has no evaluation order.
  jsonSome: (column, key, test) => {
    const value = at(column, key);
    return sql<SqlBool>`(case jsonb_typeof(${value})
      when 'array' then exists (select 1 from jsonb_array_elements(${value}) as je(v) where ${valueTest(sql.ref('je.v'), test)})
      else coalesce(${valueTest(value, test)}, false) end)`;
  },
  jsonSortKeys: (column, key) => {
    const value = at(column, key);
    return {
      // Mongo's order: null (and absent) < numbers < strings < objects < arrays < booleans.
      rank: sql<number>`(case jsonb_typeof(${value}) when 'number' then 1 when 'string' then 2
        when 'object' then 3 when 'array' then 4 when 'boolean' then 5 else 0 end)`,
      number: sql`(case jsonb_typeof(${value}) when 'number' then (${value} #>> '{}')::numeric
        when 'boolean' then (case when ${value} = 'true'::jsonb then 1 else 0 end) end)`,
      text: sql`(case jsonb_typeof(${value}) when 'string' then (${value} #>> '{}') collate "C" end)`,
    };
  },
  wordPrefixCi,
  binaryText: (expr) => sql<string>`(${expr} collate "C")`,
  numberParam: (value) => sql<number>`cast(${value} as numeric)`,
  // Sorted in byte order ("C"), as JS sorts the ids (user ids are ASCII, where the two agree);
  // base64 of 32 bytes is 44 characters with one '=', which translate() drops with '+/' → '-_'.
  distinctChannelId: (rawA, rawB) => {
    // Cast: a bound id's type would be unknown, and `unknown || unknown` has no operator.
    const [a, b] = [sql`cast(${rawA} as text)`, sql`cast(${rawB} as text)`];
    return sql<string | null>`(case when ${a} <> ${b} then '!members-' || left(translate(encode(sha256(convert_to(
      case when (${a} collate "C") < (${b} collate "C") then ${a} || ',' || ${b} else ${b} || ',' || ${a} end, 'UTF8')), 'base64'), '+/=', '-_'), 43) end)`;
  },
  // `->` with an int is an array index (negative from the end) and finds nothing in an object;
  // with text, an object key that finds nothing in an array: the template's own lookup rules.
  jsonPathMissing: (column, keys) => {
    const value = keys.reduce<RawBuilder<unknown>>((v, k) => (typeof k === 'number' ? sql`(${v} -> ${sql.lit(k)})` : sql`(${v} -> ${k}::text)`), sql`${column}`);
    return sql<SqlBool>`(coalesce(jsonb_typeof(${value}), 'null') = 'null')`;
  },
  textRows: (values) => sql<{ target: string }>`select t collate "C" as target from unnest(${[...values]}::text[]) as t`,
};
