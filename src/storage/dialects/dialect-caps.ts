import type { Expression, Kysely, RawBuilder, SqlBool } from 'kysely';

export type JsonScalar = string | number | boolean | null;
export type SqlRangeOp = '<' | '<=' | '>' | '>=';

/**
 * A test on one JSON scalar. Like Mongo, a test only ever matches values of its own JSON type:
 * 5 is neither equal to nor greater than "4", and true is not 1.
 */
export type JsonScalarTest =
  | { readonly kind: 'in'; readonly values: readonly JsonScalar[] }
  | { readonly kind: 'range'; readonly op: SqlRangeOp; readonly value: string | number }
  | { readonly kind: 'word-prefix'; readonly prefix: string };

/** The ORDER BY keys of a JSON value: type rank first (Mongo's order), then by value. */
export interface JsonSortKeys {
  readonly rank: RawBuilder<number>;
  readonly number: RawBuilder<unknown>;
  readonly text: RawBuilder<unknown>;
}

/**
 * What differs between SQLite and PostgreSQL, as capabilities rather than `if (pg)` checks
 * scattered through the stores (kysely's DialectAdapter does the same).
 *
 * `key: string | null` below addresses `column -> key`, or the column itself when null. Every
 * predicate returning SqlBool is two-valued (never SQL NULL), so callers may negate it.
 */
export interface DialectCaps {
  readonly name: 'sqlite' | 'postgres';
  /**
   * Column type for text keys that are paged and compared by range (ids, target ids): byte
   * order on both dialects, whatever the database's default collation.
   */
  readonly keyType: 'text' | 'text collate "C"';
  /** Column type for JSON documents. */
  readonly jsonType: 'text' | 'jsonb';
  /** `FOR UPDATE SKIP LOCKED` exists; without it the single SQLite writer serialises claims. */
  readonly supportsSkipLocked: boolean;
  /**
   * A commit can notify every process (LISTEN/NOTIFY). Without it (SQLite, one process) the
   * process that committed a chat feed row wakes its own readers.
   */
  readonly notifyOnCommit: boolean;
  /** Decodes a JSON column value as the driver returns it. */
  parseJson(value: unknown): unknown;
  /** The JSON value at `column.key` (on SQLite a scalar comes back as SQL text/number, arrays and objects as JSON text). */
  jsonValue(column: Expression<unknown>, key: string): RawBuilder<unknown>;
  /** The JSON value at `column.key` as a comparable SQL scalar (text, number). */
  jsonScalar(column: Expression<unknown>, key: string): RawBuilder<unknown>;
  /** The JSON type name at `column.key`: 'string' | 'number' | 'boolean' | 'array' | 'object' | 'null', or SQL NULL when absent. */
  jsonTypeOf(column: Expression<unknown>, key: string): RawBuilder<string | null>;
  /** True when the JSON array at `column.key` (or `column` itself when key is null) holds `value`. */
  jsonArrayContains(column: Expression<unknown>, key: string | null, value: unknown): RawBuilder<boolean>;
  /** Case-insensitive prefix match, with LIKE wildcards in `prefix` escaped. */
  startsWithCi(expr: Expression<unknown>, prefix: string): RawBuilder<boolean>;
  /**
   * `expr IN (values)` with the whole list as ONE bound parameter (a JSON array on SQLite, a
   * text[] on PostgreSQL): a statement with thousands of placeholders costs more to prepare
   * than to run, and the drivers prepare every statement anew.
   */
  inTextList(expr: Expression<unknown>, values: readonly string[]): RawBuilder<boolean>;

  /** `key` is present in the object, even when its value is JSON null. */
  jsonHasKey(column: Expression<unknown>, key: string): RawBuilder<SqlBool>;
  /** The value is a JSON array. */
  jsonIsArray(column: Expression<unknown>, key: string | null): RawBuilder<SqlBool>;
  /** The value is a JSON array equal to `values`, element by element in order. */
  jsonArrayEquals(column: Expression<unknown>, key: string | null, values: readonly JsonScalar[]): RawBuilder<SqlBool>;
  /**
   * The value passes `test`, or, when it is an array, one of its elements does (Mongo's implicit
   * array traversal; arrays nested in arrays are not searched). False when the key is absent.
   */
  jsonSome(column: Expression<unknown>, key: string | null, test: JsonScalarTest): RawBuilder<SqlBool>;
  jsonSortKeys(column: Expression<unknown>, key: string): JsonSortKeys;
  /**
   * Case-insensitive match of `prefix` at the start of the text or of any word in it (words
   * are separated by a space). Case folding is ASCII-only on SQLite, Unicode on PostgreSQL.
   */
  wordPrefixCi(expr: Expression<unknown>, prefix: string): RawBuilder<SqlBool>;
  /**
   * Case-insensitive substring match (message search's `$q`), LIKE wildcards in `text`
   * escaped. Case folding is ASCII-only on SQLite, Unicode on PostgreSQL (ILIKE).
   */
  containsCi(expr: Expression<unknown>, text: string): RawBuilder<SqlBool>;
  /**
   * Text in code point order, for range comparisons and sorts: SQLite's BINARY already is;
   * PostgreSQL needs COLLATE "C" since the database collation may be a locale. Both dialects
   * (and JavaScript, for ASCII and the BMP) then agree on what `name > "b"` means.
   */
  binaryText(expr: Expression<unknown>): RawBuilder<string>;
  /**
   * `INDEXED BY index` on SQLite, nothing on PostgreSQL: for hot statements over partial
   * indexes that SQLite, without statistics of the table, would pass over for the primary key
   * (a claim then walks every sent row of the campaign).
   */
  indexedBy(index: string): RawBuilder<unknown>;
  /** A bound number that compares with any numeric column (PostgreSQL would infer int4 from the column). */
  numberParam(value: number): RawBuilder<number>;
  /**
   * The id of the distinct channel of users `a` and `b`, exactly as domain/channel.ts's
   * distinctChannelId derives it (`!members-` + base64url(sha256(sorted ids joined by ',')),
   * 43 characters); NULL when a = b or either is NULL. PostgreSQL computes it with its own
   * sha256(); SQLite calls a JS function registered on each connection.
   */
  distinctChannelId(a: Expression<unknown>, b: Expression<unknown>): RawBuilder<string | null>;
  /**
   * The value at `path` in a JSON column is absent or JSON null: `path` holds object keys
   * (strings) and array indexes (numbers, negative from the end). An index into an object, or
   * a key into an array or a scalar, finds nothing, as a template's lookup does.
   */
  jsonPathMissing(column: Expression<unknown>, path: readonly (string | number)[]): RawBuilder<SqlBool>;
  /** A SELECT of one text column `target`, a row per value (byte order on both dialects). */
  textRows(values: readonly string[]): RawBuilder<{ target: string }>;
  /**
   * Runs `read`, a statement that probes indexes at random across the whole database (the
   * preview's million distinct channels), with the file memory-mapped on SQLite: a probe then
   * reads the OS page cache in place instead of a system call and a copy per page that the
   * connection's small page cache misses. Nothing on PostgreSQL.
   */
  mappedRead<T>(db: Kysely<any>, read: () => Promise<T>): Promise<T>;
}

/** Escapes LIKE wildcards with a backslash (both dialects use `escape '\'`). */
export const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);
