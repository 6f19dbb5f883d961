import { sql, type Expression, type SqlBool } from 'kysely';
import { FieldKind, type ComparisonNode, type FilterNode, type LogicalNode } from '../domain/filter/filter-ast.js';
import type { DialectCaps } from './dialects/dialect-caps.js';
import { compileColumnLeaf } from './filter/column-leaf.js';
import type { FilterTarget } from './filter/filter-target.js';
import { compileJsonLeaf } from './filter/json-leaf.js';
import { compileMembersLeaf, compileMembershipLeaf } from './filter/member-leaf.js';
import { allOf, anyOf, not, type Predicate } from './filter/sql-logic.js';

export {
  aliasFilterTarget,
  campaignFilterTarget,
  channelFilterTarget,
  segmentFilterTarget,
  segmentTargetFilterTarget,
  channelFilterTargetFor,
  messageFilterTarget,
  userFilterTarget,
  type FilterColumn,
  type FilterTarget,
  type MemberJoin,
} from './filter/filter-target.js';
export { applySort } from './filter/sort-compiler.js';

/**
 * Compiles a parsed filter into a Kysely predicate for `.where(...)` on `target`'s table, on
 * either dialect. One small function per node kind; every value is a bound parameter. The
 * predicate is two-valued (never NULL), so `$nor` and `$ne` mean what Mongo means.
 */
export function compileFilter(node: FilterNode, target: FilterTarget, caps: DialectCaps): Expression<SqlBool> {
  return compileNode(node, target, caps);
}

function compileNode(node: FilterNode, target: FilterTarget, caps: DialectCaps): Predicate {
  return node.kind === 'compare' ? compileComparison(node, target, caps) : compileLogical(node, target, caps);
}

function compileLogical(node: LogicalNode, target: FilterTarget, caps: DialectCaps): Predicate {
  const children = node.children.map((child) => compileNode(child, target, caps));
  if (node.kind === 'and') return allOf(children);
  if (node.kind === 'or') return anyOf(children);
  return not(anyOf(children));
}

function compileComparison(node: ComparisonNode, target: FilterTarget, caps: DialectCaps): Predicate {
  switch (node.fieldKind) {
    case FieldKind.custom:
      return compileJsonLeaf(node, { column: columnRef(target, target.customColumn), key: node.field, alwaysArray: false }, caps);
    case FieldKind.stringArray:
      return compileJsonLeaf(node, { column: builtIn(target, node.field).ref, key: null, alwaysArray: true }, caps);
    case FieldKind.members:
      return compileMembersLeaf(node, target);
    case FieldKind.membership:
      return compileMembershipLeaf(node, target);
    default: {
      const { column, ref } = builtIn(target, node.field);
      return compileColumnLeaf(node, column, ref, caps);
    }
  }
}

const columnRef = (target: FilterTarget, column: string) => sql.ref(`${target.table}.${column}`);

function builtIn(target: FilterTarget, field: string) {
  // The field specs (domain) and targets (here) list the same built-ins; a gap is a bug, not input.
  if (!Object.hasOwn(target.columns, field)) throw new Error(`filter target ${target.table} has no column for ${field}`);
  const column = target.columns[field];
  return { column, ref: columnRef(target, column.column) };
}
