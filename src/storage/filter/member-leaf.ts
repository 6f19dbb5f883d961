import { sql, type RawBuilder } from 'kysely';
import type { ComparisonNode } from '../../domain/filter/filter-ast.js';
import { filterFieldError } from '../../domain/filter/filter-errors.js';
import type { FilterTarget, MemberJoin } from './filter-target.js';
import { allOf, never, not, type Predicate } from './sql-logic.js';

/**
 * `members`: `$in` is "has any of these users as a member"; `$eq` with an array is the exact
 * member set, in any order (the contract's "exact member set", unlike Mongo's ordered array
 * equality). Both read channel_members, whose primary key (channel_pk, user_id) serves them.
 */
export function compileMembersLeaf(node: ComparisonNode, target: FilterTarget): Predicate {
  const join = memberJoin(target, node.field);
  const ids = [...new Set(node.value as readonly string[])];
  if (ids.length === 0) {
    // `$in: []` matches nothing; `$eq: []` is the channel without members.
    return node.op === '$in' ? never : not(sql`exists (${memberRows(target, join, [])})`);
  }
  const userIn = sql`fm.${sql.id(join.userColumn)} in (${sql.join(ids)})`;
  if (node.op === '$in') return sql`exists (${memberRows(target, join, [userIn])})`;
  if (node.op === '$eq') {
    // Exactly |ids| members, all of them in ids.
    const count = (where: RawBuilder<unknown>[]) => sql`(${memberRows(target, join, where, sql`count(*)`)})`;
    return allOf([sql`${count([])} = ${ids.length}`, sql`${count([userIn])} = ${ids.length}`] as Predicate[]);
  }
  throw new Error(`members does not compile ${node.op}`);
}

/** `joined` / `hidden`: the querying user's own membership row, present (and hidden). */
export function compileMembershipLeaf(node: ComparisonNode, target: FilterTarget): Predicate {
  const join = memberJoin(target, node.field);
  if (target.userId === undefined) {
    throw filterFieldError(node.field, node.op, 'needs the querying user (user_id), and this query has none');
  }
  const where = [sql`fm.${sql.id(join.userColumn)} = ${target.userId}`];
  if (node.field === 'hidden') where.push(sql`fm.${sql.id(join.hiddenColumn)} = 1`);
  const member = sql<boolean>`exists (${memberRows(target, join, where)})` as Predicate;
  return node.value === true ? member : not(member);
}

function memberRows(target: FilterTarget, join: MemberJoin, where: RawBuilder<unknown>[], select = sql`1`) {
  const owner = sql.ref(`${target.table}.${join.ownerKey}`);
  const conditions = [sql`fm.${sql.id(join.channelColumn)} = ${owner}`, ...where];
  return sql`select ${select} from ${sql.table(join.table)} as fm where ${sql.join(conditions, sql` and `)}`;
}

function memberJoin(target: FilterTarget, field: string): MemberJoin {
  if (!target.members) throw new Error(`filter target ${target.table} has no member table for ${field}`);
  return target.members;
}
