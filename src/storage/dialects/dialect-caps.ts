import type { Expression, RawBuilder } from 'kysely';

/**
 * What differs between SQLite and PostgreSQL, as capabilities rather than `if (pg)` checks
 * scattered through the stores (kysely's DialectAdapter does the same).
 */
export interface DialectCaps {
  readonly name: 'sqlite' | 'postgres';
  /** Column type for JSON documents. */
  readonly jsonType: 'text' | 'jsonb';
  /** `FOR UPDATE SKIP LOCKED` exists; without it the single SQLite writer serialises claims. */
  readonly supportsSkipLocked: boolean;
  /** Decodes a JSON column value as the driver returns it. */
  parseJson(value: unknown): unknown;
  /** The JSON value at `column.key` (a JSON document, for equality with jsonParam). */
  jsonValue(column: Expression<unknown>, key: string): RawBuilder<unknown>;
  /** The JSON value at `column.key` as a comparable SQL scalar (text, number). */
  jsonScalar(column: Expression<unknown>, key: string): RawBuilder<unknown>;
  /** The JSON type name at `column.key`: 'string' | 'number' | 'boolean' | 'array' | 'object' | 'null', or SQL NULL when absent. */
  jsonTypeOf(column: Expression<unknown>, key: string): RawBuilder<string | null>;
  /** True when the JSON array at `column.key` (or `column` itself when key is null) holds `value`. */
  jsonArrayContains(column: Expression<unknown>, key: string | null, value: unknown): RawBuilder<boolean>;
  /** Case-insensitive prefix match, with LIKE wildcards in `prefix` escaped. */
  startsWithCi(expr: Expression<unknown>, prefix: string): RawBuilder<boolean>;
}
