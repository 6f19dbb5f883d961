import { sql } from 'kysely';
import type { DialectCaps } from '../dialect-caps.js';

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export const postgresCaps: DialectCaps = {
  name: 'postgres',
  jsonType: 'jsonb',
  supportsSkipLocked: true,
  parseJson: (value) => (typeof value === 'string' ? JSON.parse(value) : value),
  jsonValue: (column, key) => sql`(${column} -> ${key})`,
  // ->> yields text; numbers are compared through the numeric cast chosen by the caller.
  jsonScalar: (column, key) => sql`(${column} ->> ${key})`,
  jsonTypeOf: (column, key) => sql<string | null>`jsonb_typeof(${column} -> ${key})`,
  jsonArrayContains: (column, key, value) => {
    const target = key === null ? sql`${column}` : sql`(${column} -> ${key})`;
    return sql<boolean>`(${target} @> ${JSON.stringify([value])}::jsonb)`;
  },
  startsWithCi: (expr, prefix) => sql<boolean>`${expr} ilike ${`${escapeLike(prefix)}%`}`,
};
