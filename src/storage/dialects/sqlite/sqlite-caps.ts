import { sql, type Expression, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import { escapeLike, type DialectCaps, type JsonScalar, type JsonScalarTest } from '../dialect-caps.js';
import { DISTINCT_CHANNEL_ID_FN } from './sql-functions.js';

// JSON.stringify gives the label SQLite expects: `"` and `\` escaped as in the stored JSON.
const path = (key: string) => `$.${JSON.stringify(key)}`;
const typeAt = (column: Expression<unknown>, key: string | null) =>
  key === null ? sql`json_type(${column})` : sql`json_type(${column}, ${path(key)})`;
// Aliased, so that `je.type` can never resolve to an outer column (channels has a `type`).
const eachOf = (column: Expression<unknown>, key: string | null) =>
  key === null ? sql`json_each(${column}) as je` : sql`json_each(${column}, ${path(key)}) as je`;
const never = sql<SqlBool>`(1 = 0)`;

// json_type() says 'integer'/'real'/'true'/'false'; fold them into the JSON type names.
const typeNameOf = (typeExpr: ReturnType<typeof sql>) =>
  sql<string | null>`(case ${typeExpr} when 'integer' then 'number' when 'real' then 'number'
    when 'true' then 'boolean' when 'false' then 'boolean' when 'text' then 'string' else ${typeExpr} end)`;

/** One json_each row (`type`, `value`) against a test; json_each gives booleans as 1/0, hence the type checks. */
function rowTest(test: JsonScalarTest): RawBuilder<SqlBool> {
  if (test.kind === 'range') {
    const type = typeof test.value === 'number' ? sql`je.type in ('integer', 'real')` : sql`je.type = 'text'`;
    return sql<SqlBool>`(${type} and je.value ${sql.raw(test.op)} ${test.value})`;
  }
  if (test.kind === 'word-prefix') return sql<SqlBool>`(je.type = 'text' and ${wordPrefixCi(sql.ref('je.value'), test.prefix)})`;
  return valuesTest(test.values);
}

function valuesTest(values: readonly JsonScalar[]): RawBuilder<SqlBool> {
  const strings = values.filter((v): v is string => typeof v === 'string');
  const numbers = values.filter((v): v is number => typeof v === 'number');
  const parts: RawBuilder<SqlBool>[] = [];
  if (strings.length) parts.push(sql`(je.type = 'text' and je.value in (${sql.join(strings)}))`);
  if (numbers.length) parts.push(sql`(je.type in ('integer', 'real') and je.value in (${sql.join(numbers)}))`);
  if (values.includes(true)) parts.push(sql`je.type = 'true'`);
  if (values.includes(false)) parts.push(sql`je.type = 'false'`);
  if (values.includes(null)) parts.push(sql`je.type = 'null'`);
  return parts.length ? sql<SqlBool>`(${sql.join(parts, sql` or `)})` : never;
}

function wordPrefixCi(expr: Expression<unknown>, prefix: string): RawBuilder<SqlBool> {
  const escaped = escapeLike(prefix);
  return sql<SqlBool>`(${expr} like ${`${escaped}%`} escape '\\' or ${expr} like ${`% ${escaped}%`} escape '\\')`;
}

// SQLite clamps the mapping to its compile-time limit (SQLITE_MAX_MMAP_SIZE, ~2 GiB on 64-bit);
// a larger file is mapped that far and read beyond it as usual.
const MMAP_BYTES = 2 ** 31;
// Mapped reads in flight per database: the mapping ends with the last of them, and the pages
// it touched leave the process's RSS with it.
const mappedReads = new WeakMap<object, number>();

/**
 * Measured on the preview benchmark's database (1M users, a distinct channel each, 540 MB, API
 * connection with a 4 MiB page cache, 2 cores): the preview's one statement 11–13 s unmapped,
 * 4.4–4.8 s mapped; the bare join of the audience to channels 6.2–10.5 s against 2.7–2.9 s.
 */
async function mappedRead<T>(db: Kysely<any>, read: () => Promise<T>): Promise<T> {
  const inFlight = mappedReads.get(db) ?? 0;
  mappedReads.set(db, inFlight + 1);
  try {
    if (inFlight === 0) await sql`pragma mmap_size = ${sql.raw(String(MMAP_BYTES))}`.execute(db);
    return await read();
  } finally {
    const left = mappedReads.get(db)! - 1;
    mappedReads.set(db, left);
    if (left === 0) await sql`pragma mmap_size = 0`.execute(db);
  }
}

export const sqliteCaps: DialectCaps = {
  name: 'sqlite',
  keyType: 'text',
  jsonType: 'text',
  supportsSkipLocked: false,
  indexedBy: (index) => sql`indexed by ${sql.id(index)}`,
  notifyOnCommit: false,
  parseJson: (value) => (typeof value === 'string' ? JSON.parse(value) : value),
  jsonValue: (column, key) => sql`json_extract(${column}, ${path(key)})`,
  jsonScalar: (column, key) => sql`json_extract(${column}, ${path(key)})`,
  jsonTypeOf: (column, key) => typeNameOf(sql`json_type(${column}, ${path(key)})`),
  jsonArrayContains: (column: Expression<unknown>, key, value) =>
    sql<boolean>`(${typeAt(column, key)} is 'array' and exists (select 1 from ${eachOf(column, key)} where ${valuesTest([value as JsonScalar])}))`,
  inTextList: (expr, values) => sql<boolean>`${expr} in (select value from json_each(${JSON.stringify(values)}))`,
  startsWithCi: (expr, prefix) => sql<boolean>`${expr} like ${`${escapeLike(prefix)}%`} escape '\\'`,
  containsCi: (expr, text) => sql<SqlBool>`(${expr} like ${`%${escapeLike(text)}%`} escape '\\')`,

  jsonHasKey: (column, key) => sql<SqlBool>`(${typeAt(column, key)} is not null)`,
  jsonIsArray: (column, key) => sql<SqlBool>`(${typeAt(column, key)} is 'array')`,
  jsonArrayEquals: (column, key, values) => {
    // json_extract and json() both render minified JSON, so equal arrays give equal text.
    const value = key === null ? sql`json(${column})` : sql`json_extract(${column}, ${path(key)})`;
    return sql<SqlBool>`(${typeAt(column, key)} is 'array' and ${value} = json(${JSON.stringify(values)}))`;
  },
  // json_each over a scalar yields that scalar, over an array its elements, over an absent key
  // nothing; only objects (whose members it would yield) must be excluded.
  jsonSome: (column, key, test) =>
    sql<SqlBool>`(${typeAt(column, key)} is not 'object' and exists (select 1 from ${eachOf(column, key)} where ${rowTest(test)}))`,
  jsonSortKeys: (column, key) => {
    const type = typeAt(column, key);
    const value = sql`json_extract(${column}, ${path(key)})`;
    return {
      // Mongo's order: null (and absent) < numbers < strings < objects < arrays < booleans.
      rank: sql<number>`(case ${type} when 'integer' then 1 when 'real' then 1 when 'text' then 2
        when 'object' then 3 when 'array' then 4 when 'true' then 5 when 'false' then 5 else 0 end)`,
      number: sql`(case when ${type} in ('integer', 'real', 'true', 'false') then ${value} end)`,
      text: sql`(case when ${type} = 'text' then ${value} end)`,
    };
  },
  wordPrefixCi,
  binaryText: (expr) => sql<string>`${expr}`,
  numberParam: (value) => sql<number>`${value}`,
  distinctChannelId: (a, b) => sql<string | null>`${sql.raw(DISTINCT_CHANNEL_ID_FN)}(${a}, ${b})`,
  // One json_type() per path: SQLite keeps the last parsed documents, so several paths into the
  // same row's custom parse it once.
  jsonPathMissing: (column, keys) => {
    const at = keys.map((k) => (typeof k === 'number' ? (k < 0 ? `[#${k}]` : `[${k}]`) : `.${JSON.stringify(k)}`)).join('');
    return sql<SqlBool>`(coalesce(json_type(${column}, ${`$${at}`}), 'null') = 'null')`;
  },
  textRows: (values) => sql<{ target: string }>`select value as target from json_each(${JSON.stringify(values)})`,
  mappedRead,
};
