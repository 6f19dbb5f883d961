import { sql, type RawBuilder, type SqlBool } from 'kysely';
import { FieldKind, type ComparisonNode, type Scalar } from '../../domain/filter/filter-ast.js';
import type { DialectCaps } from '../dialects/dialect-caps.js';
import type { FilterColumn } from './filter-target.js';
import { allOf, anyOf, never, not, rangeSql, type Predicate } from './sql-logic.js';

/**
 * A leaf on a plain column (string, number, time, boolean). NULL is Mongo's "absent": it
 * matches `null` and `$exists: false`, and nothing else, so every comparison on a nullable
 * column is guarded with `is not null` to stay two-valued.
 */
export function compileColumnLeaf(
  node: ComparisonNode,
  column: FilterColumn,
  ref: RawBuilder<unknown>,
  caps: DialectCaps,
): Predicate {
  const known = (p: RawBuilder<unknown>): Predicate =>
    column.nullable ? sql<SqlBool>`(${ref} is not null and ${p})` : sql<SqlBool>`${p}`;
  const param = (value: string | number | boolean) => columnParam(node.fieldKind, value, caps);

  switch (node.op) {
    case '$eq':
    case '$ne': {
      const value = node.value as Scalar;
      const eq = value === null ? sql<SqlBool>`(${ref} is null)` : known(sql`${ref} = ${param(value)}`);
      return node.op === '$eq' ? eq : not(eq);
    }
    case '$in':
    case '$nin': {
      const present = node.value.filter((v): v is string | number | boolean => v !== null);
      const parts: Predicate[] = [];
      if (present.length) parts.push(known(sql`${ref} in (${sql.join(present.map(param))})`));
      if (present.length < node.value.length) parts.push(sql`(${ref} is null)`);
      return node.op === '$in' ? anyOf(parts) : not(anyOf(parts));
    }
    case '$gt':
    case '$gte':
    case '$lt':
    case '$lte': {
      const lhs = node.fieldKind === FieldKind.string ? caps.binaryText(ref) : ref;
      return known(sql`${lhs} ${sql.raw(rangeSql[node.op])} ${param(node.value)}`);
    }
    case '$exists':
      return node.value ? sql`(${ref} is not null)` : sql`(${ref} is null)`;
    case '$autocomplete':
      return known(caps.wordPrefixCi(ref, node.value));
    case '$q':
      // Every word of the query, anywhere in the text, whatever its case: what both dialects
      // do without a full-text index (a scan of the candidate rows).
      return known(allOf(node.value.split(/\s+/).filter(Boolean).map((word) => caps.containsCi(ref, word))));
    case '$contains':
      // A scalar column holds no array; the field specs never allow this, but it is not an error.
      return never;
  }
}

/** Booleans are 0/1 columns; numbers may be fractional or beyond int4, times are safe integers. */
function columnParam(kind: FieldKind, value: string | number | boolean, caps: DialectCaps) {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number' && kind === FieldKind.number) return caps.numberParam(value);
  return value;
}
