import { sql, type Expression } from 'kysely';
import type { DialectCaps } from '../dialect-caps.js';

const path = (key: string) => `$."${key.replace(/"/g, '""')}"`;
const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

// json_type() says 'integer'/'real'/'true'/'false'; fold them into the JSON type names.
const typeNameOf = (typeExpr: ReturnType<typeof sql>) =>
  sql<string | null>`(case ${typeExpr} when 'integer' then 'number' when 'real' then 'number'
    when 'true' then 'boolean' when 'false' then 'boolean' when 'text' then 'string' else ${typeExpr} end)`;

export const sqliteCaps: DialectCaps = {
  name: 'sqlite',
  jsonType: 'text',
  supportsSkipLocked: false,
  parseJson: (value) => (typeof value === 'string' ? JSON.parse(value) : value),
  jsonValue: (column, key) => sql`json_extract(${column}, ${path(key)})`,
  jsonScalar: (column, key) => sql`json_extract(${column}, ${path(key)})`,
  jsonTypeOf: (column, key) => typeNameOf(sql`json_type(${column}, ${path(key)})`),
  jsonArrayContains: (column: Expression<unknown>, key, value) => {
    const source = key === null ? sql`json_each(${column})` : sql`json_each(${column}, ${path(key)})`;
    // json_each yields booleans as 1/0: compare types too so that true never matches 1.
    const wanted = typeof value === 'boolean' ? (value ? 'true' : 'false') : null;
    if (wanted) return sql<boolean>`exists (select 1 from ${source} where type = ${wanted})`;
    const type = typeof value === 'number' ? sql`type in ('integer', 'real')` : sql`type = 'text'`;
    return sql<boolean>`exists (select 1 from ${source} where ${type} and value = ${value})`;
  },
  startsWithCi: (expr, prefix) => sql<boolean>`${expr} like ${`${escapeLike(prefix)}%`} escape '\\'`,
};
