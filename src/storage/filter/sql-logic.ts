import { sql, type RawBuilder, type SqlBool } from 'kysely';

/**
 * Boolean glue for compiled filters. Every leaf compiles to a two-valued predicate (never SQL
 * NULL), which is what makes `not` below mean Mongo's "does not match": with NULLs,
 * `not (last_active > x)` would drop the users who never connected.
 */
export type Predicate = RawBuilder<SqlBool>;

// `1 = 1` rather than TRUE: the same text works on every SQLite version and on PostgreSQL.
export const always: Predicate = sql<SqlBool>`(1 = 1)`;
export const never: Predicate = sql<SqlBool>`(1 = 0)`;

export const allOf = (parts: readonly Predicate[]): Predicate =>
  parts.length === 0 ? always : parts.length === 1 ? parts[0] : sql<SqlBool>`(${sql.join(parts, sql` and `)})`;

export const anyOf = (parts: readonly Predicate[]): Predicate =>
  parts.length === 0 ? never : parts.length === 1 ? parts[0] : sql<SqlBool>`(${sql.join(parts, sql` or `)})`;

export const not = (part: Predicate): Predicate => sql<SqlBool>`(not ${part})`;

export const rangeSql = { $gt: '>', $gte: '>=', $lt: '<', $lte: '<=' } as const;
