import { sql, type Expression } from 'kysely';
import type { ComparisonNode, Scalar } from '../../domain/filter/filter-ast.js';
import type { DialectCaps, JsonScalar, JsonScalarTest } from '../dialects/dialect-caps.js';
import { allOf, anyOf, not, rangeSql, type Predicate } from './sql-logic.js';

/**
 * Where a JSON value lives: `column -> key` for custom data, or a whole JSON column (`key`
 * null) such as users.teams, which is always an array of strings.
 */
export interface JsonLocation {
  readonly column: Expression<unknown>;
  readonly key: string | null;
  readonly alwaysArray: boolean;
}

/**
 * A leaf on JSON data, with Mongo's semantics (as mingo implements them): a test on an array
 * matches when any element passes; values of another JSON type never match; `$ne`/`$nin`
 * are the negation, so an absent field matches them; `null` matches absent or JSON null;
 * `$exists` asks whether the key is present, even holding null.
 */
export function compileJsonLeaf(node: ComparisonNode, at: JsonLocation, caps: DialectCaps): Predicate {
  const some = (test: JsonScalarTest) => caps.jsonSome(at.column, at.key, test);
  switch (node.op) {
    case '$eq':
    case '$ne': {
      const value = node.value;
      const eq = Array.isArray(value)
        ? caps.jsonArrayEquals(at.column, at.key, value as JsonScalar[])
        : anyValue(at, [value as Scalar], caps);
      return node.op === '$eq' ? eq : not(eq);
    }
    case '$in':
    case '$nin': {
      const match = anyValue(at, node.value, caps);
      return node.op === '$in' ? match : not(match);
    }
    case '$gt':
    case '$gte':
    case '$lt':
    case '$lte':
      // The parser only lets strings and numbers through for JSON fields.
      return some({ kind: 'range', op: rangeSql[node.op], value: node.value as string | number });
    case '$exists':
      return node.value ? isPresent(at, caps) : not(isPresent(at, caps));
    case '$contains':
      return allOf([caps.jsonIsArray(at.column, at.key), some({ kind: 'in', values: [node.value] })]);
    case '$autocomplete':
      return some({ kind: 'word-prefix', prefix: node.value });
    case '$q':
      // No field spec allows full-text search on JSON data.
      throw new Error(`$q does not compile on the JSON field ${node.field}`);
  }
}

/** Equal to one of `values`: null also matches an absent key. */
function anyValue(at: JsonLocation, values: readonly Scalar[], caps: DialectCaps): Predicate {
  const present = values.filter((v) => v !== null);
  if (at.alwaysArray) {
    // @> on PostgreSQL can use the GIN index on users.teams; an array column is never absent.
    return anyOf(present.map((v) => sql`${caps.jsonArrayContains(at.column, at.key, v)}`));
  }
  const parts: Predicate[] = [];
  if (values.length) parts.push(caps.jsonSome(at.column, at.key, { kind: 'in', values }));
  if (present.length < values.length) parts.push(not(isPresent(at, caps)));
  return anyOf(parts);
}

/** The key is in the object (even holding null); a whole column is present unless SQL NULL. */
function isPresent(at: JsonLocation, caps: DialectCaps): Predicate {
  return at.key === null ? sql`(${at.column} is not null)` : caps.jsonHasKey(at.column, at.key);
}
