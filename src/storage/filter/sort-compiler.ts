import { sql, type OrderByModifiers, type RawBuilder, type SelectQueryBuilder } from 'kysely';
import { FieldKind } from '../../domain/filter/filter-ast.js';
import type { SortField, SortSpec } from '../../domain/filter/sort-spec.js';
import type { DialectCaps } from '../dialects/dialect-caps.js';
import type { FilterTarget } from './filter-target.js';

type OrderTerm = readonly [RawBuilder<unknown>, OrderByModifiers];

/**
 * Orders `query` by `sort`, then by the primary key, so that rows with equal keys come back in
 * the same order on every page (offset paging relies on it). Order follows Mongo, the same on
 * both dialects: absent/null first when ascending, text in code point order, custom values by
 * JSON type first (null < numbers < strings < objects < arrays < booleans), then by value.
 */
export function applySort<DB, TB extends keyof DB, O>(
  query: SelectQueryBuilder<DB, TB, O>,
  sort: SortSpec,
  target: FilterTarget,
  caps: DialectCaps,
): SelectQueryBuilder<DB, TB, O> {
  let q = query;
  for (const field of sort) {
    for (const [expr, modifiers] of orderTerms(field, target, caps)) q = q.orderBy(expr, modifiers);
  }
  // Plain column, no COLLATE: the tie-break only needs to be total, and so it can use the key's index.
  return q.orderBy(sql.ref(`${target.table}.${target.primaryKey}`), 'asc');
}

function orderTerms(sort: SortField, target: FilterTarget, caps: DialectCaps): OrderTerm[] {
  const direction = sort.direction === 1 ? 'asc' : 'desc';
  if (sort.fieldKind === FieldKind.custom) {
    const keys = caps.jsonSortKeys(sql.ref(`${target.table}.${target.customColumn}`), sort.field);
    return [keys.rank, keys.number, keys.text].map((expr) => [expr, direction] as const);
  }
  if (!Object.hasOwn(target.columns, sort.field)) throw new Error(`filter target ${target.table} has no column for ${sort.field}`);
  const column = target.columns[sort.field];
  const ref = sql.ref(`${target.table}.${column.column}`);
  const expr = sort.fieldKind === FieldKind.string ? caps.binaryText(ref) : ref;
  // Only nullable columns get NULLS FIRST/LAST: on NOT NULL columns it would keep PostgreSQL
  // from reading a descending order off the index.
  if (!column.nullable) return [[expr, direction]];
  return [[expr, (ob) => (direction === 'asc' ? ob.asc().nullsFirst() : ob.desc().nullsLast())]];
}
